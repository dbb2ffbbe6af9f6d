/**
 * Posts through Client4: create, read, threads, edits, deletes, pins, paging, saved posts,
 * pending_post_id idempotency (also across a restart), bad input, and Mallory — a member of the team
 * but not of the private channel — refused everything private exactly like an unknown id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { buildApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/connection.js';
import type { BusMessage } from '../../src/realtime/bus.js';
import type { ServerEvent } from '../../src/realtime/events.js';
import { getTestServer, expectError, type Persona, type TestServer } from '../helpers/server.js';

let server: TestServer;
let admin: Persona;
let alice: Persona;
let bob: Persona;
let mallory: Persona;
let team: Team;
let pub: Channel;
let priv: Channel;
let seq = 0;

const UNKNOWN_ID = 'a'.repeat(26);

async function channel(owner: Persona, type: 'O' | 'P', members: Persona[]): Promise<Channel> {
  const n = `ch-${type.toLowerCase()}-${++seq}`;
  const ch = await owner.client.createChannel({
    team_id: team.id,
    name: n,
    display_name: n,
    type,
  } as Channel);
  for (const m of members) await owner.client.addToChannel(m.user.id, ch.id);
  return ch;
}

function post(p: Persona, channelId: string, message: string, extra: Partial<Post> = {}): Promise<Post> {
  return p.client.createPost({ channel_id: channelId, message, ...extra } as Post);
}

/** A request outside Client4, for status codes and malformed bodies. */
async function raw(p: Persona, method: string, path: string, body?: unknown, rawBody?: string) {
  const res = await fetch(`${server.url}/api/v4${path}`, {
    method,
    headers: { Authorization: `Bearer ${p.token}`, 'Content-Type': 'application/json' },
    ...(rawBody !== undefined ? { body: rawBody } : body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function capture(): { events: ServerEvent[]; stop: () => void } {
  const events: ServerEvent[] = [];
  const stop = server.built.bus.subscribe((m: BusMessage) => {
    if (m.type === 'event') events.push(m.event);
  });
  return { events, stop };
}

beforeAll(async () => {
  server = await getTestServer();
  admin = await server.persona('admin');
  alice = await server.persona('alice');
  bob = await server.persona('bob');
  mallory = await server.persona('mallory');
  team = await alice.client.createTeam({ name: 'posts-team', display_name: 'Posts', type: 'O' } as Team);
  await alice.client.addToTeam(team.id, bob.user.id);
  await alice.client.addToTeam(team.id, mallory.user.id);
  pub = await channel(alice, 'O', [bob]);
  priv = await channel(alice, 'P', [bob]);
});
afterAll(() => server.close());

describe('creating posts', () => {
  it('answers 201 with every Post field, authored by the session user', async () => {
    const before = Date.now();
    const res = await raw(alice, 'POST', '/posts', { channel_id: pub.id, message: 'hello #world' });
    expect(res.status).toBe(201);
    const p = res.body as unknown as Post & { has_reactions: boolean };
    expect(Object.keys(p).sort()).toEqual(
      [
        'id',
        'create_at',
        'update_at',
        'edit_at',
        'delete_at',
        'is_pinned',
        'user_id',
        'channel_id',
        'root_id',
        'original_id',
        'message',
        'type',
        'props',
        'hashtags',
        'pending_post_id',
        'reply_count',
        'last_reply_at',
        'participants',
        'file_ids',
        'has_reactions',
        'metadata',
      ].sort(),
    );
    expect(p.id).toMatch(/^[a-z0-9]{26}$/);
    expect(p.user_id).toBe(alice.user.id);
    expect(p.channel_id).toBe(pub.id);
    expect(p.message).toBe('hello #world');
    expect(p.hashtags).toBe('#world');
    expect(p.create_at).toBeGreaterThanOrEqual(before);
    expect(p.update_at).toBe(p.create_at);
    expect([p.edit_at, p.delete_at, p.reply_count, p.last_reply_at]).toEqual([0, 0, 0, 0]);
    expect(p.is_pinned).toBe(false);
    expect([p.root_id, p.original_id, p.type, p.pending_post_id]).toEqual(['', '', '', '']);
    expect(p.props).toEqual({});
    expect(p.participants).toBeNull();
    expect(p.metadata).toEqual({ embeds: [], emojis: [], files: [], images: {}, reactions: [] });
    expect(await bob.client.getPost(p.id)).toEqual(p);
  });

  it('ignores the fields only the server sets, and server-owned props', async () => {
    const before = Date.now();
    const chosenId = 'b'.repeat(26);
    const p = await post(alice, pub.id, 'forged', {
      id: chosenId,
      user_id: bob.user.id,
      create_at: 1000,
      update_at: 1000,
      edit_at: 5,
      delete_at: 7,
      is_pinned: true,
      reply_count: 9,
      metadata: {
        embeds: [],
        emojis: [],
        files: [],
        images: {},
        reactions: [{ user_id: bob.user.id } as never],
      },
      props: {
        from_webhook: 'true',
        override_username: 'ceo',
        override_icon_url: 'http://evil/x.png',
        from_bot: 'true',
        mentionHighlightDisabled: true,
        add_channel_member: { user_ids: [bob.user.id] },
        attachments: [{ text: 'kept' }],
        disable_group_highlight: true,
        // A bot's own props come back as sent.
        jira_issue: { key: 'PAR-7', labels: ['ops', 1, null, true] },
      },
    });
    expect(p.id).not.toBe(chosenId);
    expect(p.user_id).toBe(alice.user.id);
    expect(p.create_at).toBeGreaterThanOrEqual(before);
    expect(p.update_at).toBe(p.create_at);
    expect([p.edit_at, p.delete_at, p.reply_count]).toEqual([0, 0, 0]);
    expect(p.is_pinned).toBe(false);
    expect(p.metadata.reactions).toEqual([]);
    expect(p.props).toEqual({
      attachments: [{ text: 'kept' }],
      disable_group_highlight: true,
      jira_issue: { key: 'PAR-7', labels: ['ops', 1, null, true] },
    });
    const stored = await bob.client.getPost(p.id);
    expect(stored.user_id).toBe(alice.user.id);
    expect(stored.props).toEqual(p.props);
    await expectError(() => bob.client.getPost(chosenId)).then((e) => expect(e.status_code).toBe(404));
  });

  it('accepts 16383 characters and refuses 16384, counting characters not bytes', async () => {
    const ch = await channel(alice, 'O', []);
    const max = '😀'.repeat(16383);
    const ok = await post(alice, ch.id, max);
    expect([...ok.message].length).toBe(16383);
    const err = await expectError(() => post(alice, ch.id, max + 'x'));
    expect(err.status_code).toBe(400);
    const list = await alice.client.getPosts(ch.id);
    expect(list.order).toEqual([ok.id]);
  });

  it('refuses bad input with 4xx in the error shape and changes nothing', async () => {
    const ch = await channel(alice, 'O', [bob]);
    const root = await post(alice, ch.id, 'root');
    const reply = await post(bob, ch.id, 'reply', { root_id: root.id });
    const elsewhere = await post(alice, pub.id, 'elsewhere');
    const gone = await post(alice, ch.id, 'gone');
    await alice.client.deletePost(gone.id);
    const before = await alice.client.getChannel(ch.id);
    const base = { channel_id: ch.id, message: 'x' };
    const cases: [string, unknown, number][] = [
      ['channel_id number', { ...base, channel_id: 123 }, 400],
      ['channel_id object', { ...base, channel_id: { $ne: null } }, 400],
      ['channel_id missing', { message: 'x' }, 400],
      ['channel_id unknown', { ...base, channel_id: UNKNOWN_ID }, 404],
      ['message missing', { channel_id: ch.id }, 400],
      ['message empty', { ...base, message: '' }, 400],
      ['message object', { ...base, message: { $ne: null } }, 400],
      ['message array', { ...base, message: ['x'] }, 400],
      ['message null', { ...base, message: null }, 400],
      ['root_id malformed', { ...base, root_id: "' OR 1=1 --" }, 400],
      ['root_id unknown', { ...base, root_id: UNKNOWN_ID }, 400],
      ['root_id is a reply', { ...base, root_id: reply.id }, 400],
      ['root_id in another channel', { ...base, root_id: elsewhere.id }, 400],
      ['root_id deleted', { ...base, root_id: gone.id }, 400],
      ['system type', { ...base, type: 'system_join_channel' }, 400],
      ['type object', { ...base, type: {} }, 400],
      ['props string', { ...base, props: 'x' }, 400],
      ['props array', { ...base, props: [] }, 400],
      ['attachments not array', { ...base, props: { attachments: 'x' } }, 400],
      [
        'props nested too deeply',
        { ...base, props: { deep: JSON.parse('['.repeat(40) + ']'.repeat(40)) } },
        400,
      ],
      [
        'props with too many keys',
        { ...base, props: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])) },
        400,
      ],
      ['props too large', { ...base, props: { big: 'x'.repeat(70_000) } }, 400],
      ['pending_post_id object', { ...base, pending_post_id: { a: 1 } }, 400],
      ['pending_post_id too long', { ...base, pending_post_id: 'p'.repeat(65) }, 400],
      ['body array', [base], 400],
      ['body string', 'hello', 400],
    ];
    for (const [name, body, status] of cases) {
      const res = await raw(alice, 'POST', '/posts', body);
      expect(res.status, name).toBe(status);
      expect(res.body.status_code, name).toBe(status);
      expect(typeof res.body.id, name).toBe('string');
      expect(res.body.detailed_error, name).toBe('');
    }
    const malformed = await raw(alice, 'POST', '/posts', undefined, '{"channel_id": ');
    expect(malformed.status).toBe(400);

    const edits: [string, string, string, unknown][] = [
      ['patch message number', 'PUT', `/posts/${root.id}/patch`, { message: 5 }],
      ['patch message empty', 'PUT', `/posts/${root.id}/patch`, { message: '' }],
      ['patch too long', 'PUT', `/posts/${root.id}/patch`, { message: 'x'.repeat(16384) }],
      ['patch props array', 'PUT', `/posts/${root.id}/patch`, { props: [1] }],
      ['update id mismatch', 'PUT', `/posts/${root.id}`, { id: reply.id, message: 'y' }],
      ['update no message', 'PUT', `/posts/${root.id}`, { id: root.id }],
      ['update body array', 'PUT', `/posts/${root.id}`, [{ id: root.id, message: 'y' }]],
    ];
    for (const [name, method, path, body] of edits) {
      const res = await raw(alice, method, path, body);
      expect(res.status, name).toBe(400);
    }
    for (const path of ['/posts/nonsense', '/posts/..%2f..%2fetc', `/channels/${ch.id}/posts?page=-1`]) {
      expect((await raw(alice, 'GET', path)).status, path).toBe(400);
    }
    for (const q of ['per_page=abc', 'since=yesterday', `before=x`, `before=${root.id}&after=${root.id}`]) {
      expect((await raw(alice, 'GET', `/channels/${ch.id}/posts?${q}`)).status, q).toBe(400);
    }

    const after = await alice.client.getChannel(ch.id);
    expect(after.total_msg_count).toBe(before.total_msg_count);
    const list = await alice.client.getPosts(ch.id);
    expect(list.order).toEqual([reply.id, root.id]);
    const stored = await alice.client.getPost(root.id);
    expect(stored.message).toBe('root');
    expect(stored.edit_at).toBe(0);
    expect(stored.reply_count).toBe(1);
  });

  it('refuses posting to a channel the poster does not belong to', async () => {
    const err = await expectError(() => post(mallory, pub.id, 'not a member'));
    expect(err.status_code).toBe(403);
  });

  it('publishes posted to the channel after commit, with the post as a JSON string', async () => {
    const cap = capture();
    const p = await post(alice, priv.id, 'hey @bob');
    cap.stop();
    const ev = cap.events.find((e) => e.event === 'posted');
    expect(ev).toBeDefined();
    expect(ev!.audience).toEqual({ kind: 'channel', channelId: priv.id });
    expect(ev!.broadcast.channel_id).toBe(priv.id);
    expect(typeof ev!.data.post).toBe('string');
    expect(JSON.parse(ev!.data.post as string)).toEqual(p);
    expect(ev!.data).toMatchObject({
      channel_type: 'P',
      channel_display_name: priv.display_name,
      channel_name: priv.name,
      sender_name: '@alice',
      team_id: team.id,
      set_online: true,
      mentions: JSON.stringify([bob.user.id]),
    });
  });
});

describe('threads', () => {
  it('keeps reply_count and last_reply_at, and answers the whole thread', async () => {
    const ch = await channel(alice, 'O', [bob]);
    const root = await post(alice, ch.id, 'root');
    const r1 = await post(bob, ch.id, 'first', { root_id: root.id });
    const r2 = await post(alice, ch.id, 'second', { root_id: root.id });
    const other = await post(bob, ch.id, 'unrelated');
    const stored = await bob.client.getPost(root.id);
    expect(stored.reply_count).toBe(2);
    expect(stored.last_reply_at).toBe(r2.create_at);
    expect((await bob.client.getPost(r1.id)).reply_count).toBe(2);

    const thread = await bob.client.getPostThread(root.id);
    expect(thread.order).toEqual([r2.id, r1.id, root.id]);
    expect(Object.keys(thread.posts).sort()).toEqual([root.id, r1.id, r2.id].sort());
    expect(thread.posts[other.id]).toBeUndefined();
    // Asking by a reply answers the same thread.
    expect((await bob.client.getPostThread(r1.id)).order).toEqual(thread.order);

    const list = await bob.client.getPosts(ch.id);
    expect(list.order).toEqual([other.id, r2.id, r1.id, root.id]);

    await bob.client.deletePost(r1.id);
    const after = await bob.client.getPost(root.id);
    expect(after.reply_count).toBe(1);
    expect((await bob.client.getPostThread(root.id)).order).toEqual([r2.id, root.id]);
  });

  it('pages a long thread with perPage and fromPost, always with the root', async () => {
    const ch = await channel(alice, 'O', []);
    const root = await post(alice, ch.id, 'root');
    const replies: Post[] = [];
    for (let i = 0; i < 5; i++) replies.push(await post(alice, ch.id, `r${i}`, { root_id: root.id }));
    const first = await alice.client.getPaginatedPostThread(root.id, { perPage: 2, direction: 'down' });
    expect(first.order).toEqual([replies[1]!.id, replies[0]!.id, root.id]);
    expect(first.has_next).toBe(true);
    const second = await alice.client.getPaginatedPostThread(root.id, {
      perPage: 2,
      direction: 'down',
      fromPost: replies[1]!.id,
      fromCreateAt: replies[1]!.create_at,
    } as never);
    expect(second.order).toEqual([replies[3]!.id, replies[2]!.id, root.id]);
    const last = await alice.client.getPaginatedPostThread(root.id, {
      perPage: 2,
      direction: 'down',
      fromPost: replies[3]!.id,
      fromCreateAt: replies[3]!.create_at,
    } as never);
    expect(last.order).toEqual([replies[4]!.id, root.id]);
    expect(last.has_next).toBe(false);
  });
});

describe('editing and deleting', () => {
  it('lets the author patch and update, sets edit_at, and refuses other members', async () => {
    const p = await post(alice, pub.id, 'original');
    const cap = capture();
    const patched = await alice.client.patchPost({ id: p.id, message: 'patched', is_pinned: true } as Post);
    cap.stop();
    expect(patched.message).toBe('patched');
    expect(patched.edit_at).toBeGreaterThan(0);
    expect(patched.update_at).toBe(patched.edit_at);
    expect(patched.is_pinned).toBe(false);
    expect(patched.create_at).toBe(p.create_at);
    const ev = cap.events.find((e) => e.event === 'post_edited');
    expect(ev?.audience).toEqual({ kind: 'channel', channelId: pub.id });
    expect(JSON.parse(ev!.data.post as string)).toEqual(patched);

    const updated = await alice.client.updatePost({ ...patched, message: 'updated', user_id: bob.user.id });
    expect(updated.message).toBe('updated');
    expect(updated.user_id).toBe(alice.user.id);

    const err = await expectError(() => bob.client.patchPost({ id: p.id, message: 'hijack' } as Post));
    expect(err.status_code).toBe(403);
    const err2 = await expectError(() => bob.client.updatePost({ ...updated, message: 'hijack' }));
    expect(err2.status_code).toBe(403);
    expect((await bob.client.getPost(p.id)).message).toBe('updated');

    // A system admin may edit anyone's post.
    const byAdmin = await admin.client.patchPost({ id: p.id, message: 'moderated' } as Post);
    expect(byAdmin.message).toBe('moderated');
    expect(byAdmin.user_id).toBe(alice.user.id);
  });

  it('soft-deletes: the root takes its replies, since still reports them, others may not delete', async () => {
    const ch = await channel(alice, 'O', [bob]);
    const root = await post(alice, ch.id, 'root');
    const reply = await post(bob, ch.id, 'reply', { root_id: root.id });
    const keep = await post(bob, ch.id, 'keep');

    const err = await expectError(() => bob.client.deletePost(root.id));
    expect(err.status_code).toBe(403);

    const cap = capture();
    expect(await alice.client.deletePost(root.id)).toEqual({ status: 'OK' });
    cap.stop();
    const ev = cap.events.find((e) => e.event === 'post_deleted');
    expect(ev?.data.delete_by).toBe(alice.user.id);
    expect(JSON.parse(ev!.data.post as string)).toMatchObject({ id: root.id, message: '' });

    for (const id of [root.id, reply.id]) {
      expect((await expectError(() => bob.client.getPost(id))).status_code).toBe(404);
    }
    expect((await bob.client.getPosts(ch.id)).order).toEqual([keep.id]);
    const since = await bob.client.getPostsSince(ch.id, root.create_at);
    const deleted = since.posts[root.id]!;
    expect(deleted.delete_at).toBeGreaterThan(0);
    expect(deleted.message).toBe('');
    expect(since.posts[reply.id]!.delete_at).toBeGreaterThan(0);
    expect(since.posts[keep.id]!.delete_at).toBe(0);

    // Only a system admin may read a deleted post, when asking for it.
    expect((await expectError(() => bob.client.getPost(root.id, true))).status_code).toBe(403);
    expect((await admin.client.getPost(root.id, true)).delete_at).toBeGreaterThan(0);

    // Deleting twice: the post is gone.
    expect((await expectError(() => alice.client.deletePost(root.id))).status_code).toBe(404);
  });
});

describe('paging', () => {
  let ch: Channel;
  const p: Post[] = [];
  beforeAll(async () => {
    ch = await channel(alice, 'O', [bob]);
    for (let i = 0; i < 7; i++) p.push(await post(i % 2 ? bob : alice, ch.id, `m${i}`));
  });
  const ids = (...i: number[]) => i.map((n) => p[n]!.id);

  it('pages newest first with page/per_page and cursor ids', async () => {
    const c = bob.client;
    const page0 = await c.getPosts(ch.id, 0, 3);
    expect(page0.order).toEqual(ids(6, 5, 4));
    expect([page0.next_post_id, page0.prev_post_id]).toEqual(['', p[3]!.id]);
    expect((page0 as { has_next?: boolean }).has_next).toBe(true);
    const page1 = await c.getPosts(ch.id, 1, 3);
    expect(page1.order).toEqual(ids(3, 2, 1));
    expect([page1.next_post_id, page1.prev_post_id]).toEqual([p[4]!.id, p[0]!.id]);
    const page2 = await c.getPosts(ch.id, 2, 3);
    expect(page2.order).toEqual(ids(0));
    expect([page2.next_post_id, page2.prev_post_id]).toEqual([p[1]!.id, '']);
    expect((await c.getPosts(ch.id, 5, 3)).order).toEqual([]);
    expect(Object.keys(page0.posts).sort()).toEqual(ids(6, 5, 4).sort());
  });

  it('pages before and after a post', async () => {
    const c = bob.client;
    const before = await c.getPostsBefore(ch.id, p[4]!.id, 0, 2);
    expect(before.order).toEqual(ids(3, 2));
    expect([before.next_post_id, before.prev_post_id]).toEqual([p[4]!.id, p[1]!.id]);
    const before1 = await c.getPostsBefore(ch.id, p[4]!.id, 1, 2);
    expect(before1.order).toEqual(ids(1, 0));
    expect([before1.next_post_id, before1.prev_post_id]).toEqual([p[2]!.id, '']);
    const after = await c.getPostsAfter(ch.id, p[2]!.id, 0, 2);
    expect(after.order).toEqual(ids(4, 3));
    expect([after.next_post_id, after.prev_post_id]).toEqual([p[5]!.id, p[2]!.id]);
    const after1 = await c.getPostsAfter(ch.id, p[2]!.id, 1, 2);
    expect(after1.order).toEqual(ids(6, 5));
    expect([after1.next_post_id, after1.prev_post_id]).toEqual(['', p[4]!.id]);
    const elsewhere = await post(alice, pub.id, 'not in this channel');
    expect((await expectError(() => c.getPostsBefore(ch.id, elsewhere.id))).status_code).toBe(400);
  });

  it('answers posts created or edited since a time, deleted ones included', async () => {
    const since = await bob.client.getPostsSince(ch.id, p[4]!.create_at);
    expect(since.order).toEqual(ids(6, 5, 4));
    expect([since.next_post_id, since.prev_post_id]).toEqual(['', '']);
    // Posts may carry create_at values a few ms ahead of the clock (they strictly increase per channel).
    while (Date.now() <= p[6]!.update_at) await new Promise((r) => setTimeout(r, 2));
    const t = Date.now();
    await alice.client.patchPost({ id: p[0]!.id, message: 'm0 edited' } as Post);
    const changed = await bob.client.getPostsSince(ch.id, t);
    expect(changed.order).toEqual(ids(0));
    expect(changed.posts[p[0]!.id]!.message).toBe('m0 edited');
  });

  it('answers posts by ids, leaving out what the caller may not read', async () => {
    const secret = await post(alice, priv.id, 'secret');
    const open = await post(alice, pub.id, 'open');
    const forAlice = await alice.client.getPostsByIds([secret.id, open.id, UNKNOWN_ID]);
    expect(forAlice.map((x) => x.id).sort()).toEqual([secret.id, open.id].sort());
    const forMallory = await mallory.client.getPostsByIds([secret.id, open.id]);
    expect(forMallory.map((x) => x.id)).toEqual([open.id]);
    const bad = await raw(alice, 'POST', '/posts/ids', ['nonsense']);
    expect(bad.status).toBe(400);
  });
});

describe('pins', () => {
  it('pins and unpins, lists a channel’s pinned posts, and refuses non-members', async () => {
    const ch = await channel(alice, 'O', [bob]);
    const a = await post(alice, ch.id, 'a');
    const b = await post(bob, ch.id, 'b');
    const cap = capture();
    expect(await bob.client.pinPost(a.id)).toEqual({ status: 'OK' });
    cap.stop();
    expect(cap.events.map((e) => e.event)).toEqual(['post_edited']);
    const pinned = await bob.client.getPost(a.id);
    expect(pinned.is_pinned).toBe(true);
    expect(pinned.edit_at).toBe(0);
    const list = await alice.client.getPinnedPosts(ch.id);
    expect(list.order).toEqual([a.id]);
    expect(list.posts[a.id]!.is_pinned).toBe(true);

    // Mallory can read the public channel but is not a member: she may not pin.
    expect((await expectError(() => mallory.client.pinPost(b.id))).status_code).toBe(403);
    expect((await mallory.client.getPinnedPosts(ch.id)).order).toEqual([a.id]);

    await alice.client.unpinPost(a.id);
    expect((await alice.client.getPinnedPosts(ch.id)).order).toEqual([]);
    expect((await alice.client.getPost(a.id)).is_pinned).toBe(false);
  });
});

describe('saved (flagged) posts', () => {
  it('lists the posts a user saved that they can still read', async () => {
    const ch = await channel(alice, 'P', [bob]);
    const secret = await post(alice, ch.id, 'secret to save');
    const open = await post(alice, pub.id, 'open to save');
    const gone = await post(alice, pub.id, 'will be deleted');
    const flags = [secret, open, gone].map((x) => ({
      user_id: bob.user.id,
      category: 'flagged_post',
      name: x.id,
      value: 'true',
    }));
    await bob.client.savePreferences(bob.user.id, flags);
    await alice.client.deletePost(gone.id);
    const saved = await bob.client.getFlaggedPosts(bob.user.id);
    expect(saved.order).toEqual([open.id, secret.id]);
    const inChannel = await bob.client.getFlaggedPosts(bob.user.id, ch.id);
    expect(inChannel.order).toEqual([secret.id]);

    await alice.client.removeFromChannel(bob.user.id, ch.id);
    expect((await bob.client.getFlaggedPosts(bob.user.id)).order).toEqual([open.id]);

    expect((await expectError(() => mallory.client.getFlaggedPosts(bob.user.id))).status_code).toBe(403);
  });
});

describe('pending_post_id', () => {
  it('makes a create idempotent, also under concurrent retries', async () => {
    const ch = await channel(alice, 'O', [bob]);
    const pending = `${alice.user.id}:${Date.now()}`;
    const first = await post(alice, ch.id, 'once', { pending_post_id: pending });
    expect(first.pending_post_id).toBe(pending);
    const retry = await post(alice, ch.id, 'once', { pending_post_id: pending });
    expect(retry.id).toBe(first.id);

    const racing = `${alice.user.id}:race`;
    const results = await Promise.all(
      Array.from({ length: 6 }, () => post(alice, ch.id, 'race', { pending_post_id: racing })),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);

    // Another user's pending id of the same value is another post.
    const bobs = await post(bob, ch.id, 'once', { pending_post_id: pending });
    expect(bobs.id).not.toBe(first.id);

    const list = await alice.client.getPosts(ch.id);
    expect(list.order).toEqual([bobs.id, results[0]!.id, first.id]);
    expect((await alice.client.getChannel(ch.id)).total_msg_count).toBe(3);
  });

  it('returns the same post after a restart', async () => {
    const s = await getTestServer();
    let handle2: ReturnType<typeof openDatabase> | undefined;
    let app2: Awaited<ReturnType<typeof buildApp>> | undefined;
    try {
      const carol = await s.persona('carol');
      const t = await carol.client.createTeam({ name: 'restart', display_name: 'R', type: 'O' } as Team);
      const ch = await carol.client.createChannel({
        team_id: t.id,
        name: 'restart',
        display_name: 'R',
        type: 'O',
      } as Channel);
      const first = await carol.client.createPost({
        channel_id: ch.id,
        message: 'm',
        pending_post_id: 'p1',
      } as Post);
      await s.built.app.close();
      await s.built.shutdown();

      handle2 = openDatabase({
        dataDir: s.db.dataDir,
        databaseUrl: s.db.databaseUrl,
        ...(s.db.pgSchema ? { pgSchema: s.db.pgSchema } : {}),
      });
      app2 = await buildApp({ config: s.config, database: handle2 });
      await app2.app.listen({ port: 0, host: '127.0.0.1' });
      const addr = app2.app.server.address();
      if (!addr || typeof addr === 'string') throw new Error('no address');
      const c = new Client4();
      c.setUrl(`http://127.0.0.1:${addr.port}`);
      c.setToken(carol.token);
      const retry = await c.createPost({ channel_id: ch.id, message: 'm', pending_post_id: 'p1' } as Post);
      expect(retry.id).toBe(first.id);
      expect((await c.getPosts(ch.id)).order).toEqual([first.id]);
    } finally {
      if (app2) {
        await app2.app.close();
        await app2.shutdown();
      }
      await s.db.destroy();
    }
  });
});

describe('Mallory, outside the private channel', () => {
  it('gets exactly the unknown-id answer from every route that names the channel or its posts', async () => {
    const root = await post(alice, priv.id, 'private root');
    const reply = await post(bob, priv.id, 'private reply', { root_id: root.id });
    await alice.client.pinPost(root.id);
    await bob.client.addReaction(bob.user.id, root.id, 'smile');
    const totalBefore = (await alice.client.getChannel(priv.id)).total_msg_count;

    const m = mallory.client;
    const probes: [string, (id: string, channelId: string) => Promise<unknown>][] = [
      ['getPost', (id) => m.getPost(id)],
      ['getPostThread', (id) => m.getPostThread(id)],
      ['patchPost', (id) => m.patchPost({ id, message: 'x' } as Post)],
      ['updatePost', (id) => m.updatePost({ id, message: 'x' } as Post)],
      ['deletePost', (id) => m.deletePost(id)],
      ['pinPost', (id) => m.pinPost(id)],
      ['unpinPost', (id) => m.unpinPost(id)],
      ['getReactionsForPost', (id) => m.getReactionsForPost(id)],
      ['addReaction', (id) => m.addReaction(mallory.user.id, id, 'smile')],
      ['removeReaction', (id) => m.removeReaction(mallory.user.id, id, 'smile')],
      [
        'reply',
        (id, channelId) => m.createPost({ channel_id: channelId, root_id: id, message: 'x' } as Post),
      ],
      ['createPost', (_id, channelId) => m.createPost({ channel_id: channelId, message: 'x' } as Post)],
      ['getPosts', (_id, channelId) => m.getPosts(channelId)],
      ['getPostsSince', (_id, channelId) => m.getPostsSince(channelId, 1)],
      ['getPostsBefore', (id, channelId) => m.getPostsBefore(channelId, id)],
      ['getPostsAfter', (id, channelId) => m.getPostsAfter(channelId, id)],
      ['getPinnedPosts', (_id, channelId) => m.getPinnedPosts(channelId)],
      ['getPostsUnread', (_id, channelId) => m.getPostsUnread(channelId, mallory.user.id)],
      ['getFlaggedPosts in channel', (_id, channelId) => m.getFlaggedPosts(mallory.user.id, channelId)],
    ];
    for (const [name, call] of probes) {
      for (const id of [root.id, reply.id]) {
        const real = await expectError(() => call(id, priv.id));
        const unknown = await expectError(() => call(UNKNOWN_ID, UNKNOWN_ID));
        expect(real.status_code, name).toBe(404);
        expect([real.status_code, real.server_error_id, real.message], name).toEqual([
          unknown.status_code,
          unknown.server_error_id,
          unknown.message,
        ]);
      }
    }
    expect(await m.getPostsByIds([root.id, reply.id])).toEqual([]);

    // Nothing changed.
    const stored = await alice.client.getPost(root.id);
    expect(stored.message).toBe('private root');
    expect(stored.is_pinned).toBe(true);
    expect(stored.metadata.reactions!.map((r) => r.emoji_name)).toEqual(['smile']);
    expect((await alice.client.getChannel(priv.id)).total_msg_count).toBe(totalBefore);
    expect((await alice.client.getPostThread(root.id)).order).toEqual([reply.id, root.id]);
  });

  it('receives none of the events of the private channel', async () => {
    const cap = capture();
    const p = await post(alice, priv.id, 'quiet');
    await bob.client.addReaction(bob.user.id, p.id, 'ok');
    await alice.client.patchPost({ id: p.id, message: 'quiet, edited' } as Post);
    await alice.client.deletePost(p.id);
    cap.stop();
    expect(cap.events.map((e) => e.event)).toEqual([
      'posted',
      'reaction_added',
      'post_edited',
      'post_deleted',
    ]);
    for (const e of cap.events) expect(e.audience).toEqual({ kind: 'channel', channelId: priv.id });
  });
});

describe('archived channels', () => {
  it('refuses new posts, edits and reactions but still shows history', async () => {
    const ch = await channel(alice, 'O', [bob]);
    const p = await post(alice, ch.id, 'before archiving');
    await alice.client.deleteChannel(ch.id);
    expect((await expectError(() => post(alice, ch.id, 'after'))).status_code).toBe(403);
    expect(
      (await expectError(() => alice.client.patchPost({ id: p.id, message: 'x' } as Post))).status_code,
    ).toBe(403);
    expect((await expectError(() => bob.client.addReaction(bob.user.id, p.id, 'smile'))).status_code).toBe(
      403,
    );
    expect((await bob.client.getPosts(ch.id)).order).toEqual([p.id]);
  });
});
