/**
 * The file sweeper, driven by an injected clock: the `now` that buildApp hands to every service
 * (Deps.now) is moved forward here instead of waiting a day.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FileUploadResponse } from '@mattermost/types/files';
import type { Post } from '@mattermost/types/posts';
import { getTestServer, type Persona, type TestServer } from '../helpers/server.js';
import { createFixture, type Fixture } from '../helpers/fixtures.js';
import { attachFilesTx, detachFilesForDeletedPostsTx, UNATTACHED_TTL_MS } from '../../src/services/files.js';
import { startLocalS3, type LocalS3 } from './s3.js';

const HOUR = 60 * 60 * 1000;

let s3: LocalS3;
beforeAll(async () => {
  s3 = await startLocalS3();
});
afterAll(async () => {
  await s3.close();
});

describe.each(['local', 's3'] as const)('file sweep on %s storage', (backend) => {
  let server: TestServer;
  let fx: Fixture;
  let offset = 0;

  beforeAll(async () => {
    server = await getTestServer(backend === 's3' ? s3.env : {});
    fx = await createFixture(server);
    server.built.services.deps.now = () => Date.now() + offset;
  });
  afterAll(() => server.close());

  const actorOf = (p: Persona) => ({
    userId: p.user.id,
    sessionId: '',
    roles: p.user.roles,
    isSystemAdmin: false,
  });
  const store = () => server.built.services.deps.store;

  async function uploadOne(name: string): Promise<string> {
    const fd = new FormData();
    fd.append('channel_id', fx.publicChannel.id);
    fd.append('files', new Blob([name]), name);
    const res = (await fx.alice.client.uploadFile(fd)) as FileUploadResponse;
    return res.file_infos[0]!.id;
  }

  async function postWith(fileIds: string[]): Promise<Post> {
    const post = await fx.alice.client.createPost({
      channel_id: fx.publicChannel.id,
      message: 'with files',
      file_ids: fileIds,
    } as Post);
    if ((post.file_ids ?? []).length !== fileIds.length) {
      await store().transaction((tx) =>
        attachFilesTx(tx, actorOf(fx.alice), fx.publicChannel.id, post.id, fileIds, Date.now() + offset),
      );
    }
    return post;
  }

  async function keysOf(id: string): Promise<string[]> {
    const out: string[] = [];
    for await (const k of server.built.services.files.storage.listKeys()) if (k.startsWith(id)) out.push(k);
    return out;
  }

  const status = async (id: string) =>
    (
      await fetch(`${server.url}/api/v4/files/${id}/info`, {
        headers: { Authorization: `Bearer ${fx.alice.token}` },
      })
    ).status;

  it('purges deleted posts’ files at once and unattached uploads after a day', async () => {
    const unattached = await uploadOne('draft.txt');
    const kept = await uploadOne('kept.txt');
    const doomed = await uploadOne('doomed.txt');
    await postWith([kept]);
    const doomedPost = await postWith([doomed]);
    await fx.alice.client.deletePost(doomedPost.id);
    // What the post service does when a post is deleted (a second call changes nothing).
    await store().transaction((tx) => detachFilesForDeletedPostsTx(tx, [doomedPost.id], Date.now() + offset));

    offset = UNATTACHED_TTL_MS - HOUR;
    expect(await server.built.services.files.sweep()).toBe(1);
    expect(await keysOf(doomed)).toEqual([]);
    expect(await store().files.findById(doomed)).toBeUndefined();
    expect(await keysOf(unattached)).toEqual([`${unattached}/original`]);
    expect(await status(unattached)).toBe(200);

    offset = UNATTACHED_TTL_MS + HOUR;
    expect(await server.built.services.files.sweep()).toBe(1);
    expect(await keysOf(unattached)).toEqual([]);
    expect(await store().files.findById(unattached)).toBeUndefined();
    expect(await status(unattached)).toBe(404);
    // Attached files stay, however old.
    expect(await keysOf(kept)).toEqual([`${kept}/original`]);
    expect(await status(kept)).toBe(200);
    expect(await server.built.services.files.sweep()).toBe(0);
  });

  it('an expired upload can no longer be attached', async () => {
    offset = 0;
    const id = await uploadOne('late.txt');
    offset = UNATTACHED_TTL_MS + HOUR;
    await server.built.services.files.sweep();
    const post = await fx.alice.client.createPost({
      channel_id: fx.publicChannel.id,
      message: 'late',
    } as Post);
    const err = await store()
      .transaction((tx) =>
        attachFilesTx(tx, actorOf(fx.alice), fx.publicChannel.id, post.id, [id], Date.now()),
      )
      .catch((e: unknown) => e);
    expect((err as { status: number }).status).toBe(400);
  });

  it('removes temporary files left by an interrupted upload after a day', async () => {
    const dir = path.join(server.config.dataDir, 'tmp', 'uploads');
    fs.mkdirSync(dir, { recursive: true });
    const old = path.join(dir, 'left-by-a-crash');
    const fresh = path.join(dir, 'in-progress');
    fs.writeFileSync(old, 'x');
    fs.writeFileSync(fresh, 'y');
    const twoDaysAgo = new Date(Date.now() - 48 * HOUR);
    fs.utimesSync(old, twoDaysAgo, twoDaysAgo);
    await server.built.services.files.sweep();
    expect(fs.readdirSync(dir)).toEqual(['in-progress']);
    fs.rmSync(fresh);
  });
});
