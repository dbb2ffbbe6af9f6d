/**
 * What one post costs the database: the statements a `POST /posts` runs (session lookup, access
 * checks, the create transaction), counted at the driver on SQLite and PostgreSQL. Not a timing: a
 * count that only moves when the create path changes. The behaviour itself (counters, unread and
 * mention counts, threads, pending_post_id) is proven by test/api/{posts,unread,threads}.test.ts.
 */
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getTestServer, type Persona, type TestServer } from '../helpers/server.js';
import { testDialect } from '../helpers/db.js';

let server: TestServer;
let alice: Persona;
let bob: Persona;
let channel: Channel;

/** Counts the statements the database driver runs while fn runs. */
async function countStatements(fn: () => Promise<unknown>): Promise<number> {
  const spies: { mock: { calls: unknown[] } }[] = [];
  if (testDialect() === 'sqlite') {
    const probe = new SQLite(':memory:');
    const proto = Object.getPrototypeOf(probe.prepare('select 1')) as SQLite.Statement;
    probe.close();
    for (const m of ['run', 'all', 'get', 'iterate'] as const) spies.push(vi.spyOn(proto, m));
  } else {
    spies.push(vi.spyOn(pg.Client.prototype, 'query'));
  }
  try {
    await fn();
    return spies.reduce((n, s) => n + s.mock.calls.length, 0);
  } finally {
    vi.restoreAllMocks();
  }
}

beforeAll(async () => {
  server = await getTestServer();
  await server.persona('admin');
  alice = await server.persona('alice');
  bob = await server.persona('bob');
  const team = await alice.client.createTeam({ name: 'stmt-team', display_name: 'S', type: 'O' } as Team);
  await alice.client.addToTeam(team.id, bob.user.id);
  channel = await alice.client.createChannel({
    team_id: team.id,
    name: 'stmt',
    display_name: 'stmt',
    type: 'O',
  } as Channel);
  await alice.client.addToChannel(bob.user.id, channel.id);
});
afterAll(() => server.close());

const post = (message: string, pending: string, rootId = '') =>
  alice.client.createPost({
    channel_id: channel.id,
    message,
    root_id: rootId,
    pending_post_id: pending,
  } as Post);

describe('statements per post', () => {
  it('creates a root post in at most 11 statements, a reply with a mention in at most 19', async () => {
    await post('warm-up', 'p0');
    let root: Post | undefined;
    const forRoot = await countStatements(async () => {
      root = await post('hello', 'p1');
    });
    const forReply = await countStatements(() => post('@bob look', 'p2', root!.id));
    // Both counts include the session lookup (2) and the access checks (4). Before the statement
    // diet they were 15 and 25: a pending-id check, the counters' lock, bump and re-read, separate
    // read-mark and mention updates, a two-statement thread recount and a re-read of the post.
    expect(forRoot).toBeLessThanOrEqual(11);
    expect(forReply).toBeLessThanOrEqual(19);
    const m = await bob.client.getChannelMember(channel.id, bob.user.id);
    expect(m.mention_count).toBe(1);
  });
});

describe('pending_post_id, looked up only when creating fails', () => {
  it('answers a retry with the stored post, also when posting would now be refused', async () => {
    const first = await post('once', 'retry-1');
    const again = await post('once', 'retry-1');
    expect(again.id).toBe(first.id);
    await alice.client.deleteChannel(channel.id);
    const afterArchive = await post('once', 'retry-1');
    expect(afterArchive.id).toBe(first.id);
    const c = await alice.client.getChannel(channel.id);
    const posts = await alice.client.getPosts(channel.id, 0, 200);
    expect(posts.order.filter((id) => posts.posts[id]!.message === 'once')).toEqual([first.id]);
    expect(c.total_msg_count).toBe(posts.order.length);
  });
});
