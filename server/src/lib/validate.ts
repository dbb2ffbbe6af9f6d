import { badRequest } from './errors.js';

const RESERVED_USERNAMES = new Set(['all', 'channel', 'here', 'matterbot', 'system', 'parley']);
const USERNAME_RE = /^[a-z][a-z0-9.\-_]{2,21}$/;
// Deliberately loose: one @, something on both sides, a dot in the domain, no spaces or angle brackets.
const EMAIL_RE = /^[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]+$/;

export function checkUsername(v: unknown): string {
  if (typeof v !== 'string')
    throw badRequest('model.user.is_valid.username.app_error', 'username is required.');
  const name = v.trim().toLowerCase();
  if (!USERNAME_RE.test(name) || RESERVED_USERNAMES.has(name)) {
    throw badRequest(
      'model.user.is_valid.username.app_error',
      'Username must begin with a letter, contain between 3 and 22 lower-case letters, numbers or the symbols ".", "-" and "_", and not be a reserved word.',
    );
  }
  return name;
}

export function checkEmail(v: unknown): string {
  if (typeof v !== 'string' || v.length > 128 || !EMAIL_RE.test(v.trim())) {
    throw badRequest('model.user.is_valid.email.app_error', 'Invalid email.');
  }
  return v.trim().toLowerCase();
}

/** A string field of bounded length in runes; `undefined` passes through (field absent). */
export function checkText(v: unknown, field: string, max: number, what = 'model'): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string')
    throw badRequest(`${what}.is_valid.${field}.app_error`, `${field} must be a string.`);
  if ([...v].length > max) {
    throw badRequest(`${what}.is_valid.${field}.app_error`, `${field} must be at most ${max} characters.`);
  }
  return v;
}

/** Mattermost-style names for teams and channels: lower-case letters, digits, '-' and '_'. */
export function checkUrlName(v: unknown, field: string, min: number, max: number): string {
  if (typeof v !== 'string') throw badRequest(`model.is_valid.${field}.app_error`, `${field} is required.`);
  const name = v.trim();
  const re = /^[a-z0-9]+([a-z0-9\-_]*[a-z0-9]+)?$/;
  if (name.length < min || name.length > max || !re.test(name) || name.includes('__')) {
    throw badRequest(
      `model.is_valid.${field}.app_error`,
      `${field} must be ${min}–${max} lower-case letters, numbers, '-' or '_', starting and ending with a letter or number.`,
    );
  }
  return name;
}
