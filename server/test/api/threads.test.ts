/**
 * Thread following through Client4: automatic following by the root's author and repliers, explicit
 * follow and unfollow, the followed-threads list with unread counts, read marks, the event, and who may
 * do what (alice and bob members of the channels, mallory a team member outside the private channel).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import type { UserThread, UserThreadList } from '@mattermost/types/threads';
import type { BusMessage } from '../../src/realtime/bus.js';
import type { ServerEvent } from '../../src/realtime/events.js';
import { getTestServer, expectError, type Persona, type TestServer } from '../helpers/server.js';

let server: TestServer;
let alice: Persona;
let bob: Persona;
let mallory: Persona;
let team: Team;
let pub: Channel;
let priv: Channel;
let seq = 0;

async function channel(type: 'O' | 'P'): Promise<Channel> {
  const n = `thread-${type.toLowerCase()}-${++seq}`;
  const ch = await alice.client.createChannel({
    team_id: team.id,
    name: n,
    display_name: n,
    type,
  } as Channel);
  await alice.client.addToChannel(bob.user.id, ch.id);
  return ch;
}

const post = (p: Persona, channelId: string, message: string, rootId = '') =>
  p.client.createPost({ channel_id: channelId, message, root_id: rootId } as Post);

const threads = (p: Persona, opts: Record<string, unknown> = {}) =>
  p.client.getUserThreads(p.user.id, team.id, opts) as Promise<UserThreadList>;
const thread = (p: Persona, id: string) =>
  p.client.getUserThread(p.user.id, team.id, id) as Promise<UserThread>;
const follow = (p: Persona, id: string, state: boolean) =>
  p.client.updateThreadFollowForUser(p.user.id, team.id, id, state);

beforeAll(async () => {
  server = await getTestServer();
  await server.persona('admin');
  alice = await server.persona('alice');
  bob = await server.persona('bob');
  mallory = await server.persona('mallory');
  team = await alice.client.createTeam({ name: 'thread-team', display_name: 'Threads', type: 'O' } as Team);
  await alice.client.addToTeam(team.id, bob.user.id);
  await alice.client.addToTeam(team.id, mallory.user.id);
  pub = await channel('O');
  priv = await channel('P');
});
afterAll(() => server.close());

describe('automatic following', () => {
  it('the root author and a replier follow once there is a reply; counts and participants', async () => {
    const root = await post(alice, pub.id, 'a question');
    // A root without replies is a thread nobody follows yet.
    expect(await thread(alice, root.id)).toMatchObject({ id: root.id, is_following: false, reply_count: 0 });

    const reply = await post(bob, pub.id, 'an answer', root.id);
    const forAlice = await thread(alice, root.id);
    expect(forAlice).toMatchObject({
      id: root.id,
      reply_count: 1,
      last_reply_at: reply.create_at,
      is_following: true,
      unread_replies: 1,
      unread_mentions: 0,
      participants: [{ id: alice.user.id }, { id: bob.user.id }],
    });
    expect((forAlice as unknown as { post: Post }).post).toMatchObject({
      id: root.id,
      message: 'a question',
    });
    // bob has read up to his own reply.
    expect(await thread(bob, root.id)).toMatchObject({ is_following: true, unread_replies: 0 });
    // mallory (in the public channel's team) was not involved and follows nothing: she can read the
    // thread, so it answers as not followed, with nothing unread (not a 404).
    expect(await thread(mallory, root.id)).toMatchObject({
      id: root.id,
      reply_count: 1,
      is_following: false,
      unread_replies: 0,
      unread_mentions: 0,
      last_viewed_at: 0,
    });

    const list = await threads(alice);
    expect(list.threads.map((t) => t.id)).toContain(root.id);
    expect(list.total).toBeGreaterThanOrEqual(1);
    expect(list.total_unread_threads).toBeGreaterThanOrEqual(1);
    expect((await threads(mallory)).threads.map((t) => t.id)).not.toContain(root.id);
  });

  it('a mention in a reply makes the mentioned follow with an unread mention; reading clears it', async () => {
    const root = await post(alice, pub.id, 'root');
    await post(alice, pub.id, `ping @${bob.user.username}`, root.id);
    const t = await thread(bob, root.id);
    expect(t).toMatchObject({ is_following: true, unread_mentions: 1, unread_replies: 1 });

    const read = await bob.client.updateThreadReadForUser(bob.user.id, team.id, root.id, Date.now() + 1);
    expect(read).toMatchObject({ id: root.id, unread_mentions: 0, unread_replies: 0 });
    expect(await thread(bob, root.id)).toMatchObject({ unread_mentions: 0, unread_replies: 0 });
  });
});

describe('follow and unfollow', () => {
  it('an explicit unfollow stays until the user replies; follow again; the event goes to the user only', async () => {
    const root = await post(alice, pub.id, 'followable');
    await post(bob, pub.id, 'reply 1', root.id);

    const events: ServerEvent[] = [];
    const stop = server.built.bus.subscribe((m: BusMessage) => {
      if (m.type === 'event') events.push(m.event);
    });
    await follow(alice, root.id, false);
    stop();
    const changed = events.filter((e) => e.event === 'thread_follow_changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]!.data).toEqual({ thread_id: root.id, state: false, reply_count: 1 });
    expect(changed[0]!.audience).toEqual({ kind: 'users', userIds: [alice.user.id] });

    expect(await thread(alice, root.id)).toMatchObject({ is_following: false });
    expect((await threads(alice)).threads.map((t) => t.id)).not.toContain(root.id);

    // Another reply by bob does not make alice follow again.
    await post(bob, pub.id, 'reply 2', root.id);
    expect(await thread(alice, root.id)).toMatchObject({ is_following: false });

    // Replying does.
    await post(alice, pub.id, 'reply 3', root.id);
    expect(await thread(alice, root.id)).toMatchObject({ is_following: true, reply_count: 3 });

    await follow(alice, root.id, false);
    await follow(alice, root.id, true);
    expect(await thread(alice, root.id)).toMatchObject({ is_following: true });
  });

  it('anyone who can read the channel may follow a thread without replies', async () => {
    const root = await post(alice, pub.id, 'quiet thread');
    await follow(mallory, root.id, true);
    const t = await thread(mallory, root.id);
    expect(t).toMatchObject({ id: root.id, is_following: true, reply_count: 0, unread_replies: 0 });
    expect((await threads(mallory)).threads.map((x) => x.id)).toContain(root.id);
  });

  it('a reply id is not a thread; unknown ids and bad input are refused without a 500', async () => {
    const root = await post(alice, pub.id, 'root');
    const reply = await post(bob, pub.id, 'reply', root.id);
    await expect(expectError(() => follow(alice, reply.id, true))).resolves.toMatchObject({
      status_code: 404,
    });
    await expect(expectError(() => follow(alice, 'x'.repeat(26), true))).resolves.toMatchObject({
      status_code: 404,
    });
    await expect(
      expectError(() => alice.client.updateThreadFollowForUser(alice.user.id, team.id, 'nope', true)),
    ).resolves.toMatchObject({ status_code: 400 });
    await expect(
      expectError(() => alice.client.updateThreadReadForUser(alice.user.id, team.id, root.id, -5)),
    ).resolves.toMatchObject({ status_code: 400 });
    // Another user's threads are not alice's to change or list.
    await expect(
      expectError(() => alice.client.updateThreadFollowForUser(bob.user.id, team.id, root.id, false)),
    ).resolves.toMatchObject({ status_code: 403 });
    await expect(
      expectError(() => mallory.client.getUserThreads(alice.user.id, team.id, {})),
    ).resolves.toMatchObject({ status_code: 403 });
  });
});

describe('private channels', () => {
  it('mallory cannot follow, read or list a private channel thread (404 like an unknown id)', async () => {
    const root = await post(alice, priv.id, 'secret');
    await post(bob, priv.id, 'secret reply', root.id);
    await expect(expectError(() => follow(mallory, root.id, true))).resolves.toMatchObject({
      status_code: 404,
    });
    await expect(expectError(() => thread(mallory, root.id))).resolves.toMatchObject({ status_code: 404 });
    await expect(
      expectError(() => mallory.client.updateThreadReadForUser(mallory.user.id, team.id, root.id, 1)),
    ).resolves.toMatchObject({ status_code: 404 });
    expect((await threads(mallory)).threads.map((t) => t.id)).not.toContain(root.id);
    // bob, a member, sees it.
    expect((await threads(bob)).threads.map((t) => t.id)).toContain(root.id);
  });

  it('a follower who leaves the private channel no longer sees the thread', async () => {
    const ch = await channel('P');
    const root = await post(alice, ch.id, 'soon gone');
    await post(bob, ch.id, 'reply', root.id);
    expect((await threads(bob)).threads.map((t) => t.id)).toContain(root.id);
    await bob.client.removeFromChannel(bob.user.id, ch.id);
    expect((await threads(bob)).threads.map((t) => t.id)).not.toContain(root.id);
    await expect(expectError(() => thread(bob, root.id))).resolves.toMatchObject({ status_code: 404 });
  });
});

describe('listing', () => {
  it('newest reply first, paging with before, the unread filter and totals', async () => {
    const other = await alice.client.createTeam({
      name: 'thread-list',
      display_name: 'L',
      type: 'O',
    } as Team);
    await alice.client.addToTeam(other.id, bob.user.id);
    const ch = await alice.client.createChannel({
      team_id: other.id,
      name: 'list-ch',
      display_name: 'list',
      type: 'O',
    } as Channel);
    await alice.client.addToChannel(bob.user.id, ch.id);
    const a = await post(alice, ch.id, 'A');
    const b = await post(alice, ch.id, 'B');
    const c = await post(alice, ch.id, 'C');
    await post(bob, ch.id, 'to B', b.id);
    await post(bob, ch.id, 'to A', a.id);
    await post(bob, ch.id, `to C @${alice.user.username}`, c.id);
    await alice.client.updateThreadReadForUser(alice.user.id, other.id, b.id, Date.now() + 1);

    const list = (await alice.client.getUserThreads(alice.user.id, other.id, {})) as UserThreadList;
    expect(list.threads.map((t) => t.id)).toEqual([c.id, a.id, b.id]);
    expect(list).toMatchObject({ total: 3, total_unread_threads: 2, total_unread_mentions: 1 });
    expect(list.threads.map((t) => t.unread_replies)).toEqual([1, 1, 0]);

    const page = (await alice.client.getUserThreads(alice.user.id, other.id, {
      before: c.id,
      perPage: 1,
    })) as UserThreadList;
    expect(page.threads.map((t) => t.id)).toEqual([a.id]);

    const unread = (await alice.client.getUserThreads(alice.user.id, other.id, {
      unread: true,
    })) as UserThreadList;
    expect(unread.threads.map((t) => t.id)).toEqual([c.id, a.id]);

    // Threads of the other team are not listed here.
    expect((await threads(alice)).threads.map((t) => t.id)).not.toContain(a.id);
    await expect(
      expectError(() => mallory.client.getUserThreads(mallory.user.id, other.id, {})),
    ).resolves.toMatchObject({ status_code: 404 });

    await alice.client.updateThreadsReadForUser(alice.user.id, other.id);
    const after = (await alice.client.getUserThreads(alice.user.id, other.id, {})) as UserThreadList;
    expect(after).toMatchObject({ total: 3, total_unread_threads: 0, total_unread_mentions: 0 });
  });
});
