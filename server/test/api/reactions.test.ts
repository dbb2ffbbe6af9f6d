/**
 * Reactions through Client4: add, remove, list, the metadata on posts, the 50-emoji cap, validation,
 * and who may do what (alice and bob members, mallory a team member outside the channels).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
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

async function channel(type: 'O' | 'P'): Promise<Channel> {
  const n = `react-${type.toLowerCase()}-${++seq}`;
  const ch = await alice.client.createChannel({
    team_id: team.id,
    name: n,
    display_name: n,
    type,
  } as Channel);
  await alice.client.addToChannel(bob.user.id, ch.id);
  return ch;
}

const post = (p: Persona, channelId: string, message = 'react to me') =>
  p.client.createPost({ channel_id: channelId, message } as Post);

async function raw(p: Persona, method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}/api/v4${path}`, {
    method,
    headers: { Authorization: `Bearer ${p.token}`, 'Content-Type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

beforeAll(async () => {
  server = await getTestServer();
  admin = await server.persona('admin');
  alice = await server.persona('alice');
  bob = await server.persona('bob');
  mallory = await server.persona('mallory');
  team = await alice.client.createTeam({ name: 'react-team', display_name: 'React', type: 'O' } as Team);
  await alice.client.addToTeam(team.id, bob.user.id);
  await alice.client.addToTeam(team.id, mallory.user.id);
  pub = await channel('O');
  priv = await channel('P');
});
afterAll(() => server.close());

describe('reactions', () => {
  it('adds, lists and shows reactions in the post metadata, once per user and emoji', async () => {
    const p = await post(alice, pub.id);
    const events: ServerEvent[] = [];
    const stop = server.built.bus.subscribe((m: BusMessage) => {
      if (m.type === 'event') events.push(m.event);
    });
    const r = await bob.client.addReaction(bob.user.id, p.id, 'thumbsup');
    stop();
    expect(Object.keys(r).sort()).toEqual(['create_at', 'emoji_name', 'post_id', 'user_id']);
    expect(r).toMatchObject({ user_id: bob.user.id, post_id: p.id, emoji_name: 'thumbsup' });
    expect(events.map((e) => e.event)).toEqual(['reaction_added']);
    expect(events[0]!.audience).toEqual({ kind: 'channel', channelId: pub.id });
    expect(JSON.parse(events[0]!.data.reaction as string)).toEqual(r);

    const again = await bob.client.addReaction(bob.user.id, p.id, 'thumbsup');
    expect(again).toEqual(r);
    await alice.client.addReaction(alice.user.id, p.id, 'thumbsup');
    await alice.client.addReaction(alice.user.id, p.id, 'white_check_mark');

    const list = await alice.client.getReactionsForPost(p.id);
    expect(list.map((x) => [x.user_id, x.emoji_name])).toEqual([
      [bob.user.id, 'thumbsup'],
      [alice.user.id, 'thumbsup'],
      [alice.user.id, 'white_check_mark'],
    ]);
    const withMeta = (await bob.client.getPost(p.id)) as Post & { has_reactions: boolean };
    expect(withMeta.has_reactions).toBe(true);
    expect(withMeta.metadata.reactions).toEqual(list);
    expect(withMeta.edit_at).toBe(0);
    // Lists carry them too, and `since` reports the post again after a reaction.
    const inList = await bob.client.getPosts(pub.id);
    expect(inList.posts[p.id]!.metadata.reactions).toHaveLength(3);
    const since = await bob.client.getPostsSince(pub.id, r.create_at);
    expect(since.order).toContain(p.id);
  });

  it('removes one’s own reaction; others’ only as an admin', async () => {
    const p = await post(alice, pub.id);
    await alice.client.addReaction(alice.user.id, p.id, 'smile');
    await bob.client.addReaction(bob.user.id, p.id, 'smile');

    const err = await expectError(() => bob.client.removeReaction(alice.user.id, p.id, 'smile'));
    expect(err.status_code).toBe(403);

    const events: ServerEvent[] = [];
    const stop = server.built.bus.subscribe((m: BusMessage) => {
      if (m.type === 'event') events.push(m.event);
    });
    expect(await bob.client.removeReaction(bob.user.id, p.id, 'smile')).toEqual({ status: 'OK' });
    stop();
    expect(events.map((e) => e.event)).toEqual(['reaction_removed']);
    expect(JSON.parse(events[0]!.data.reaction as string)).toMatchObject({
      user_id: bob.user.id,
      post_id: p.id,
      emoji_name: 'smile',
    });
    expect((await alice.client.getReactionsForPost(p.id)).map((x) => x.user_id)).toEqual([alice.user.id]);

    await admin.client.removeReaction(alice.user.id, p.id, 'smile');
    expect(await alice.client.getReactionsForPost(p.id)).toEqual([]);
    const after = (await alice.client.getPost(p.id)) as Post & { has_reactions: boolean };
    expect(after.has_reactions).toBe(false);
    expect(after.metadata.reactions).toEqual([]);
  });

  it('caps a post at 50 distinct emoji', async () => {
    const p = await post(alice, pub.id);
    for (let i = 0; i < 50; i++) await alice.client.addReaction(alice.user.id, p.id, `emoji_${i}`);
    const err = await expectError(() => alice.client.addReaction(alice.user.id, p.id, 'emoji_50'));
    expect(err.status_code).toBe(400);
    expect(err.server_error_id).toBe('api.reaction.save.too_many_reactions.app_error');
    const errBob = await expectError(() => bob.client.addReaction(bob.user.id, p.id, 'another'));
    expect(errBob.status_code).toBe(400);
    // An emoji already on the post may still be added by someone else.
    await bob.client.addReaction(bob.user.id, p.id, 'emoji_7');
    const list = await alice.client.getReactionsForPost(p.id);
    expect(list).toHaveLength(51);
    expect(new Set(list.map((r) => r.emoji_name)).size).toBe(50);
  });

  it('refuses bad input and changes nothing', async () => {
    const p = await post(alice, pub.id);
    const good = { user_id: alice.user.id, post_id: p.id, emoji_name: 'smile' };
    const cases: [string, unknown, number][] = [
      ['emoji empty', { ...good, emoji_name: '' }, 400],
      ['emoji space', { ...good, emoji_name: 'a b' }, 400],
      ['emoji markup', { ...good, emoji_name: '<img src=x onerror=alert(1)>' }, 400],
      ['emoji too long', { ...good, emoji_name: 'e'.repeat(65) }, 400],
      ['emoji object', { ...good, emoji_name: { $ne: null } }, 400],
      ['emoji number', { ...good, emoji_name: 7 }, 400],
      ['post_id malformed', { ...good, post_id: 'x' }, 400],
      ['post_id missing', { user_id: alice.user.id, emoji_name: 'smile' }, 400],
      ['user_id array', { ...good, user_id: [alice.user.id] }, 400],
      ['post unknown', { ...good, post_id: 'a'.repeat(26) }, 404],
      ['as someone else', { ...good, user_id: bob.user.id }, 403],
      ['body array', [good], 400],
    ];
    for (const [name, body, status] of cases) {
      const res = await raw(alice, 'POST', '/reactions', body);
      expect(res.status, name).toBe(status);
      expect(res.body.status_code, name).toBe(status);
    }
    expect((await raw(alice, 'DELETE', `/users/${alice.user.id}/posts/${p.id}/reactions/a%20b`)).status).toBe(
      400,
    );
    expect((await raw(alice, 'GET', `/posts/nonsense/reactions`)).status).toBe(400);
    expect(await alice.client.getReactionsForPost(p.id)).toEqual([]);
  });

  it('refuses reactions on deleted posts and from non-members', async () => {
    const p = await post(alice, pub.id);
    // Mallory may read the public channel but is not a member.
    expect((await mallory.client.getReactionsForPost(p.id)).length).toBe(0);
    const err = await expectError(() => mallory.client.addReaction(mallory.user.id, p.id, 'smile'));
    expect(err.status_code).toBe(403);

    const secret = await post(alice, priv.id);
    await bob.client.addReaction(bob.user.id, secret.id, 'eyes');
    for (const call of [
      () => mallory.client.addReaction(mallory.user.id, secret.id, 'smile'),
      () => mallory.client.getReactionsForPost(secret.id),
      () => mallory.client.removeReaction(bob.user.id, secret.id, 'eyes'),
    ]) {
      expect((await expectError(call)).status_code).toBe(404);
    }
    expect((await bob.client.getReactionsForPost(secret.id)).map((r) => r.emoji_name)).toEqual(['eyes']);

    await alice.client.deletePost(p.id);
    expect((await expectError(() => bob.client.addReaction(bob.user.id, p.id, 'smile'))).status_code).toBe(
      404,
    );
  });
});
