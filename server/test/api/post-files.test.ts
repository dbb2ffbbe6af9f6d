/**
 * Files on posts through Client4: `file_ids` on create claims the author's uploads, and every way of
 * reading a post (create, get, by ids, channel list, thread, pinned, saved, the `posted` event) shows
 * them as `file_ids` and `metadata.files`. Files that may not be claimed are refused with nothing
 * created; edits leave the files alone; deleting a post (or the root of a thread) ends every download.
 * Mallory is on the team but outside the private channel.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileInfo, FileUploadResponse } from '@mattermost/types/files';
import type { Post } from '@mattermost/types/posts';
import { getTestServer, expectError, type Persona, type TestServer } from '../helpers/server.js';
import { createFixture, rawApi, recordEvents, UNKNOWN_ID, type Fixture } from '../helpers/fixtures.js';
import { png } from '../files/images.js';

let server: TestServer;
let fx: Fixture;

beforeAll(async () => {
  server = await getTestServer();
  fx = await createFixture(server);
});
afterAll(() => server.close());

interface Upload {
  name: string;
  data: Buffer;
  type?: string;
}

async function upload(p: Persona, channelId: string, files: Upload[]): Promise<FileInfo[]> {
  const fd = new FormData();
  fd.append('channel_id', channelId);
  for (const f of files) {
    fd.append(
      'files',
      new Blob([new Uint8Array(f.data)], { type: f.type ?? 'application/octet-stream' }),
      f.name,
    );
  }
  return ((await p.client.uploadFile(fd)) as FileUploadResponse).file_infos;
}

const text = (p: Persona, channelId: string, name: string) =>
  upload(p, channelId, [{ name, data: Buffer.from(`contents of ${name}`), type: 'text/plain' }]).then(
    (l) => l[0]!,
  );

function post(p: Persona, channelId: string, message: string, extra: Partial<Post> = {}): Promise<Post> {
  return p.client.createPost({ channel_id: channelId, message, ...extra } as Post);
}

/**
 * Status of a download (or info) route for a persona, read to the end. Over a connection of its own
 * that the server closes after answering: a streamed download can finish a moment after the client has
 * its bytes, and a keep-alive connection that goes idle only then would hold up the server's close.
 */
