import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Post } from '@mattermost/types/posts';
import { getTestServer, expectError, type TestServer } from '../helpers/server.js';
import { createFixture, recordEvents, audienceOf, type Fixture } from '../helpers/fixtures.js';

let server: TestServer;
let f: Fixture;

beforeAll(async () => {
  server = await getTestServer();
  f = await createFixture(server);
});
afterAll(() => server.close());

const post = (client: Fixture['alice']['client'], channel_id: string, message: string, root_id = '') =>
  client.createPost({ channel_id, message, root_id } as Post);

describe('mark as unread', () => {
  it('moves the last view back before the post and recounts messages and mentions', async () => {
    const ch = f.privateChannel.id;
    await post(f.alice.client, ch, 'before');
    const first = await post(f.alice.client, ch, 'hello @bob');
    const reply = await post(f.alice.client, ch, 'a reply', first.id);
    await post(f.bob.client, ch, 'bob himself');
    await post(f.alice.client, ch, '@channel look');
    await f.bob.client.viewMyChannel(ch);
    const viewed = await f.bob.client.getMyChannelMember(ch);
    expect(viewed.mention_count).toBe(0);

    const events = recordEvents(server);
    const unread = await f.bob.client.markPostAsUnread(f.bob.user.id, first.id);
    const channel = await f.bob.client.getChannel(ch);
    // From `first` on: first, reply, bob's own, @channel = 4 posts unread, 3 of them roots.
    expect(channel.total_msg_count - unread.msg_count).toBe(4);
    expect(channel.total_msg_count_root - unread.msg_count_root).toBe(3);
    // Mentions of bob by others: "hello @bob" and "@channel look"; his own post does not count.
    expect(unread.mention_count).toBe(2);
    expect(unread.last_viewed_at).toBe(first.create_at - 1);
    expect(reply.root_id).toBe(first.id);

    const member = await f.bob.client.getMyChannelMember(ch);
    expect(member.msg_count).toBe(unread.msg_count);
    expect(member.mention_count).toBe(2);
    expect(member.last_viewed_at).toBe(first.create_at - 1);

    const ev = events.named('post_unread');
    expect(ev).toHaveLength(1);
    expect(audienceOf(ev[0]!)).toEqual(['users', f.bob.user.id]);
    expect(ev[0]!.data).toMatchObject({ post_id: first.id, channel_id: ch, mention_count: 2 });
    events.stop();
  });

  it('counts every post of others as a mention in a direct channel', async () => {
    const p = await post(f.alice.client, f.direct.id, 'no mention here');
    await post(f.alice.client, f.direct.id, 'nor here');
    await f.bob.client.viewMyChannel(f.direct.id);
    const unread = await f.bob.client.markPostAsUnread(f.bob.user.id, p.id);
    expect(unread.mention_count).toBe(2);
  });

  it('refuses an outsider as if the post did not exist, and another user’s membership', async () => {
    const p = await post(f.alice.client, f.privateChannel.id, 'secret');
    const outsider = await expectError(() => f.mallory.client.markPostAsUnread(f.mallory.user.id, p.id));
    const unknown = await expectError(() =>
      f.mallory.client.markPostAsUnread(f.mallory.user.id, 'x'.repeat(26)),
    );
    expect(outsider.status_code).toBe(unknown.status_code);
    expect(outsider.server_error_id).toBe(unknown.server_error_id);
    const other = await expectError(() => f.mallory.client.markPostAsUnread(f.bob.user.id, p.id));
    expect(other.status_code).toBe(403);
    const member = await f.bob.client.getMyChannelMember(f.privateChannel.id);
    expect(member.last_viewed_at).not.toBe(p.create_at - 1);
  });
});
