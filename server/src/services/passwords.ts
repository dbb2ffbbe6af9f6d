import bcrypt from 'bcrypt';
import { badRequest } from '../lib/errors.js';

export const PASSWORD_MIN_LENGTH = 8;
/** bcrypt reads at most 72 bytes; longer passwords are refused rather than silently truncated. */
export const PASSWORD_MAX_BYTES = 72;

export function checkPassword(password: unknown): asserts password is string {
  if (typeof password !== 'string' || password.length < PASSWORD_MIN_LENGTH) {
    throw badRequest(
      'model.user.is_valid.pwd_length.app_error',
      `Your password must contain at least ${PASSWORD_MIN_LENGTH} characters.`,
    );
  }
  if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
    throw badRequest(
      'model.user.is_valid.pwd_max_length.app_error',
      `Your password must be at most ${PASSWORD_MAX_BYTES} bytes long.`,
    );
  }
}

/** Asynchronous: hashing runs on libuv's thread pool and never blocks the event loop. */
export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(password, cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

export function hashCost(hash: string): number {
  try {
    return bcrypt.getRounds(hash);
  } catch {
    return -1;
  }
}
