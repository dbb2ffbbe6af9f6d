/**
 * Hostile files, on both storage backends: lying types, SVG and HTML, truncated images, image bombs
 * (with the process's memory measured), hostile names, and hostile multipart bodies.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileInfo, FileUploadResponse } from '@mattermost/types/files';
import { getTestServer, expectError, type Persona, type TestServer } from '../helpers/server.js';
import { createFixture, type Fixture } from '../helpers/fixtures.js';
import { blackPng, manyFrameGif, noisyJpeg, png } from './images.js';
import { startLocalS3, type LocalS3 } from './s3.js';

const BOUNDARY = '----parley-hostile';

/** A multipart body built byte by byte: Client4 and FormData would clean what these tests send. */
function rawMultipart(parts: { name: string; filename?: string; data: Buffer | string }[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disp =
      `Content-Disposition: form-data; name="${p.name}"` +
      (p.filename !== undefined ? `; filename="${p.filename}"` : '');
    const type = p.filename !== undefined ? '\r\nContent-Type: application/octet-stream' : '';
    chunks.push(Buffer.from(`--${BOUNDARY}\r\n${disp}${type}\r\n\r\n`, 'utf8'));
    chunks.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

/** Peak growth of this process's resident memory while fn runs (the server runs in this process). */
async function rssGrowth<T>(fn: () => Promise<T>): Promise<{ result: T; growth: number }> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 2);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growth: peak - base };
  } finally {
    clearInterval(timer);
  }
}

const MB = 1024 * 1024;

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3();
});
afterAll(async () => {
  await s3.close();
});

