import { createHash, randomBytes } from 'node:crypto';

/** Mattermost's id alphabet: base32 of 16 random bytes, 26 lower-case characters, no padding. */
const ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';

let pool = Buffer.alloc(0);
let poolAt = 0;

/** A valid Mattermost-style id; random bytes are drawn in bulk because the seeder makes millions. */
export function newId(): string {
  if (poolAt + 16 > pool.length) {
    pool = randomBytes(16 * 4096);
    poolAt = 0;
  }
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = poolAt; i < poolAt + 16; i++) {
    buffer = ((buffer << 8) | (pool[i] as number)) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  poolAt += 16;
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** How Parley stores bearer tokens (sessions.token_hash). */
export function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}
