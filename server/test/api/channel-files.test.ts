/**
 * GET /channels/{id}/files: the files of a channel's live posts, newest first, paged. A member reads
 * them; mallory (on the team, outside the private channel) gets the same 404 as an unknown channel id;
 * deleting a post takes its file off the list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileInfo, FileUploadResponse } from '@mattermost/types/files';
import type { Post } from '@mattermost/types/posts';
import { getTestServer, type Persona, type TestServer } from '../helpers/server.js';
import { createFixture, UNKNOWN_ID, type Fixture } from '../helpers/fixtures.js';

let server: TestServer;
let fx: Fixture;

beforeAll(async () => {
  server = await getTestServer();
  fx = await createFixture(server);
});
afterAll(() => server.close());

async function uploadText(p: Persona, channelId: string, name: string): Promise<FileInfo> {
  const fd = new FormData();
  fd.append('channel_id', channelId);
  fd.append('files', new Blob([`contents of ${name}`], { type: 'text/plain' }), name);
  return ((await p.client.uploadFile(fd)) as FileUploadResponse).file_infos[0]!;
}

/** Waits until the clock has moved on, so that the next upload is strictly newer. */
async function nextMillisecond(): Promise<void> {
  const t = Date.now();
  while (Date.now() <= t) await new Promise((r) => setTimeout(r, 1));
}

async function list(p: Persona, channelId: string, query = '') {
  const res = await fetch(`${server.url}/api/v4/channels/${channelId}/files${query}`, {
    headers: { Authorization: `Bearer ${p.token}` },
  });
  const body = (await res.json()) as unknown;
  // The request id differs from one answer to the next; everything else is compared.
  if (body && typeof body === 'object' && 'request_id' in body) delete body.request_id;
  return { status: res.status, body };
}

describe('a channel’s files', () => {
  let first: FileInfo;
  let second: FileInfo;
  let firstPost: Post;

  beforeAll(async () => {
    const ch = fx.privateChannel.id;
    first = await uploadText(fx.alice, ch, 'first.txt');
    firstPost = await fx.alice.client.createPost({
      channel_id: ch,
      message: 'one',
      file_ids: [first.id],
    } as Post);
    await nextMillisecond();
    second = await uploadText(fx.alice, ch, 'second.txt');
    await fx.alice.client.createPost({ channel_id: ch, message: 'two', file_ids: [second.id] } as Post);
    // An upload never attached to a post is not listed.
    await uploadText(fx.alice, ch, 'unattached.txt');
    // Another channel's file is not listed.
    const other = await uploadText(fx.alice, fx.publicChannel.id, 'elsewhere.txt');
    await fx.alice.client.createPost({
      channel_id: fx.publicChannel.id,
      message: 'x',
      file_ids: [other.id],
    } as Post);
  });

  it('lists them newest first for a member', async () => {
    const { status, body } = await list(fx.bob, fx.privateChannel.id);
    expect(status).toBe(200);
    const files = body as FileInfo[];
    expect(files.map((f) => f.name)).toEqual(['second.txt', 'first.txt']);
    expect(files[0]).toMatchObject({
      id: second.id,
      channel_id: fx.privateChannel.id,
      user_id: fx.alice.user.id,
      mime_type: 'text/plain',
      size: 'contents of second.txt'.length,
    });
    expect(files[1]).toMatchObject({ id: first.id, post_id: firstPost.id });
  });

  it('pages', async () => {
    const p0 = await list(fx.bob, fx.privateChannel.id, '?page=0&per_page=1');
    const p1 = await list(fx.bob, fx.privateChannel.id, '?page=1&per_page=1');
    const p2 = await list(fx.bob, fx.privateChannel.id, '?page=2&per_page=1');
    expect((p0.body as FileInfo[]).map((f) => f.id)).toEqual([second.id]);
    expect((p1.body as FileInfo[]).map((f) => f.id)).toEqual([first.id]);
    expect(p2.body).toEqual([]);
    expect((await list(fx.bob, fx.privateChannel.id, '?per_page=-1')).status).toBe(400);
  });

  it('answers an outsider exactly as an unknown channel', async () => {
    const outsider = await list(fx.mallory, fx.privateChannel.id);
    const unknown = await list(fx.mallory, UNKNOWN_ID);
    expect(outsider.status).toBe(404);
    expect(outsider.body).toEqual(unknown.body);
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(outsider.body)).not.toContain('first.txt');
  });

  it('drops the file of a deleted post', async () => {
    await fx.alice.client.deletePost(firstPost.id);
    const { body } = await list(fx.bob, fx.privateChannel.id);
    expect((body as FileInfo[]).map((f) => f.id)).toEqual([second.id]);
  });
});
