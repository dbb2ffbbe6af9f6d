import { randomBytes } from 'node:crypto';

/** Mattermost's id alphabet: base32 of 16 random bytes, 26 lower-case characters, no padding. */
const ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';

export function newId(): string {
  const bytes = randomBytes(16);
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

const ID_RE = /^[a-z0-9]{26}$/;
export function isId(v: unknown): v is string {
  return typeof v === 'string' && ID_RE.test(v);
}