describe.each(['local', 's3'] as const)('hostile files on %s storage', (backend) => {
  let server: TestServer;
  let fx: Fixture;

  beforeAll(async () => {
    server = await getTestServer(backend === 's3' ? s3.env : {});
    fx = await createFixture(server);
  });
  afterAll(() => server.close());

  const upload = (p: Persona, name: string, data: Buffer, type = 'application/octet-stream') => {
    const fd = new FormData();
    fd.append('channel_id', fx.publicChannel.id);
    fd.append('files', new Blob([new Uint8Array(data)], { type }), name);
    return p.client.uploadFile(fd) as Promise<FileUploadResponse>;
  };

  const get = (route: string, p: Persona = fx.alice) =>
    fetch(`${server.url}/api/v4${route}`, { headers: { Authorization: `Bearer ${p.token}` } });

  async function storedKeys(): Promise<string[]> {
    const out: string[] = [];
    for await (const k of server.built.services.files.storage.listKeys()) out.push(k);
    return out.sort();
  }

  const rowCount = () => server.built.services.deps.store.files.count();

  const tmpFiles = () => {
    const dir = path.join(server.config.dataDir, 'tmp', 'uploads');
    return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  };

  /** Uploads must be refused with this error id, leaving nothing in storage, table or temp folder. */
  async function expectRefused(name: string, data: Buffer, id: string) {
    const keys = await storedKeys();
    const rows = await rowCount();
    const err = await expectError(() => upload(fx.alice, name, data, 'image/png'));
    expect(err.status_code).toBe(400);
    expect(err.server_error_id).toBe(id);
    expect(await storedKeys()).toEqual(keys);
    expect(await rowCount()).toBe(rows);
    expect(tmpFiles()).toEqual([]);
  }

  async function expectAttachment(info: FileInfo, body: Buffer) {
    const res = await get(`/files/${info.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
  }

  describe('content that attacks the reader', () => {
    const html = Buffer.from(
      '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>',
    );
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
    );

    it('serves HTML renamed as a PNG as an attachment, never as an image or a page', async () => {
      const info = (await upload(fx.alice, 'cat.png', html, 'image/png')).file_infos[0]!;
      expect([info.mime_type, info.has_preview_image]).toEqual(['application/octet-stream', false]);
      await expectAttachment(info, html);
    });

    it('serves HTML and SVG as attachments, under their own names or others', async () => {
      for (const [name, body, mime] of [
        ['page.html', html, 'text/html'],
        ['logo.svg', svg, 'image/svg+xml'],
        ['logo.jpg', svg, 'application/octet-stream'],
        ['page', html, 'application/octet-stream'],
      ] as const) {
        const info = (await upload(fx.alice, name, body, 'image/svg+xml')).file_infos[0]!;
        expect(info.mime_type).toBe(mime);
        expect(info.has_preview_image).toBe(false);
        await expectAttachment(info, body);
        expect((await get(`/files/${info.id}/preview`)).status).toBe(400);
      }
    });

    it('keeps a truncated image as a plain file without preview, served as an attachment', async () => {
      // Decision: a damaged image is not refused (nothing is lost for the sender) but is not trusted
      // either: no renditions, octet-stream, attachment.
      const jpeg = await noisyJpeg();
      const truncatedJpeg = jpeg.subarray(0, jpeg.length >> 1);
      const full = await png(200, 200);
      const truncatedPng = full.subarray(0, full.length - 20);
      for (const [name, body] of [
        ['cut.jpg', truncatedJpeg],
        ['cut.png', truncatedPng],
      ] as const) {
        const info = (await upload(fx.alice, name, body, 'image/jpeg')).file_infos[0]!;
        expect([info.mime_type, info.has_preview_image, info.width, info.height]).toEqual([
          'application/octet-stream',
          false,
          0,
          0,
        ]);
        expect(info.mini_preview).toBeUndefined();
        await expectAttachment(info, body);
        expect((await get(`/files/${info.id}/thumbnail`)).status).toBe(400);
      }
    });
  });

  describe('image bombs', () => {
    it('refuses a 65535×65535 header before decoding, with memory bounded', async () => {
      const lie = await blackPng(65535, 65535, { idatBytes: 16 });
      const { growth } = await rssGrowth(() =>
        expectRefused('huge.png', lie, 'api.file.upload_file.large_image.app_error'),
      );
      expect(growth).toBeLessThan(64 * MB);
    });

    it('refuses a decompression bomb (400 million pixels in 50 KB), with memory bounded', async () => {
      const bomb = await blackPng(20000, 20000);
      expect(bomb.length).toBeLessThan(100_000);
      const { growth } = await rssGrowth(() =>
        expectRefused('bomb.png', bomb, 'api.file.upload_file.large_image.app_error'),
      );
      expect(growth).toBeLessThan(64 * MB);
    });

    it('refuses a 10,000-frame animation, with memory bounded', async () => {
      const gif = manyFrameGif(10_000);
      const { growth } = await rssGrowth(() =>
        expectRefused('endless.gif', gif, 'api.file.upload_file.too_many_frames.app_error'),
      );
      expect(growth).toBeLessThan(64 * MB);
    });

    it('renders the largest accepted image (7680×4320) with memory bounded', async () => {
      const big = await blackPng(7680, 4320);
      const { result, growth } = await rssGrowth(() => upload(fx.alice, 'eight-k.png', big, 'image/png'));
      const info = result.file_infos[0]!;
      expect([info.width, info.height, info.has_preview_image]).toEqual([7680, 4320, true]);
      // Fully decoded it would take 7680×4320×3 bytes (100 MB); libvips streams it in strips.
      expect(growth).toBeLessThan(160 * MB);
      const preview = await get(`/files/${info.id}/preview`);
      expect(preview.status).toBe(200);
    });

    it('accepts a small animation and keeps it whole', async () => {
      const gif = manyFrameGif(10);
      const info = (await upload(fx.alice, 'blink.gif', gif, 'image/gif')).file_infos[0]!;
      expect([info.mime_type, info.width, info.height, info.has_preview_image]).toEqual([
        'image/gif',
        1,
        1,
        true,
      ]);
      const res = await get(`/files/${info.id}`);
      expect(res.headers.get('content-type')).toBe('image/gif');
      expect(Buffer.from(await res.arrayBuffer()).equals(gif)).toBe(true);
    });
  });

  describe('hostile names', () => {
    const cases: { sent: string; stored: string }[] = [
      { sent: '../../../../etc/passwd', stored: 'passwd' },
      { sent: '..\\..\\..\\windows\\system.ini', stored: 'system.ini' },
      { sent: '/tmp/absolute.txt', stored: 'absolute.txt' },
      { sent: 'nul\u0000byte.txt', stored: 'nulbyte.txt' },
      { sent: '..', stored: 'file' },
      { sent: 'x'.repeat(10 * 1024) + '.txt', stored: 'x'.repeat(251) + '.txt' },
      { sent: 'résumé\u202egpj.exe', stored: 'résumégpj.exe' },
    ];

    it('stores files under generated ids only and keeps a sanitised display name', async () => {
      const before = fs.readdirSync(path.dirname(server.config.dataDir)).sort();
      const body = rawMultipart([
        { name: 'channel_id', data: fx.publicChannel.id },
        ...cases.map((c, i) => ({ name: 'files', filename: c.sent, data: `content ${i}` })),
      ]);
      const res = await fetch(`${server.url}/api/v4/files`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${fx.alice.token}`,
          'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
        },
        body: new Uint8Array(body),
      });
      expect(res.status).toBe(201);
      const { file_infos: infos } = (await res.json()) as FileUploadResponse;
      expect(infos.map((f) => f.name)).toEqual(cases.map((c) => c.stored));

      for (const [i, info] of infos.entries()) {
        const dl = await get(`/files/${info.id}`);
        expect(await dl.text()).toBe(`content ${i}`);
        const disposition = dl.headers.get('content-disposition')!;
        expect(disposition).not.toMatch(/[\r\n]/);
        expect(disposition.includes('\u0000')).toBe(false);
        const star = /filename\*=UTF-8''(.*)$/.exec(disposition)![1]!;
        expect(decodeURIComponent(star)).toBe(cases[i]!.stored);
      }

      // Nothing named after what was sent, anywhere: only generated ids in storage…
      const keys = await storedKeys();
      expect(keys.every((k) => /^[a-z0-9]{26}\/(original|thumb|preview)$/.test(k))).toBe(true);
      for (const info of infos) expect(keys).toContain(`${info.id}/original`);
      // …nothing named after them beside the data directory or at the absolute path sent…
      const beside = fs.readdirSync(path.dirname(server.config.dataDir));
      for (const c of cases) expect(beside).not.toContain(c.stored);
      expect(beside.filter((n) => !before.includes(n) && /passwd|system\.ini|absolute|byte/.test(n))).toEqual(
        [],
      );
      expect(fs.existsSync('/tmp/absolute.txt')).toBe(false);
      // …and inside it only the database, the objects and an empty temporary folder.
      const walk = (dir: string): string[] =>
        fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
          const p = path.join(dir, e.name);
          return e.isDirectory() ? walk(p) : [path.relative(server.config.dataDir, p)];
        });
      for (const f of walk(server.config.dataDir)) {
        expect(f).toMatch(
          /^(parley\.db(-wal|-shm)?|files\/[a-z0-9]{2}\/[a-z0-9]{26}\/(original|thumb|preview))$/,
        );
      }
    });
  });

  describe('hostile multipart bodies', () => {
    /** Streams parts lazily; returns the status and how many parts had been written when it came. */
    function streamParts(total: number, part: (i: number) => Buffer) {
      const u = new URL(server.url);
      return new Promise<{ status: number; sent: number }>((resolve, reject) => {
        const req = http.request({
          host: u.hostname,
          port: u.port,
          method: 'POST',
          path: `/api/v4/files?channel_id=${fx.publicChannel.id}`,
          headers: {
            Authorization: `Bearer ${fx.alice.token}`,
            'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
          },
        });
        let sent = 0;
        let answered = false;
        req.on('response', (res) => {
          answered = true;
          res.resume();
          resolve({ status: res.statusCode ?? 0, sent });
        });
        req.on('error', (err) => {
          if (!answered) reject(err);
        });
        // Small batches with pauses between them, as a slow client sends: the answer must come before
        // the last part, i.e. without the server reading them all.
        const pump = async () => {
          while (!answered && sent < total) {
            for (let i = 0; i < 50 && sent < total; i++) req.write(part(sent++));
            await new Promise((r) => setTimeout(r, 1));
          }
          if (!answered) req.end(`--${BOUNDARY}--\r\n`);
        };
        void pump();
      });
    }

    it('answers 10,000 parts with a 400 long before reading them all', async () => {
      const rows = await rowCount();
      const { status, sent } = await streamParts(10_000, () =>
        Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="f"\r\n\r\nv\r\n`),
      );
      expect(status).toBe(400);
      expect(sent).toBeLessThan(10_000);
      expect(await rowCount()).toBe(rows);
    });

    it('answers 10,000 tiny files with a 400 and leaves nothing behind', async () => {
      const keys = await storedKeys();
      const { status, sent } = await streamParts(10_000, (i) =>
        Buffer.from(
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="${i}.txt"\r\n\r\nx\r\n`,
        ),
      );
      expect(status).toBe(400);
      expect(sent).toBeLessThan(10_000);
      expect(await storedKeys()).toEqual(keys);
      expect(tmpFiles()).toEqual([]);
    });

    it('cleans up after a client that disconnects mid-upload', async () => {
      const keys = await storedKeys();
      const rows = await rowCount();
      const u = new URL(server.url);
      const req = http.request({
        host: u.hostname,
        port: u.port,
        method: 'POST',
        path: `/api/v4/files?channel_id=${fx.publicChannel.id}`,
        headers: {
          Authorization: `Bearer ${fx.alice.token}`,
          'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
        },
      });
      req.on('error', () => {});
      req.write(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="half.bin"\r\n\r\n`);
      req.write(Buffer.alloc(512 * 1024, 1));
      // Wait until the server has started spooling, then drop the connection.
      for (let i = 0; i < 200 && tmpFiles().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(tmpFiles().length).toBe(1);
      req.destroy();
      for (let i = 0; i < 200 && tmpFiles().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(tmpFiles()).toEqual([]);
      expect(await storedKeys()).toEqual(keys);
      expect(await rowCount()).toBe(rows);
    });

    it('refuses bodies that are not multipart or are malformed', async () => {
      const send = (contentType: string, body: string) =>
        fetch(`${server.url}/api/v4/files?channel_id=${fx.publicChannel.id}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${fx.alice.token}`, 'Content-Type': contentType },
          body,
        });
      expect((await send('application/json', '{"files": []}')).status).toBe(400);
      expect((await send('multipart/form-data', 'no boundary')).status).toBe(400);
      const garbage = await send(`multipart/form-data; boundary=${BOUNDARY}`, `--${BOUNDARY}\r\ngarbage`);
      expect(garbage.status).toBe(400);
      expect(tmpFiles()).toEqual([]);
    });
  });
});
