/**
 * Files through Client4 and plain HTTP, on both storage backends (local disk and a real S3-compatible
 * server started here) and, through the vitest projects, on both databases.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { FileInfo, FileUploadResponse } from '@mattermost/types/files';
import type { Post } from '@mattermost/types/posts';
import { getTestServer, expectError, type Persona, type TestServer } from '../helpers/server.js';
import { createFixture, type Fixture } from '../helpers/fixtures.js';
import { newId } from '../../src/lib/ids.js';
import { attachFilesTx } from '../../src/services/files.js';
import { startLocalS3, type LocalS3 } from '../files/s3.js';
import { png, phoneJpeg } from '../files/images.js';

const MAX = 2 * 1024 * 1024;

interface Upload {
  name: string;
  data: Buffer;
  type?: string;
}

function form(channelId: string | undefined, files: Upload[], clientIds: string[] = []): FormData {
  const fd = new FormData();
  if (channelId) fd.append('channel_id', channelId);
  for (const c of clientIds) fd.append('client_ids', c);
  for (const f of files) {
    fd.append(
      'files',
      new Blob([new Uint8Array(f.data)], { type: f.type ?? 'application/octet-stream' }),
      f.name,
    );
  }
  return fd;
}

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3();
});
afterAll(async () => {
  await s3.close();
});

describe.each(['local', 's3'] as const)('files on %s storage', (backend) => {
  let server: TestServer;
  let fx: Fixture;

  beforeAll(async () => {
    server = await getTestServer({
      PARLEY_MAX_FILE_SIZE: String(MAX),
      ...(backend === 's3' ? s3.env : {}),
    });
    fx = await createFixture(server);
    expect(server.built.services.files.storage.kind).toBe(backend);
  });
  afterAll(() => server.close());

  const upload = (p: Persona, channelId: string | undefined, files: Upload[], clientIds: string[] = []) =>
    p.client.uploadFile(form(channelId, files, clientIds)) as Promise<FileUploadResponse>;

  const get = (p: Persona | undefined, route: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/api/v4${route}`, {
      headers: { ...(p ? { Authorization: `Bearer ${p.token}` } : {}), ...headers },
    });

  const bytes = async (res: Response) => Buffer.from(await res.arrayBuffer());

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

  /** A post carrying the files: by file_ids through Client4, or through the service where not wired yet. */
  async function postWith(p: Persona, channelId: string, fileIds: string[]): Promise<Post> {
    const post = await p.client.createPost({
      channel_id: channelId,
      message: 'files',
      file_ids: fileIds,
    } as Post);
    if ((post.file_ids ?? []).length !== fileIds.length) {
      const store = server.built.services.deps.store;
      const actor = { userId: p.user.id, sessionId: '', roles: p.user.roles, isSystemAdmin: false };
      await store.transaction((tx) => attachFilesTx(tx, actor, channelId, post.id, fileIds, Date.now()));
    }
    return post;
  }

  describe('upload', () => {
    it('answers file_infos and client_ids for several files in one request', async () => {
      const image = await png(300, 200);
      const res = await upload(
        fx.alice,
        fx.publicChannel.id,
        [
          { name: 'red.png', data: image, type: 'image/png' },
          { name: 'notes.txt', data: Buffer.from('hello files\n'), type: 'text/plain' },
        ],
        ['client-a', 'client-b'],
      );
      expect(res.client_ids).toEqual(['client-a', 'client-b']);
      expect(res.file_infos).toHaveLength(2);
      const [img, txt] = res.file_infos as [FileInfo, FileInfo];
      expect(img).toMatchObject({
        user_id: fx.alice.user.id,
        channel_id: fx.publicChannel.id,
        name: 'red.png',
        extension: 'png',
        size: image.length,
        mime_type: 'image/png',
        width: 300,
        height: 200,
        has_preview_image: true,
        delete_at: 0,
      });
      expect(img.id).toMatch(/^[a-z0-9]{26}$/);
      expect(img.post_id).toBeUndefined();
      const mini = await sharp(Buffer.from(img.mini_preview!, 'base64')).metadata();
      expect(mini.format).toBe('jpeg');
      expect(Math.max(mini.width, mini.height)).toBeLessThanOrEqual(16);
      expect(txt).toMatchObject({
        name: 'notes.txt',
        extension: 'txt',
        size: 12,
        mime_type: 'text/plain',
        width: 0,
        height: 0,
        has_preview_image: false,
      });
      expect(txt.mini_preview).toBeUndefined();
      // Objects are named by the generated ids only.
      const keys = await storedKeys();
      expect(keys).toEqual(
        expect.arrayContaining([
          `${img.id}/original`,
          `${img.id}/thumb`,
          `${img.id}/preview`,
          `${txt.id}/original`,
        ]),
      );
      expect(keys.every((k) => /^[a-z0-9]{26}\/(original|thumb|preview)$/.test(k))).toBe(true);
    });

    it('takes channel_id from the query string too', async () => {
      const raw = await fetch(`${server.url}/api/v4/files?channel_id=${fx.direct.id}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${fx.alice.token}` },
        body: form(undefined, [{ name: 'q.txt', data: Buffer.from('q') }]),
      });
      expect(raw.status).toBe(201);
      const res = (await raw.json()) as FileUploadResponse;
      expect(res.file_infos[0]!.channel_id).toBe(fx.direct.id);
      expect(res.client_ids).toEqual([]);
    });

    it('refuses uploads without channel, without files, or with mismatched client ids', async () => {
      const noChannel = await expectError(() =>
        upload(fx.alice, undefined, [{ name: 'a', data: Buffer.from('a') }]),
      );
      expect(noChannel.status_code).toBe(400);
      const noFiles = await expectError(() => upload(fx.alice, fx.publicChannel.id, []));
      expect(noFiles.status_code).toBe(400);
      const ids = await expectError(() =>
        upload(fx.alice, fx.publicChannel.id, [{ name: 'a', data: Buffer.from('a') }], ['x', 'y']),
      );
      expect(ids.status_code).toBe(400);
    });

    it('refuses uploads to channels the uploader may not post in', async () => {
      const before = await rowCount();
      // Mallory cannot see the private channel: like an unknown channel.
      const hidden = await expectError(() =>
        upload(fx.mallory, fx.privateChannel.id, [{ name: 'a.txt', data: Buffer.from('a') }]),
      );
      const unknown = await expectError(() =>
        upload(fx.mallory, newId(), [{ name: 'a.txt', data: Buffer.from('a') }]),
      );
      expect(hidden.status_code).toBe(404);
      expect(hidden.server_error_id).toBe(unknown.server_error_id);
      // She sees the public channel but is not a member, so she may not post in it.
      const notMember = await expectError(() =>
        upload(fx.mallory, fx.publicChannel.id, [{ name: 'a.txt', data: Buffer.from('a') }]),
      );
      expect(notMember.status_code).toBe(403);
      // Without a session nothing is read.
      const anon = await expectError(() =>
        server.client().uploadFile(form(fx.publicChannel.id, [{ name: 'a.txt', data: Buffer.from('a') }])),
      );
      expect(anon.status_code).toBe(401);
      expect(await rowCount()).toBe(before);
      expect(tmpFiles()).toEqual([]);
    });

    it('answers 413 past the size limit and leaves nothing behind', async () => {
      const keysBefore = await storedKeys();
      const rowsBefore = await rowCount();
      const err = await expectError(() =>
        upload(fx.alice, fx.publicChannel.id, [
          { name: 'small.txt', data: Buffer.from('fits') },
          { name: 'big.bin', data: Buffer.alloc(MAX + 1, 7) },
        ]),
      );
      expect(err.status_code).toBe(413);
      expect(err.server_error_id).toBe('api.file.upload_file.too_large_detailed.app_error');
      expect(await storedKeys()).toEqual(keysBefore);
      expect(await rowCount()).toBe(rowsBefore);
      expect(tmpFiles()).toEqual([]);
      // Exactly the limit is accepted.
      const ok = await upload(fx.alice, fx.publicChannel.id, [
        { name: 'max.bin', data: Buffer.alloc(MAX, 1) },
      ]);
      expect(ok.file_infos[0]!.size).toBe(MAX);
    });
  });

  describe('download', () => {
    let image: Buffer;
    let imageInfo: FileInfo;
    let textInfo: FileInfo;
    const text = Buffer.from('0123456789'.repeat(100));

    beforeAll(async () => {
      image = await png(400, 300, '#3a3');
      const res = await upload(fx.alice, fx.privateChannel.id, [
        { name: 'green.png', data: image, type: 'image/png' },
        { name: 'digits.txt', data: text, type: 'text/plain' },
      ]);
      [imageInfo, textInfo] = res.file_infos as [FileInfo, FileInfo];
      await postWith(fx.alice, fx.privateChannel.id, [imageInfo.id, textInfo.id]);
    });

    it('serves the original inline for an image, with protective headers', async () => {
      const res = await get(fx.bob, `/files/${imageInfo.id}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('content-disposition')).toBe(
        `inline; filename="green.png"; filename*=UTF-8''green.png`,
      );
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
      expect(res.headers.get('accept-ranges')).toBe('bytes');
      expect(res.headers.get('content-length')).toBe(String(image.length));
      expect((await bytes(res)).equals(image)).toBe(true);
    });

    it('serves ?download=1 as an attachment', async () => {
      const res = await get(fx.bob, `/files/${imageInfo.id}?download=1`);
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; /);
    });

    it('serves other files as attachments of type octet-stream', async () => {
      const res = await get(fx.bob, `/files/${textInfo.id}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('content-disposition')).toBe(
        `attachment; filename="digits.txt"; filename*=UTF-8''digits.txt`,
      );
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect((await bytes(res)).equals(text)).toBe(true);
    });

    it('serves a thumbnail and a preview within their bounds', async () => {
      const thumb = await get(fx.bob, `/files/${imageInfo.id}/thumbnail`);
      expect(thumb.status).toBe(200);
      expect(thumb.headers.get('content-type')).toBe('image/jpeg');
      expect(thumb.headers.get('x-content-type-options')).toBe('nosniff');
      const tm = await sharp(await bytes(thumb)).metadata();
      expect([tm.format, tm.width, tm.height]).toEqual(['jpeg', 120, 100]);

      const preview = await get(fx.bob, `/files/${imageInfo.id}/preview`);
      expect(preview.status).toBe(200);
      const pm = await sharp(await bytes(preview)).metadata();
      expect([pm.format, pm.width, pm.height]).toEqual(['jpeg', 400, 300]);
    });

    it('answers 400 for the thumbnail of a file without one', async () => {
      const res = await get(fx.bob, `/files/${textInfo.id}/thumbnail`);
      expect(res.status).toBe(400);
      expect((await res.json()).id).toBe('api.file.get_file_thumbnail.no_thumbnail.app_error');
    });

    it('serves byte ranges: 206 with Content-Range, suffixes, and 416 past the end', async () => {
      const r1 = await get(fx.bob, `/files/${textInfo.id}`, { Range: 'bytes=10-19' });
      expect(r1.status).toBe(206);
      expect(r1.headers.get('content-range')).toBe(`bytes 10-19/${text.length}`);
      expect(r1.headers.get('content-length')).toBe('10');
      expect((await bytes(r1)).equals(text.subarray(10, 20))).toBe(true);

      const r2 = await get(fx.bob, `/files/${textInfo.id}`, { Range: 'bytes=995-' });
      expect(r2.status).toBe(206);
      expect((await bytes(r2)).toString()).toBe('56789');

      const r3 = await get(fx.bob, `/files/${textInfo.id}`, { Range: 'bytes=-3' });
      expect(r3.status).toBe(206);
      expect(r3.headers.get('content-range')).toBe(`bytes 997-999/${text.length}`);
      expect((await bytes(r3)).toString()).toBe('789');

      const r4 = await get(fx.bob, `/files/${textInfo.id}`, { Range: `bytes=${text.length}-` });
      expect(r4.status).toBe(416);
      expect(r4.headers.get('content-range')).toBe(`bytes */${text.length}`);

      const r5 = await get(fx.bob, `/files/${imageInfo.id}`, { Range: 'bytes=0-7' });
      expect(r5.status).toBe(206);
      expect((await bytes(r5)).equals(image.subarray(0, 8))).toBe(true);
    });

    it('revalidates with the ETag after checking access again', async () => {
      const first = await get(fx.bob, `/files/${imageInfo.id}`);
      const etag = first.headers.get('etag')!;
      expect(first.headers.get('cache-control')).toBe('private, no-cache');
      const again = await get(fx.bob, `/files/${imageInfo.id}`, { 'If-None-Match': etag });
      expect(again.status).toBe(304);
      const outsider = await get(fx.mallory, `/files/${imageInfo.id}`, { 'If-None-Match': etag });
      expect(outsider.status).toBe(404);
    });

    it('answers file info and a post’s file infos to members', async () => {
      const info = await get(fx.bob, `/files/${imageInfo.id}/info`);
      expect(info.status).toBe(200);
      expect(info.headers.get('content-type')).toBe('application/json');
      const body = (await info.json()) as FileInfo;
      expect(body).toMatchObject({ id: imageInfo.id, name: 'green.png', width: 400, height: 300 });
      expect(body.post_id).toMatch(/^[a-z0-9]{26}$/);
      const list = await fx.bob.client.getFileInfosForPost(body.post_id!);
      expect(list.map((f) => f.id).sort()).toEqual([imageInfo.id, textInfo.id].sort());
    });

    it('hides a private channel’s files from an outsider exactly like unknown ids', async () => {
      const postId = ((await (await get(fx.alice, `/files/${imageInfo.id}/info`)).json()) as FileInfo)
        .post_id!;
      const unknown = newId();
      for (const [route, unknownRoute] of [
        [`/files/${imageInfo.id}`, `/files/${unknown}`],
        [`/files/${imageInfo.id}/thumbnail`, `/files/${unknown}/thumbnail`],
        [`/files/${imageInfo.id}/preview`, `/files/${unknown}/preview`],
        [`/files/${imageInfo.id}/info`, `/files/${unknown}/info`],
        [`/posts/${postId}/files/info`, `/posts/${unknown}/files/info`],
      ] as const) {
        const hidden = await get(fx.mallory, route);
        const none = await get(fx.mallory, unknownRoute);
        expect(hidden.status).toBe(404);
        expect(none.status).toBe(404);
        expect((await hidden.json()).id).toBe((await none.json()).id);
      }
      expect((await get(fx.carol, `/files/${imageInfo.id}`)).status).toBe(404);
      expect((await get(undefined, `/files/${imageInfo.id}`)).status).toBe(401);
    });

    it('answers 404 to malformed and encoded ids', async () => {
      for (const id of [
        '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
        '%252e%252e%252f',
        '..',
        imageInfo.id.toUpperCase(),
      ]) {
        const res = await get(fx.alice, `/files/${id}`);
        expect(res.status).toBe(404);
      }
    });
  });

  describe('access', () => {
    it('shows an unattached upload to its uploader only, then to the channel once posted', async () => {
      const res = await upload(fx.alice, fx.publicChannel.id, [
        { name: 'draft.txt', data: Buffer.from('draft') },
      ]);
      const id = res.file_infos[0]!.id;
      expect((await get(fx.alice, `/files/${id}`)).status).toBe(200);
      expect((await get(fx.bob, `/files/${id}`)).status).toBe(404);
      expect((await get(fx.bob, `/files/${id}/info`)).status).toBe(404);
      await postWith(fx.alice, fx.publicChannel.id, [id]);
      expect((await get(fx.bob, `/files/${id}`)).status).toBe(200);
      // A public channel is readable by team members who have not joined it.
      expect((await get(fx.mallory, `/files/${id}`)).status).toBe(200);
    });

    it('checks membership on every download: a removed member loses access', async () => {
      const channel = await fx.alice.client.createChannel({
        team_id: fx.team.id,
        name: `files-${backend}-${Date.now().toString(36)}`,
        display_name: 'Files',
        type: 'P',
      } as never);
      await fx.alice.client.addToChannel(fx.carol.user.id, channel.id);
      const res = await upload(fx.alice, channel.id, [{ name: 'secret.txt', data: Buffer.from('secret') }]);
      const id = res.file_infos[0]!.id;
      await postWith(fx.alice, channel.id, [id]);
      expect((await get(fx.carol, `/files/${id}`)).status).toBe(200);
      await fx.alice.client.removeFromChannel(fx.carol.user.id, channel.id);
      expect((await get(fx.carol, `/files/${id}`)).status).toBe(404);
      expect((await get(fx.carol, `/files/${id}/thumbnail`)).status).toBe(404);
    });

    it('removes access to the files of a deleted post', async () => {
      const res = await upload(fx.alice, fx.publicChannel.id, [
        { name: 'gone.txt', data: Buffer.from('gone') },
      ]);
      const id = res.file_infos[0]!.id;
      const post = await postWith(fx.alice, fx.publicChannel.id, [id]);
      expect((await get(fx.bob, `/files/${id}`)).status).toBe(200);
      await fx.alice.client.deletePost(post.id);
      // Until the post service calls detachFilesForDeletedPostsTx, the post's deletion alone hides it.
      expect((await get(fx.bob, `/files/${id}`)).status).toBe(404);
      expect((await get(fx.alice, `/files/${id}`)).status).toBe(404);
    });

    it('refuses uploads to an archived channel', async () => {
      const channel = await fx.alice.client.createChannel({
        team_id: fx.team.id,
        name: `archived-${backend}-${Date.now().toString(36)}`,
        display_name: 'Archived',
        type: 'O',
      } as never);
      await fx.alice.client.deleteChannel(channel.id);
      const err = await expectError(() =>
        upload(fx.alice, channel.id, [{ name: 'a.txt', data: Buffer.from('a') }]),
      );
      expect(err.status_code).toBe(400);
      expect(err.server_error_id).toBe('api.file.upload_file.archived_channel.app_error');
    });
  });

  describe('attaching', () => {
    const actorOf = (p: Persona) => ({
      userId: p.user.id,
      sessionId: '',
      roles: p.user.roles,
      isSystemAdmin: false,
    });

    async function attach(p: Persona, channelId: string, postId: string, ids: string[]) {
      const store = server.built.services.deps.store;
      return store.transaction((tx) => attachFilesTx(tx, actorOf(p), channelId, postId, ids, Date.now()));
    }

    it('attaches only own, unattached files of the same channel, at most 10', async () => {
      const post = await fx.bob.client.createPost({ channel_id: fx.publicChannel.id, message: 'x' } as Post);
      const mine = (await upload(fx.bob, fx.publicChannel.id, [{ name: 'b.txt', data: Buffer.from('b') }]))
        .file_infos[0]!;
      const alices = (
        await upload(fx.alice, fx.publicChannel.id, [{ name: 'a.txt', data: Buffer.from('a') }])
      ).file_infos[0]!;
      const elsewhere = (await upload(fx.bob, fx.direct.id, [{ name: 'd.txt', data: Buffer.from('d') }]))
        .file_infos[0]!;

      for (const ids of [[alices.id], [elsewhere.id], [mine.id, newId()], ['not-an-id']]) {
        const err = await attach(fx.bob, fx.publicChannel.id, post.id, ids).catch((e: unknown) => e);
        expect((err as { status: number }).status).toBe(400);
      }
      // A refused attach changed nothing.
      expect((await get(fx.bob, `/files/${mine.id}/info`).then((r) => r.json())).post_id).toBeUndefined();

      const eleven = Array.from({ length: 11 }, () => newId());
      const tooMany = await attach(fx.bob, fx.publicChannel.id, post.id, eleven).catch((e: unknown) => e);
      expect((tooMany as { status: number; id: string }).status).toBe(400);

      const rows = await attach(fx.bob, fx.publicChannel.id, post.id, [mine.id]);
      expect(rows.map((r) => [r.id, r.post_id])).toEqual([[mine.id, post.id]]);
      const again = await attach(fx.bob, fx.publicChannel.id, post.id, [mine.id]).catch((e: unknown) => e);
      expect((again as { status: number }).status).toBe(400);
      expect((await fx.alice.client.getFileInfosForPost(post.id)).map((f) => f.id)).toEqual([mine.id]);
    });
  });

  describe('images', () => {
    it('orients by EXIF and serves no location metadata in any rendition', async () => {
      const photo = await phoneJpeg(300, 200);
      expect((await sharp(photo).metadata()).exif).toBeDefined();
      const res = await upload(fx.alice, fx.publicChannel.id, [
        { name: 'IMG_0001.JPG', data: photo, type: 'image/jpeg' },
      ]);
      const info = res.file_infos[0]!;
      // Orientation 6: the 300×200 sensor image is a 200×300 portrait.
      expect([info.width, info.height, info.mime_type, info.extension]).toEqual([
        200,
        300,
        'image/jpeg',
        'jpg',
      ]);
      for (const route of [`/files/${info.id}`, `/files/${info.id}/preview`, `/files/${info.id}/thumbnail`]) {
        const body = await bytes(await get(fx.alice, route));
        const meta = await sharp(body).metadata();
        expect(meta.exif).toBeUndefined();
        expect(meta.xmp).toBeUndefined();
        expect(body.includes('ParleyCam')).toBe(false);
        if (route.endsWith(info.id)) {
          expect([meta.width, meta.height]).toEqual([200, 300]);
          expect(Number((await get(fx.alice, route)).headers.get('content-length'))).toBe(body.length);
          expect(info.size).toBe(body.length);
        }
      }
    });

    it('sniffs the type from the bytes, whatever the name and header say', async () => {
      const image = await png(50, 40);
      const res = await upload(fx.alice, fx.publicChannel.id, [
        { name: 'report.pdf', data: image, type: 'application/pdf' },
      ]);
      const info = res.file_infos[0]!;
      expect([info.mime_type, info.has_preview_image, info.width]).toEqual(['image/png', true, 50]);
      const dl = await get(fx.alice, `/files/${info.id}`);
      expect(dl.headers.get('content-type')).toBe('image/png');
    });
  });
});
