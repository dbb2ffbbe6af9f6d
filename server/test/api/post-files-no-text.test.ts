/**
 * A post may have no text when it carries files (a picture or a voice message sent alone), as in
 * Mattermost; without files an empty message is still refused, and a post whose files may not be
 * claimed is refused with nothing created.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileInfo, FileUploadResponse } from '@mattermost/types/files';
import type { Post } from '@mattermost/types/posts';
import { getTestServer, expectError, type Persona, type TestServer } from '../helpers/server.js';
import { createFixture, type Fixture } from '../helpers/fixtures.js';

let server: TestServer;
let fx: Fixture;

beforeAll(async () => {
  server = await getTestServer();
  fx = await createFixture(server);
});
afterAll(() => server.close());

async function upload(p: Persona, channelId: string, name: string): Promise<FileInfo> {
  const fd = new FormData();
  fd.append('channel_id', channelId);
  fd.append('files', new Blob([`contents of ${name}`], { type: 'text/plain' }), name);
  return ((await p.client.uploadFile(fd)) as FileUploadResponse).file_infos[0]!;
}

describe('posts with files and no text', () => {
  it('accepts an empty message when the post carries files, and shows it to the channel', async () => {
    const file = await upload(fx.alice, fx.publicChannel.id, 'voice.txt');
    const created = await fx.alice.client.createPost({
      channel_id: fx.publicChannel.id,
      message: '',
      file_ids: [file.id],
    } as Post);
    expect(created.message).toBe('');
    expect(created.file_ids).toEqual([file.id]);
    const seen = await fx.bob.client.getPost(created.id);
    expect(seen.message).toBe('');
    expect(seen.metadata.files?.map((f) => f.id)).toEqual([file.id]);
  });

  it('still refuses an empty message without files', async () => {
    const before = await fx.alice.client.getPosts(fx.publicChannel.id);
    const err = await expectError(() =>
      fx.alice.client.createPost({ channel_id: fx.publicChannel.id, message: '' } as Post),
    );
    expect(err.status_code).toBe(400);
    const err2 = await expectError(() =>
      fx.alice.client.createPost({
        channel_id: fx.publicChannel.id,
        message: '',
        file_ids: [] as string[],
      } as Post),
    );
    expect(err2.status_code).toBe(400);
    const after = await fx.alice.client.getPosts(fx.publicChannel.id);
    expect(after.order).toEqual(before.order);
  });

  it("refuses an empty message with someone else's file, creating nothing", async () => {
    const bobs = await upload(fx.bob, fx.publicChannel.id, 'bobs.txt');
    const before = await fx.alice.client.getPosts(fx.publicChannel.id);
    const err = await expectError(() =>
      fx.alice.client.createPost({
        channel_id: fx.publicChannel.id,
        message: '',
        file_ids: [bobs.id],
      } as Post),
    );
    expect(err.status_code).toBe(400);
    const after = await fx.alice.client.getPosts(fx.publicChannel.id);
    expect(after.order).toEqual(before.order);
  });
});
