/**
 * Image files for the tests, made here: ordinary ones through sharp, hostile ones byte by byte (a PNG
 * header claiming 65535×65535, a real decompression bomb, a 10,000-frame GIF, truncated files).
 */
import zlib from 'node:zlib';
import sharp from 'sharp';

export async function png(width: number, height: number, colour = '#e33'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .png()
    .toBuffer();
}

/** A photo as a phone writes it: EXIF with the camera, GPS position and orientation 6 (rotated 90°). */
export async function phoneJpeg(width = 300, height = 200): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#08f' } })
    .jpeg()
    .withExif({
      IFD0: { Make: 'ParleyCam' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '51/1 30/1 1234/100',
        GPSLongitudeRef: 'W',
        GPSLongitude: '0/1 7/1 39/1',
      },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** Noisy JPEG: its entropy-coded data is long enough that cutting it in half truncates real pixels. */
export async function noisyJpeg(width = 640, height = 480): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg()
    .toBuffer();
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/**
 * A grey-scale PNG of the given size whose pixels are all black, written with 1 bit per pixel and
 * compressed: a 20000×20000 one is a decompression bomb (400 million pixels in about 60 KB).
 * With `idatBytes`, only that many bytes of compressed data are kept (a header-only lie when tiny).
 */
export async function blackPng(
  width: number,
  height: number,
  opts: { idatBytes?: number } = {},
): Promise<Buffer> {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // grey-scale
  const rowBytes = 1 + Math.ceil(width / 8);
  let idat: Buffer;
  if (opts.idatBytes !== undefined) {
    idat = zlib.deflateSync(Buffer.alloc(Math.min(rowBytes * 4, 1 << 20))).subarray(0, opts.idatBytes);
  } else {
    // Streamed row batches, so that making the bomb does not itself take the memory it stands for.
    const deflate = zlib.createDeflate({ level: 9 });
    const parts: Buffer[] = [];
    deflate.on('data', (d: Buffer) => parts.push(d));
    const done = new Promise((resolve) => deflate.on('end', resolve));
    const rowsPerBatch = Math.max(1, Math.floor((1 << 20) / rowBytes));
    const batch = Buffer.alloc(rowBytes * rowsPerBatch);
    for (let y = 0; y < height; y += rowsPerBatch) {
      const n = Math.min(rowsPerBatch, height - y);
      if (!deflate.write(batch.subarray(0, n * rowBytes))) await new Promise((r) => deflate.once('drain', r));
    }
    deflate.end();
    await done;
    idat = Buffer.concat(parts);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A 1×1 animated GIF with `frames` frames, looping for ever. */
export function manyFrameGif(frames: number): Buffer {
  const header = Buffer.from([
    ...Buffer.from('GIF89a', 'ascii'),
    0x01,
    0x00,
    0x01,
    0x00, // 1×1
    0x80,
    0x00,
    0x00, // global colour table of 2 entries
    0x00,
    0x00,
    0x00,
    0xff,
    0xff,
    0xff,
    // NETSCAPE2.0: loop for ever
    0x21,
    0xff,
    0x0b,
    ...Buffer.from('NETSCAPE2.0', 'ascii'),
    0x03,
    0x01,
    0x00,
    0x00,
    0x00,
  ]);
  const frame = Buffer.from([
    0x21,
    0xf9,
    0x04,
    0x00,
    0x02,
    0x00,
    0x00,
    0x00, // graphic control: 20 ms
    0x2c,
    0x00,
    0x00,
    0x00,
    0x00,
    0x01,
    0x00,
    0x01,
    0x00,
    0x00, // image descriptor 1×1
    0x02,
    0x02,
    0x44,
    0x01,
    0x00, // LZW: clear, 0, end
  ]);
  const body = Buffer.alloc(frame.length * frames);
  for (let i = 0; i < frames; i++) frame.copy(body, i * frame.length);
  return Buffer.concat([header, body, Buffer.from([0x3b])]);
}