function status(p: Persona, route: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${server.url}/api/v4${route}`,
      { agent: false, headers: { Authorization: `Bearer ${p.token}`, Connection: 'close' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

/** The file's row: delete_at > 0 once its post is deleted (the sweeper then purges its objects). */
const fileRow = (id: string) => server.built.services.deps.store.files.findById(id);

/** What a client needs of a file info, for comparison. */
const summary = (f: FileInfo) => ({
  id: f.id,
  post_id: f.post_id,
  user_id: f.user_id,
  channel_id: f.channel_id,
  name: f.name,
  extension: f.extension,
  size: f.size,
  mime_type: f.mime_type,
  width: f.width,
  height: f.height,
  has_preview_image: f.has_preview_image,
  delete_at: f.delete_at,
});

describe('attaching files to a post', () => {
  let image: Buffer;
  let pic: FileInfo;
  let notes: FileInfo;
  let root: Post;

  beforeAll(async () => {
    image = await png(120, 80, '#36c');
    [pic, notes] = (await upload(fx.alice, fx.privateChannel.id, [
      { name: 'pic.png', data: image, type: 'image/png' },
      { name: 'notes.txt', data: Buffer.from('some notes\n'), type: 'text/plain' },
    ])) as [FileInfo, FileInfo];
  });

  it('answers file_ids and metadata.files on create, and publishes them in posted', async () => {
    const log = recordEvents(server);
    // Sent in the reverse of upload order: the post keeps the author's order.
    root = await post(fx.alice, fx.privateChannel.id, 'with files', { file_ids: [notes.id, pic.id] });
    log.stop();

    expect(root.file_ids).toEqual([notes.id, pic.id]);
    const files = root.metadata.files!;
    expect(files.map(summary)).toEqual([
      {
        id: notes.id,
        post_id: root.id,
        user_id: fx.alice.user.id,
        channel_id: fx.privateChannel.id,
        name: 'notes.txt',
        extension: 'txt',
        size: 11,
        mime_type: 'text/plain',
        width: 0,
        height: 0,
        has_preview_image: false,
        delete_at: 0,
      },
      {
        id: pic.id,
        post_id: root.id,
        user_id: fx.alice.user.id,
        channel_id: fx.privateChannel.id,
        name: 'pic.png',
        extension: 'png',
        size: image.length,
        mime_type: 'image/png',
        width: 120,
        height: 80,
        has_preview_image: true,
        delete_at: 0,
      },
    ]);
    expect(files[1]!.mini_preview).toEqual(expect.any(String));
    expect(files.every((f) => !('clientId' in f))).toBe(true);

    const posted = log.named('posted');
    expect(posted).toHaveLength(1);
    expect(posted[0]!.audience).toEqual({ kind: 'channel', channelId: fx.privateChannel.id });
    expect(JSON.parse(posted[0]!.data.post as string)).toEqual(root);
  });

  it('shows the same files in get, by ids, the channel list, the thread, pinned and saved', async () => {
    const b = fx.bob.client;
    expect(await b.getPost(root.id)).toEqual(root);
    expect(await b.getPostsByIds([root.id])).toEqual([root]);
    expect((await b.getPosts(fx.privateChannel.id)).posts[root.id]).toEqual(root);

    // A reply with a file of Bob's own.
    const bobs = await text(fx.bob, fx.privateChannel.id, 'reply.txt');
    const reply = await post(fx.bob, fx.privateChannel.id, 'a reply', {
      root_id: root.id,
      file_ids: [bobs.id],
    });
    expect(reply.file_ids).toEqual([bobs.id]);
    expect(reply.metadata.files!.map((f) => [f.id, f.name, f.user_id])).toEqual([
      [bobs.id, 'reply.txt', fx.bob.user.id],
    ]);

    const thread = await b.getPostThread(root.id);
    expect(thread.order).toEqual([reply.id, root.id]);
    expect(thread.posts[root.id]!.file_ids).toEqual([notes.id, pic.id]);
    expect(thread.posts[root.id]!.metadata.files!.map((f) => f.id)).toEqual([notes.id, pic.id]);
    expect(thread.posts[reply.id]!.metadata.files!.map((f) => f.id)).toEqual([bobs.id]);

    const list = await fx.alice.client.getPosts(fx.privateChannel.id);
    expect(list.posts[reply.id]!.metadata.files!.map((f) => f.id)).toEqual([bobs.id]);
    expect(list.posts[root.id]!.metadata.files!.map((f) => f.id)).toEqual([notes.id, pic.id]);

    await fx.alice.client.pinPost(root.id);
    const pinned = await b.getPinnedPosts(fx.privateChannel.id);
    expect(pinned.posts[root.id]!.metadata.files!.map((f) => f.id)).toEqual([notes.id, pic.id]);
    await fx.alice.client.unpinPost(root.id);

    await b.savePreferences(fx.bob.user.id, [
      { user_id: fx.bob.user.id, category: 'flagged_post', name: root.id, value: 'true' },
    ]);
    const saved = await b.getFlaggedPosts(fx.bob.user.id);
    expect(saved.posts[root.id]!.file_ids).toEqual([notes.id, pic.id]);
    expect(saved.posts[root.id]!.metadata.files!.map((f) => f.name)).toEqual(['notes.txt', 'pic.png']);
  });

  it('lets members download the attached files and hides them from Mallory like unknown ids', async () => {
    for (const route of [`/files/${pic.id}`, `/files/${pic.id}/thumbnail`, `/files/${notes.id}/info`]) {
      expect(await status(fx.bob, route), route).toBe(200);
      expect(await status(fx.mallory, route), route).toBe(404);
      expect(await status(fx.carol, route), route).toBe(404);
    }
    expect((await fx.bob.client.getFileInfosForPost(root.id)).map((f) => f.id).sort()).toEqual(
      [pic.id, notes.id].sort(),
    );
    expect((await expectError(() => fx.mallory.client.getPost(root.id))).status_code).toBe(404);
    expect(await fx.mallory.client.getPostsByIds([root.id])).toEqual([]);
  });

  it('keeps posts without files as they were', async () => {
    const plain = await post(fx.alice, fx.privateChannel.id, 'no files', { file_ids: [] });
    expect(plain.file_ids).toEqual([]);
    expect(plain.metadata.files).toEqual([]);
    expect((await fx.bob.client.getPost(plain.id)).metadata.files).toEqual([]);
  });
});

describe('refusing files that may not be attached', () => {
  it('answers 400 in the error shape, creates nothing and claims nothing', async () => {
    const ch = fx.privateChannel;
    const mine = await text(fx.alice, ch.id, 'mine.txt');
    const bobs = await text(fx.bob, ch.id, 'bobs.txt');
    const elsewhere = await text(fx.alice, fx.publicChannel.id, 'elsewhere.txt');
    const taken = await text(fx.alice, ch.id, 'taken.txt');
    await post(fx.alice, ch.id, 'claims taken', { file_ids: [taken.id] });
    const ten = await upload(
      fx.alice,
      ch.id,
      Array.from({ length: 10 }, (_, i) => ({ name: `f${i}.txt`, data: Buffer.from(`f${i}`) })),
    );
    const eleven = [...ten.map((f) => f.id), mine.id];

    const before = await fx.alice.client.getChannel(ch.id);
    const listBefore = (await fx.alice.client.getPosts(ch.id)).order;
    const log = recordEvents(server);
    const cases: [string, unknown][] = [
      ["someone else's file", [mine.id, bobs.id]],
      ['a file of another channel', [mine.id, elsewhere.id]],
      ['an already attached file', [mine.id, taken.id]],
      ['eleven files', eleven],
      ['an unknown id', [mine.id, UNKNOWN_ID]],
      ['not an id', [mine.id, '../../etc/passwd']],
      ['an object', { $ne: null }],
      ['a string', mine.id],
      ['numbers', [1, 2]],
    ];
    for (const [name, fileIds] of cases) {
      const res = await rawApi(server, fx.alice, 'POST', '/posts', {
        channel_id: ch.id,
        message: `refused: ${name}`,
        file_ids: fileIds,
      });
      expect(res.status, name).toBe(400);
      expect(res.body.status_code, name).toBe(400);
      expect(typeof res.body.id, name).toBe('string');
      expect(res.body.detailed_error, name).toBe('');
    }
    // Through Client4 too.
    const err = await expectError(() => post(fx.alice, ch.id, 'x', { file_ids: [bobs.id] }));
    expect(err.status_code).toBe(400);
    log.stop();

    expect(log.named('posted')).toEqual([]);
    expect((await fx.alice.client.getChannel(ch.id)).total_msg_count).toBe(before.total_msg_count);
    expect((await fx.alice.client.getPosts(ch.id)).order).toEqual(listBefore);
    // Nothing was claimed: every file is still unattached and still the uploader's alone.
    for (const f of [mine, ...ten]) {
      const info = await rawApi(server, fx.alice, 'GET', `/files/${f.id}/info`);
      expect(info.body.post_id, f.name).toBeUndefined();
      expect(await status(fx.bob, `/files/${f.id}`), f.name).toBe(404);
    }
    const bobsInfo = await rawApi(server, fx.bob, 'GET', `/files/${bobs.id}/info`);
    expect(bobsInfo.body.post_id).toBeUndefined();
    expect((await fx.bob.client.getPost(listBefore[0]!)).file_ids).toEqual([taken.id]);

    // Exactly ten is allowed, and the file refused with the others is still Alice's to attach.
    const ok = await post(fx.alice, ch.id, 'ten files', { file_ids: ten.map((f) => f.id) });
    expect(ok.file_ids).toEqual(ten.map((f) => f.id));
    expect(ok.metadata.files!.map((f) => f.name)).toEqual(ten.map((f) => f.name));
    const alsoOk = await post(fx.alice, ch.id, 'mine', { file_ids: [mine.id] });
    expect(alsoOk.metadata.files!.map((f) => f.id)).toEqual([mine.id]);
  });

  it('attaches a file once when a create with a pending_post_id is retried, also concurrently', async () => {
    const ch = fx.privateChannel;
    const f = await text(fx.alice, ch.id, 'retried.txt');
    const pending = `${fx.alice.user.id}:files:${Date.now()}`;
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        post(fx.alice, ch.id, 'retry', { file_ids: [f.id], pending_post_id: pending }),
      ),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    for (const r of results) expect(r.file_ids).toEqual([f.id]);
    const again = await post(fx.alice, ch.id, 'retry', { file_ids: [f.id], pending_post_id: pending });
    expect(again.id).toBe(results[0]!.id);
    expect(again.metadata.files!.map((x) => x.id)).toEqual([f.id]);
  });
});

describe('editing a post', () => {
  it('leaves its files alone: file_ids sent with patch or update are ignored', async () => {
    const ch = fx.privateChannel;
    const attached = await text(fx.alice, ch.id, 'attached.txt');
    const other = await text(fx.alice, ch.id, 'other.txt');
    const p = await post(fx.alice, ch.id, 'to edit', { file_ids: [attached.id] });

    const log = recordEvents(server);
    const patched = await fx.alice.client.patchPost({
      id: p.id,
      message: 'patched',
      file_ids: [other.id],
    } as Post);
    const updated = await fx.alice.client.updatePost({
      ...patched,
      message: 'updated',
      file_ids: [],
    } as Post);
    log.stop();

    for (const q of [patched, updated, await fx.bob.client.getPost(p.id)]) {
      expect(q.file_ids).toEqual([attached.id]);
      expect(q.metadata.files!.map((f) => f.id)).toEqual([attached.id]);
    }
    expect(updated.message).toBe('updated');
    const edited = log.named('post_edited').map((e) => JSON.parse(e.data.post as string) as Post);
    expect(edited.map((e) => e.message)).toEqual(['patched', 'updated']);
    for (const e of edited) expect(e.metadata.files!.map((f) => f.id)).toEqual([attached.id]);

    // The other upload is still unattached and Alice's alone; the attached one still downloads.
    expect((await rawApi(server, fx.alice, 'GET', `/files/${other.id}/info`)).body.post_id).toBeUndefined();
    expect(await status(fx.bob, `/files/${other.id}`)).toBe(404);
    expect(await status(fx.bob, `/files/${attached.id}`)).toBe(200);
  });
});

describe('deleting', () => {
  it('ends every download of a deleted post’s files and empties its metadata', async () => {
    const ch = fx.privateChannel;
    const [img] = await upload(fx.alice, ch.id, [
      { name: 'gone.png', data: await png(40, 30), type: 'image/png' },
    ]);
    const p = await post(fx.alice, ch.id, 'soon gone', { file_ids: [img!.id] });
    expect(await status(fx.bob, `/files/${img!.id}`)).toBe(200);

    const log = recordEvents(server);
    await fx.alice.client.deletePost(p.id);
    log.stop();

    for (const who of [fx.alice, fx.bob, fx.admin, fx.mallory]) {
      for (const route of [
        `/files/${img!.id}`,
        `/files/${img!.id}/thumbnail`,
        `/files/${img!.id}/preview`,
        `/files/${img!.id}/info`,
      ]) {
        expect(await status(who, route), route).toBe(404);
      }
    }
    expect((await fileRow(img!.id))!.delete_at).toBeGreaterThan(0);
    const [deleted] = log.named('post_deleted');
    const wire = JSON.parse(deleted!.data.post as string) as Post;
    expect([wire.id, wire.file_ids, wire.metadata.files]).toEqual([p.id, [], []]);
    const asAdmin = await fx.admin.client.getPost(p.id, true);
    expect([asAdmin.delete_at > 0, asAdmin.file_ids, asAdmin.metadata.files]).toEqual([true, [], []]);
    const since = await fx.bob.client.getPostsSince(ch.id, p.create_at);
    expect(since.posts[p.id]!.file_ids).toEqual([]);
    expect(since.posts[p.id]!.metadata.files).toEqual([]);
  });

  it('ends the downloads of the replies’ files when a root is deleted', async () => {
    const ch = fx.privateChannel;
    const rootFile = await text(fx.alice, ch.id, 'root.txt');
    const replyFile = await text(fx.bob, ch.id, 'reply.txt');
    const root = await post(fx.alice, ch.id, 'root', { file_ids: [rootFile.id] });
    const reply = await post(fx.bob, ch.id, 'reply', { root_id: root.id, file_ids: [replyFile.id] });
    const keepFile = await text(fx.bob, ch.id, 'keep.txt');
    const keep = await post(fx.bob, ch.id, 'unrelated', { file_ids: [keepFile.id] });
    for (const id of [rootFile.id, replyFile.id]) expect(await status(fx.alice, `/files/${id}`)).toBe(200);

    await fx.alice.client.deletePost(root.id);

    for (const who of [fx.alice, fx.bob, fx.admin]) {
      for (const id of [rootFile.id, replyFile.id]) {
        expect(await status(who, `/files/${id}`), id).toBe(404);
        expect(await status(who, `/files/${id}/info`), id).toBe(404);
      }
    }
    // The reply's file went with the reply (not just hidden behind its deleted post); the other stays.
    for (const id of [rootFile.id, replyFile.id]) expect((await fileRow(id))!.delete_at).toBeGreaterThan(0);
    expect((await fileRow(keepFile.id))!.delete_at).toBe(0);
    const since = await fx.bob.client.getPostsSince(ch.id, root.create_at);
    expect(since.posts[reply.id]!.delete_at).toBeGreaterThan(0);
    expect(since.posts[reply.id]!.metadata.files).toEqual([]);
    expect(since.posts[reply.id]!.file_ids).toEqual([]);
    // The unrelated post keeps its file.
    expect(since.posts[keep.id]!.metadata.files!.map((f) => f.id)).toEqual([keepFile.id]);
    expect(await status(fx.alice, `/files/${keepFile.id}`)).toBe(200);
  });
});
