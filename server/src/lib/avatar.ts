/**
 * Default profile images: a 5×5 mirrored identicon derived from the user id, encoded as PNG with zlib.
 * Nothing the user typed goes into the image, so it is always safe to serve inline.
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

const SIZE = 120;
const CELL = 20; // 5 cells + 10px margin each side

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

const cache = new Map<string, Buffer>();

export function defaultAvatarPng(userId: string): Buffer {
  const hit = cache.get(userId);
  if (hit) return hit;
  const h = createHash('sha256').update(userId).digest();
  const fg = [h[0]! % 180, h[1]! % 180, h[2]! % 180];
  const bg = [240, 240, 240];
  const on = (x: number, y: number) => {
    const col = x < 3 ? x : 4 - x;
    return (h[3 + y * 3 + col]! & 1) === 1;
  };
  const raw = Buffer.alloc((SIZE * 3 + 1) * SIZE);
  for (let y = 0; y < SIZE; y++) {
    const row = y * (SIZE * 3 + 1);
    raw[row] = 0;
    for (let x = 0; x < SIZE; x++) {
      const cx = Math.floor((x - 10) / CELL);
      const cy = Math.floor((y - 10) / CELL);
      const inside = cx >= 0 && cx < 5 && cy >= 0 && cy < 5 && on(cx, cy);
      const c = inside ? fg : bg;
      raw.set(c, row + 1 + x * 3);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(SIZE, 0);
  ihdr.writeUInt32BE(SIZE, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  if (cache.size > 10_000) cache.clear();
  cache.set(userId, png);
  return png;
}
