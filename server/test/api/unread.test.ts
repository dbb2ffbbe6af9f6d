/**
 * Unread tracking: the channel's totals, each membership's msg_count / mention_count / last_viewed_at,
 * which words count as mentions, direct messages, and the posts around the last view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { getTestServer, expectError, type Persona, type TestServer } from '../helpers/server.js';

let server: TestServer;
let alice: Persona;
let bob: Persona;
let carol: Persona;
let mallory: Persona;
let team: Team;
let seq = 0;

async function channel(members: Persona[], type: 'O' | 'P' = 'O'): Promise<Channel> {
  const n = `unread-${++seq}`;
  const ch = await alice.client.createChannel({
    team_id: team.id,
    name: n,
    display_name: n,
    type,
  } as Channel);
  for (const m of members) await alice.client.addToChannel(m.user.id, ch.id);
  return ch;
}

const post = (p: Persona, channelId: string, message: string, rootId = '') =>
  p.client.createPost({ channel_id: channelId, message, root_id: rootId } as Post);

const member = (p: Persona, channelId: string) => p.client.getChannelMember(channelId, p.user.id);

async function unread(p: Persona, channelId: string) {
  const [ch, m] = await Promise.all([p.client.getChannel(channelId), member(p, channelId)]);
  return { msgs: ch.total_msg_count - m.msg_count, mentions: m.mention_count };
}

beforeAll(async () => {
  server = await getTestServer();
  await server.persona('admin');
  alice = await server.persona('alice');
  bob = await server.persona('bob');
  carol = await server.persona('carol');
  mallory = await server.persona('mallory');
  team = await alice.client.createTeam({ name: 'unread-team', display_name: 'Unread', type: 'O' } as Team);
  for (const p of [bob, carol, mallory]) await alice.client.addToTeam(team.id, p.user.id);
});
afterAll(() => server.close());

describe('counters', () => {
  it('counts posts and roots on the channel, and keeps the poster up to date', async () => {
    const ch = await channel([bob]);
    const root = await post(alice, ch.id, 'one');
    await post(alice, ch.id, 'two');
    const reply = await post(alice, ch.id, 'reply', root.id);
    const c = await bob.client.getChannel(ch.id);
    expect([c.total_msg_count, c.total_msg_count_root]).toEqual([3, 2]);
    expect(c.last_post_at).toBe(reply.create_at);
    expect(c.last_root_post_at).toBeLessThan(reply.create_at);

    const mine = await member(alice, ch.id);
    expect(mine.msg_count).toBe(3);
    expect(mine.last_viewed_at).toBe(reply.create_at);
    expect(mine.mention_count).toBe(0);
    expect(await unread(bob, ch.id)).toEqual({ msgs: 3, mentions: 0 });

    // Bob views the channel, then answers: his own post is not unread to him, and alice has one.
    await bob.client.viewMyChannel(ch.id);
    expect(await unread(bob, ch.id)).toEqual({ msgs: 0, mentions: 0 });
    await post(bob, ch.id, 'hi alice');
    expect(await unread(bob, ch.id)).toEqual({ msgs: 0, mentions: 0 });
    expect(await unread(alice, ch.id)).toEqual({ msgs: 1, mentions: 0 });

    // Deleting does not change the totals.
    await alice.client.deletePost(root.id);
    expect((await bob.client.getChannel(ch.id)).total_msg_count).toBe(4);
  });
});

describe('mentions', () => {
  it('counts @username, @channel, @all and @here for members other than the poster', async () => {
    const ch = await channel([bob, carol]);
    const cases: [string, number, number][] = [
      // message, bob's increase, carol's increase
      ['hello @bob', 1, 0],
      ['@BOB: case does not matter', 1, 0],
      ['trailing punctuation @bob.', 1, 0],
      ['(@bob) and @bob twice count once', 1, 0],
      ['mail foo@bob.com is not a mention', 0, 0],
      ['@bobby is someone else', 0, 0],
      ['code `@bob` is not a mention', 0, 0],
      ['```\n@bob\n```', 0, 0],
      ['@mallory is not in the channel', 0, 0],
      ['@channel', 1, 1],
      ['@all hands', 1, 1],
      ['@here please', 1, 1],
      ['@bob and @carol', 1, 1],
      ['nobody', 0, 0],
    ];
    for (const [message, dBob, dCarol] of cases) {
      const [b0, c0, a0] = await Promise.all([
        member(bob, ch.id),
        member(carol, ch.id),
        member(alice, ch.id),
      ]);
      await post(alice, ch.id, message);
      const [b1, c1, a1] = await Promise.all([
        member(bob, ch.id),
        member(carol, ch.id),
        member(alice, ch.id),
      ]);
      expect(b1.mention_count - b0.mention_count, message).toBe(dBob);
      expect(c1.mention_count - c0.mention_count, message).toBe(dCarol);
      expect(a1.mention_count, message).toBe(a0.mention_count);
    }
    expect(await unread(bob, ch.id)).toEqual({ msgs: cases.length, mentions: 8 });
    // Mallory is in the team but not the channel: she has no membership to count on.
    expect((await expectError(() => mallory.client.getMyChannelMember(ch.id))).status_code).toBe(404);

    // A poster mentioning themselves counts nothing; viewing clears the mentions.
    await post(bob, ch.id, '@bob notes to self');
    expect((await member(bob, ch.id)).mention_count).toBe(0);
    await post(alice, ch.id, '@bob again');
    expect((await member(bob, ch.id)).mention_count).toBe(1);
    await bob.client.viewMyChannel(ch.id);
    expect(await unread(bob, ch.id)).toEqual({ msgs: 0, mentions: 0 });
  });

  it('counts mentions in replies but not as root mentions', async () => {
    const ch = await channel([bob]);
    const root = await post(alice, ch.id, 'root @bob');
    await post(alice, ch.id, 'reply @bob', root.id);
    const m = await member(bob, ch.id);
    expect(m.mention_count).toBe(2);
    expect((m as unknown as { mention_count_root: number }).mention_count_root).toBe(1);
  });

  it('counts every direct message as a mention for the other member', async () => {
    const dm = await alice.client.createDirectChannel([alice.user.id, bob.user.id]);
    await post(alice, dm.id, 'hey');
    await post(alice, dm.id, 'are you there?');
    expect(await unread(bob, dm.id)).toEqual({ msgs: 2, mentions: 2 });
    expect(await unread(alice, dm.id)).toEqual({ msgs: 0, mentions: 0 });
    await post(bob, dm.id, 'yes');
    expect(await unread(bob, dm.id)).toEqual({ msgs: 0, mentions: 0 });
    expect(await unread(alice, dm.id)).toEqual({ msgs: 1, mentions: 1 });
  });
});

describe('posts around the last view', () => {
  it('answers read and unread posts around last_viewed_at with cursor ids', async () => {
    const ch = await channel([bob]);
    const read: Post[] = [];
    for (let i = 0; i < 4; i++) read.push(await post(alice, ch.id, `read ${i}`));
    // create_at strictly increases per channel and may run a few ms ahead of the clock.
    while (Date.now() <= read[3]!.create_at) await new Promise((r) => setTimeout(r, 2));
    await bob.client.viewMyChannel(ch.id);
    const lastViewed = (await member(bob, ch.id)).last_viewed_at;
    expect(lastViewed).toBeGreaterThanOrEqual(read[3]!.create_at);
    // Posts created after the view must be later than it (create_at can run ahead of the clock).
    while (Date.now() <= lastViewed) await new Promise((r) => setTimeout(r, 2));
    const fresh: Post[] = [];
    for (let i = 0; i < 5; i++) fresh.push(await post(alice, ch.id, `unread ${i}`));

    const around = await bob.client.getPostsUnread(ch.id, bob.user.id, 3, 2);
    expect(around.order).toEqual([fresh[2]!.id, fresh[1]!.id, fresh[0]!.id, read[3]!.id, read[2]!.id]);
    expect(around.next_post_id).toBe(fresh[3]!.id);
    expect(around.prev_post_id).toBe(read[1]!.id);

    const all = await bob.client.getPostsUnread(ch.id, bob.user.id, 30, 30);
    expect(all.order).toHaveLength(9);
    expect([all.next_post_id, all.prev_post_id]).toEqual(['', '']);

    // For alice (the poster) nothing is unread: she gets the latest posts.
    const forAlice = await alice.client.getPostsUnread(ch.id, alice.user.id, 2, 2);
    expect(forAlice.order).toEqual([fresh[4]!.id, fresh[3]!.id]);
    expect(forAlice.next_post_id).toBe('');
    expect(forAlice.prev_post_id).toBe(fresh[2]!.id);

    // Another user's view is not hers to read.
    expect((await expectError(() => alice.client.getPostsUnread(ch.id, bob.user.id))).status_code).toBe(403);
    const bad = await fetch(`${server.url}/api/v4/users/me/channels/${ch.id}/posts/unread?limit_after=0`, {
      headers: { Authorization: `Bearer ${bob.token}` },
    });
    expect(bad.status).toBe(400);
  });

  it('answers 404 to a non-member of a private channel, like an unknown channel', async () => {
    const ch = await channel([bob], 'P');
    await post(alice, ch.id, 'secret');
    const real = await expectError(() => mallory.client.getPostsUnread(ch.id, mallory.user.id));
    const unknown = await expectError(() => mallory.client.getPostsUnread('a'.repeat(26), mallory.user.id));
    expect(real.status_code).toBe(404);
    expect([real.server_error_id, real.message]).toEqual([unknown.server_error_id, unknown.message]);
  });
});
