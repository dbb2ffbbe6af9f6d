import { createHash, timingSafeEqual } from 'node:crypto';

/** Bearer secrets are stored as their SHA-256; lookups go by hash, so no secret is ever compared raw. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) return false;
  return timingSafeEqual(ab, bb);
}
