/**
 * Who may see what (security.md 1–3, 6, 7). Alice and Bob share private channel C; Mallory is on the
 * team but not in C. Every route that takes an id of C, of its posts, of its members or of its files
 * is read from the route files and called with C's ids and with ids that name nothing: the answers
 * must be identical (same status, error id and message), so nobody outside C can learn that it exists.
 * The same holds for a removed member, for a user of another team (for everything of the team), and
 * for a deactivated user (401 everywhere). Nothing of it changes any row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import type { FileUploadResponse } from '@mattermost/types/files';
import { getTestServer, type Persona, type TestServer } from '../helpers/server.js';
import { createFixture, type Fixture } from '../helpers/fixtures.js';
import { attachFilesTx } from '../../src/services/files.js';
import {
  call,
  fillPath,
  key,
  outcome,
  paramsOf,
  registrationCount,
  snapshot,
  snapshotDiff,
  sourceRoutes,
  UNKNOWN,
  type Answer,
  type Auth,
  type Route,
} from './kit.js';

let server: TestServer;
let f: Fixture;
let olga: Persona; // on another team only
let dave: Persona; // was in C, then deactivated
const SECRET = `zanzibar${Date.now().toString(36)}`;

interface Victim {
  label: string;
  channel: Channel;
  post: Post;
  file: string;
}
const victims: Record<string, Victim> = {};
let removedPost: Post; // Carol's own post in C, written before she was removed
let publicPost: Post;

async function upload(p: Persona, channelId: string): Promise<string> {
  const fd = new FormData();
  fd.append('channel_id', channelId);
  fd.append('files', new Blob([new TextEncoder().encode(`${SECRET} file`)], { type: 'text/plain' }), 'x.txt');
  const res = (await p.client.uploadFile(fd)) as FileUploadResponse;
  return res.file_infos[0]!.id;
}

/** A post in the channel, with a reaction, a pin and an attached file. */
async function furnish(
  label: string,
  channel: Channel,
  author: Persona,
  reactor: Persona,
  word = SECRET,
): Promise<Victim> {
  const fileId = await upload(author, channel.id);
  const post = await author.client.createPost({
    channel_id: channel.id,
    message: `${word} in ${label}`,
    file_ids: [fileId],
  } as Post);
  if ((post.file_ids ?? []).length === 0) {
    // Attaching through file_ids may not be wired yet; attach as the service would.
    const actor = { userId: author.user.id, sessionId: '', roles: author.user.roles, isSystemAdmin: false };
    await server.built.services.deps.store.transaction((tx) =>
      attachFilesTx(tx, actor, channel.id, post.id, [fileId], Date.now()),
    );
  }
  await reactor.client.addReaction(reactor.user.id, post.id, 'smile');
  await author.client.pinPost(post.id);
  await reactor.client.createPost({
    channel_id: channel.id,
    root_id: post.id,
    message: `${word} reply`,
  } as Post);
  return { label, channel, post, file: fileId };
}

beforeAll(async () => {
  server = await getTestServer();
  f = await createFixture(server);
  olga = await server.persona('olga');
  await olga.client.createTeam({ name: 'olgas-team', display_name: 'Olga', type: 'I' } as Team);
  dave = await server.persona('dave');
  const { alice, bob, carol } = f;
  await alice.client.addToTeam(f.team.id, dave.user.id);
  await alice.client.addToChannel(dave.user.id, f.privateChannel.id);
  await alice.client.addToChannel(carol.user.id, f.privateChannel.id);
  await alice.client.patchChannel(f.privateChannel.id, { display_name: `Vault ${SECRET}` });

  victims.private = await furnish('private', f.privateChannel, alice, bob);
  victims.direct = await furnish('direct', f.direct, alice, bob);
  victims.group = await furnish('group', f.group, alice, bob);
  victims.public = await furnish('public', f.publicChannel, alice, bob, 'team-visible');
  victims.town = await furnish('town', f.townSquare, alice, bob, 'team-visible');
  removedPost = await carol.client.createPost({ channel_id: f.privateChannel.id, message: 'mine' } as Post);
  await carol.client.addReaction(carol.user.id, victims.private!.post.id, 'wave');
  await alice.client.removeFromChannel(carol.user.id, f.privateChannel.id);
  publicPost = await f.mallory.client.createPost({ channel_id: f.townSquare.id, message: 'hello' } as Post);

  await f.admin.client.updateUserActive(dave.user.id, false);
});
afterAll(() => server.close());

const ID_PARAMS = ['channel_id', 'post_id', 'file_id', 'thread_id'];
const auth = (p: Persona): Auth => ({ token: p.token });

/** JSON bodies for the routes that take one; `$` stands for the probed channel/post. */
function bodyFor(r: Route, ids: { channel: string; post: string; team: string }, me: Persona): unknown {
  switch (key(r)) {
    case 'PUT /channels/:channel_id':
      return { id: ids.channel, display_name: 'Hijacked' };
    case 'PUT /channels/:channel_id/patch':
      return { display_name: 'Hijacked', header: 'owned' };
    case 'PUT /channels/:channel_id/privacy':
      return { privacy: 'O' };
    case 'POST /channels/:channel_id/members':
      return { user_id: me.user.id };
    case 'POST /channels/:channel_id/members/ids':
      return [f.alice.user.id, f.bob.user.id];
    case 'PUT /channels/:channel_id/members/:user_id/notify_props':
      return { desktop: 'all' };
    case 'PUT /channels/:channel_id/members/:user_id/roles':
      return { roles: 'channel_user channel_admin' };
    case 'PUT /channels/:channel_id/members/:user_id/schemeRoles':
      return { scheme_admin: true, scheme_user: true };
    case 'PUT /posts/:post_id':
      return { id: ids.post, message: 'hijacked' };
    case 'PUT /posts/:post_id/patch':
      return { message: 'hijacked', is_pinned: false };
    case 'PUT /teams/:team_id':
      return { id: ids.team, display_name: 'Hijacked' };
    case 'PUT /teams/:team_id/patch':
      return { display_name: 'Hijacked' };
    case 'POST /teams/:team_id/members':
      return { team_id: ids.team, user_id: me.user.id };
    case 'POST /teams/:team_id/members/batch':
      return [{ team_id: ids.team, user_id: me.user.id }];
    case 'POST /teams/:team_id/members/ids':
      return [f.alice.user.id];
    case 'POST /teams/:team_id/channels/search':
      return { term: 'p' };
    default:
      return r.method === 'GET' || r.method === 'DELETE' ? undefined : {};
  }
}

interface Probe {
  label: string;
  /** The request naming the victim, and the same request naming nothing. */
  real: () => Promise<Answer>;
  unknown: () => Promise<Answer>;
}

/** Every route with an id of the victim in its path, with `me` and with a member as the user. */
function routeProbes(who: Persona, v: Victim, opts: { teamIds?: boolean; post?: Post } = {}): Probe[] {
  const probes: Probe[] = [];
  const post = opts.post ?? v.post;
  for (const r of sourceRoutes()) {
    const params = paramsOf(r.path);
    const ids = opts.teamIds ? [...ID_PARAMS, 'team_id'] : ID_PARAMS;
    if (!params.some((p) => ids.includes(p))) continue;
    if (params.includes('channel_name')) continue; // name lookups: see namedProbes
    const users = params.includes('user_id') ? ['me', f.alice.user.id] : ['me'];
    for (const user of users) {
      const values = (real: boolean) => ({
        channel_id: real ? v.channel.id : UNKNOWN,
        post_id: real ? post.id : UNKNOWN,
        file_id: real ? v.file : UNKNOWN,
        // The team is Mallory's own; for a user of another team it is one of the probed ids.
        team_id: real || !opts.teamIds ? f.team.id : UNKNOWN,
        thread_id: real ? post.id : UNKNOWN,
        timestamp: '1',
        user_id: user,
        emoji_name: 'smile',
      });
      const send = (real: boolean) => {
        const vals = values(real);
        const ids = { channel: vals.channel_id, post: vals.post_id, team: vals.team_id };
        return call(server, auth(who), r.method, fillPath(r.path, vals), bodyFor(r, ids, who));
      };
      probes.push({ label: `${key(r)} [${user}]`, real: () => send(true), unknown: () => send(false) });
    }
  }
  return probes;
}

/** Routes that take the victim's ids in the body or the query string, or look it up by name. */
function otherProbes(who: Persona, v: Victim): Probe[] {
  const me = who.user.id;
  const list: [string, string, string, (ch: string, post: string, name: string) => unknown][] = [
    ['POST', '/posts', '', (ch) => ({ channel_id: ch, message: 'x' })],
    ['POST', '/posts', '', (ch, p) => ({ channel_id: ch, root_id: p, message: 'x' })],
    ['POST', '/posts', '', (_c, p) => ({ channel_id: f.townSquare.id, root_id: p, message: 'x' })],
    ['POST', '/reactions', '', (_c, p) => ({ user_id: me, post_id: p, emoji_name: 'smile' })],
    ['POST', '/posts/ids', '', (_c, p) => [p, publicPost.id]],
    ['POST', '/channels/members/me/view', '', (ch) => ({ channel_id: ch, prev_channel_id: '' })],
    ['POST', '/channels/members/me/view', '', (ch) => ({ channel_id: '', prev_channel_id: ch })],
    ['POST', '/channels/members/me/mark_read', '', (ch) => [ch]],
    ['POST', '/users/search', '', (ch) => ({ term: 'a', in_channel_id: ch })],
    ['POST', '/users/search', '', (ch) => ({ term: 'a', team_id: f.team.id, not_in_channel_id: ch })],
    ['POST', '/channels/search', '', (_c, _p, name) => ({ term: name })],
    ['POST', '/channels/search', '?system_console=false', (_c, _p, name) => ({ term: name })],
    ['POST', `/teams/${f.team.id}/channels/search`, '', (_c, _p, name) => ({ term: name })],
    ['POST', `/teams/${f.team.id}/channels/search`, '', () => ({ term: SECRET })],
    ['PUT', '/users/me/preferences', '', () => undefined],
  ];
  const gets: ((ch: string, post: string, name: string) => string)[] = [
    (ch) => `/users?in_channel=${ch}`,
    (ch) => `/users?in_team=${f.team.id}&not_in_channel=${ch}`,
    (ch) => `/users/autocomplete?name=a&in_channel=${ch}`,
    (ch) => `/users/autocomplete?name=a&in_team=${f.team.id}&in_channel=${ch}`,
    (ch) => `/users/me/posts/flagged?channel_id=${ch}`,
    (_c, p) => `/channels/${f.townSquare.id}/posts?before=${p}`,
    (_c, p) => `/channels/${f.townSquare.id}/posts?after=${p}`,
    (_c, p) => `/posts/${publicPost.id}/thread?fromPost=${p}`,
    (_c, _p, name) => `/teams/${f.team.id}/channels/name/${name}`,
    (_c, _p, name) => `/teams/${f.team.id}/channels/name/${name}?include_deleted=true`,
    (_c, _p, name) => `/teams/name/${f.team.name}/channels/name/${name}`,
  ];
  const probes: Probe[] = [];
  // Every team has a town-square: looking it up by name finds one's own, which says nothing about C.
  const nameOf = (real: boolean) =>
    real && !['town-square', 'off-topic'].includes(v.channel.name) ? v.channel.name : 'no-such-channel-name';
  for (const [method, path, query, body] of list) {
    if (body('', '', '') === undefined) continue;
    const send = (real: boolean) =>
      call(
        server,
        auth(who),
        method,
        path + query,
        body(real ? v.channel.id : UNKNOWN, real ? v.post.id : UNKNOWN, nameOf(real)),
      );
    probes.push({
      label: `${method} ${path}${query} ${JSON.stringify(body('$C', '$P', '$NAME'))}`,
      real: () => send(true),
      unknown: () => send(false),
    });
  }
  for (const g of gets) {
    const send = (real: boolean) =>
      call(
        server,
        auth(who),
        'GET',
        g(real ? v.channel.id : UNKNOWN, real ? v.post.id : UNKNOWN, nameOf(real)),
      );
    probes.push({
      label: `GET ${g('$C', '$P', '$NAME')}`,
      real: () => send(true),
      unknown: () => send(false),
    });
  }
  // An upload into the channel.
  const up = async (real: boolean) => {
    const fd = new FormData();
    fd.append('channel_id', real ? v.channel.id : UNKNOWN);
    fd.append('files', new Blob(['x']), 'x.txt');
    const res = await fetch(`${server.url}/api/v4/files`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${who.token}` },
      body: fd,
    });
    const text = await res.text();
    return { status: res.status, text, json: JSON.parse(text) as unknown, headers: res.headers };
  };
  probes.push({
    label: 'POST /files (multipart channel_id)',
    real: () => up(true),
    unknown: () => up(false),
  });
  return probes;
}

const norm = (s: string) => s.replace(/\b\d{13}\b/g, 'T');

/**
 * Runs the probes, a few at a time (none of them may change anything, so order does not matter);
 * returns the mismatches, the leaks and a count of statuses.
 */
async function sweep(probes: Probe[], secrets: string[], expectStatus?: number) {
  const mismatches: string[] = [];
  const leaks: string[] = [];
  const statuses = new Map<number, number>();
  const one = async (p: Probe) => {
    const [real, unknown] = await Promise.all([p.real(), p.unknown()]);
    statuses.set(real.status, (statuses.get(real.status) ?? 0) + 1);
    // Times (13-digit ms) may differ between two calls; everything else must not.
    if (norm(outcome(real)) !== norm(outcome(unknown)))
      mismatches.push(`${p.label}: ${outcome(real).slice(0, 120)} ≠ ${outcome(unknown).slice(0, 120)}`);
    if (expectStatus !== undefined && real.status !== expectStatus)
      mismatches.push(`${p.label}: ${real.status}`);
    if (real.status >= 500) mismatches.push(`${p.label}: ${real.status}`);
    for (const s of secrets) if (real.text.includes(s)) leaks.push(`${p.label} shows ${s}`);
  };
  for (let i = 0; i < probes.length; i += 4) await Promise.all(probes.slice(i, i + 4).map(one));
  return { mismatches, leaks, statuses };
}

const secretsOf = (v: Victim) => [v.channel.id, v.post.id, v.file, SECRET];

describe('Mallory, on the team but outside C, D and G', () => {
  it(
    'gets from every id-taking route exactly the answer for ids that name nothing, and changes nothing',
    { timeout: 120_000 },
    async () => {
      const before = await snapshot(server);
      const mallory = f.mallory;
      let count = 0;
      for (const v of [victims.private!, victims.direct!, victims.group!]) {
        const probes = [...routeProbes(mallory, v), ...otherProbes(mallory, v)];
        count += probes.length;
        const { mismatches, leaks, statuses } = await sweep(probes, secretsOf(v));
        expect(mismatches, v.label).toEqual([]);
        expect(leaks, v.label).toEqual([]);
        // Refusals, not successes: most answers are 404 (a few list routes answer an empty 200).
        expect(statuses.get(404) ?? 0, v.label).toBeGreaterThan(probes.length * 0.7);
        expect(statuses.get(500), v.label).toBeUndefined();
      }
      expect(count).toBeGreaterThan(150);
      const after = await snapshot(server);
      expect(snapshotDiff(before, after)).toBe('');
    },
  );

  it('the probe list covers every route with a channel, post, file or thread id', () => {
    // The route list is complete (every registration parsed) and real (Fastify knows each route).
    const all = sourceRoutes();
    expect(all.length).toBe(registrationCount());
    for (const r of all)
      expect(server.built.app.hasRoute({ method: r.method, url: `/api/v4${r.path}` }), key(r)).toBe(true);
    const covered = new Set(routeProbes(f.mallory, victims.private!).map((p) => p.label.split(' [')[0]));
    const wanted = sourceRoutes()
      .filter((r) => paramsOf(r.path).some((p) => ID_PARAMS.includes(p)))
      .map(key);
    expect(wanted.length).toBeGreaterThan(30);
    for (const w of wanted) expect(covered.has(w), w).toBe(true);
  });

  it('finds C neither in lists nor by name, by display name or by a word posted only in C', async () => {
    const v = victims.private!;
    const m = f.mallory.client;
    const lists: unknown[] = [
      await m.getMyChannels(f.team.id, true),
      await m.getMyChannelMembers(f.team.id),
      await m.getChannels(f.team.id, 0, 200),
      await m.getArchivedChannels(f.team.id, 0, 200),
      await m.searchChannels(f.team.id, 'private'),
      await m.searchChannels(f.team.id, SECRET),
      await m.searchAllChannels('private', { nonAdminSearch: true }),
      await m.autocompleteUsers('', f.team.id, ''),
      await m.getMyTeamUnreads(false),
      await m.getFlaggedPosts(f.mallory.user.id),
      await m.getPosts(f.townSquare.id),
      (await call(server, auth(f.mallory), 'GET', '/users/me/channels')).json,
      (await call(server, auth(f.mallory), 'GET', '/users/me/channel_members')).json,
      (await call(server, auth(f.mallory), 'GET', `/channels/${f.townSquare.id}/stats`)).json,
    ];
    const text = JSON.stringify(lists);
    for (const s of [...secretsOf(v), v.channel.name, victims.direct!.channel.id, victims.group!.channel.id])
      expect(text, s).not.toContain(s);
    // The sweep found something (the lists are not all empty).
    expect(text).toContain(f.townSquare.id);
  });

  it('saving a post of C as a flagged preference does not make it readable', async () => {
    const m = f.mallory;
    const pref = {
      user_id: m.user.id,
      category: 'flagged_post',
      name: victims.private!.post.id,
      value: 'true',
    };
    await m.client.savePreferences(m.user.id, [pref]);
    const flagged = await m.client.getFlaggedPosts(m.user.id);
    expect(JSON.stringify(flagged)).not.toContain(SECRET);
    expect(flagged.order).toEqual([]);
    await m.client.deletePreferences(m.user.id, [pref]);
  });
});

describe('a member removed from C', () => {
  it('is answered like Mallory, also about her own post in C', { timeout: 120_000 }, async () => {
    const before = await snapshot(server);
    const carol = f.carol;
    const v = victims.private!;
    for (const probes of [
      [...routeProbes(carol, v), ...otherProbes(carol, v)],
      routeProbes(carol, v, { post: removedPost }).filter((p) => p.label.includes(':post_id')),
    ]) {
      const { mismatches, leaks, statuses } = await sweep(probes, [...secretsOf(v), removedPost.id]);
      expect(mismatches).toEqual([]);
      expect(leaks).toEqual([]);
      expect(statuses.get(500)).toBeUndefined();
    }
    expect(snapshotDiff(before, await snapshot(server))).toBe('');
    // Her reaction from before stays, and she may no longer remove it.
    const reactions = await f.alice.client.getReactionsForPost(v.post.id);
    expect(reactions.map((r) => r.emoji_name).sort()).toEqual(['smile', 'wave']);
  });
});

describe('a user of another team', () => {
  it('learns nothing about the team, its public channels, C, D or G', { timeout: 120_000 }, async () => {
    const before = await snapshot(server);
    for (const v of [victims.private!, victims.town!]) {
      const probes = [...routeProbes(olga, v, { teamIds: true }), ...otherProbes(olga, v)];
      const { mismatches, leaks, statuses } = await sweep(probes, secretsOf(v));
      expect(mismatches, v.label).toEqual([]);
      expect(leaks, v.label).toEqual([]);
      expect(statuses.get(500)).toBeUndefined();
    }
    // Team lookups by name: like a team that does not exist.
    for (const path of [`/teams/name/${f.team.name}`, `/teams/name/${f.team.name}/exists`]) {
      const real = await call(server, auth(olga), 'GET', path);
      const none = await call(server, auth(olga), 'GET', path.replace(f.team.name, 'no-such-team'));
      expect(outcome(real), path).toBe(outcome(none));
    }
    expect(JSON.stringify(await olga.client.getTeams(0, 200))).not.toContain(f.team.id);
    expect(snapshotDiff(before, await snapshot(server))).toBe('');
  });
});

describe('a deactivated user', () => {
  it('is refused everything with 401, for real and unknown ids alike', { timeout: 120_000 }, async () => {
    const before = await snapshot(server);
    for (const v of [victims.private!]) {
      const probes = [...routeProbes(dave, v, { teamIds: true }), ...otherProbes(dave, v)];
      const { mismatches, leaks } = await sweep(probes, secretsOf(v), 401);
      expect(mismatches).toEqual([]);
      expect(leaks).toEqual([]);
    }
    expect(snapshotDiff(before, await snapshot(server))).toBe('');
  });
});

describe('fields only the server sets (6)', () => {
  it('are ignored on edits too: author, channel, times, pin, root, metadata, server props', async () => {
    const { alice, bob } = f;
    const p = await alice.client.createPost({ channel_id: f.publicChannel.id, message: 'original' } as Post);
    const forged = {
      id: p.id,
      message: 'edited',
      user_id: bob.user.id,
      channel_id: f.townSquare.id,
      root_id: victims.public!.post.id,
      create_at: 1,
      update_at: 1,
      delete_at: 5,
      is_pinned: true,
      reply_count: 7,
      pending_post_id: 'forged',
      type: 'system_join_channel',
      metadata: { reactions: [{ user_id: bob.user.id, post_id: p.id, emoji_name: 'x', create_at: 1 }] },
      props: { from_webhook: 'true', override_username: 'ceo', from_bot: 'true', attachments: [] },
    };
    for (const route of [`/posts/${p.id}/patch`, `/posts/${p.id}`]) {
      const r = await call(server, auth(alice), 'PUT', route, forged);
      expect([200, 400], route).toContain(r.status);
      const stored = await bob.client.getPost(p.id);
      expect(stored.user_id, route).toBe(alice.user.id);
      expect(stored.channel_id, route).toBe(f.publicChannel.id);
      expect(stored.root_id, route).toBe('');
      expect(stored.create_at, route).toBe(p.create_at);
      expect(stored.update_at, route).toBeGreaterThanOrEqual(p.create_at);
      expect(stored.delete_at, route).toBe(0);
      expect(stored.is_pinned, route).toBe(false);
      expect(stored.type, route).toBe('');
      expect(stored.metadata.reactions ?? [], route).toEqual([]);
      expect(stored.props.from_webhook, route).toBeUndefined();
      expect(stored.props.override_username, route).toBeUndefined();
    }
    expect((await bob.client.getPosts(f.townSquare.id)).order).not.toContain(p.id);
  });
});

describe('ordinary members and admin routes (7)', () => {
  it('are refused every admin, role and other-user route with 403, and nothing changes', async () => {
    const { bob, alice, admin, team } = f;
    await alice.client.addReaction(alice.user.id, victims.public!.post.id, 'heart');
    const before = await snapshot(server);
    const cases: [string, string, unknown][] = [
      ['PUT', `/users/${bob.user.id}/roles`, { roles: 'system_user system_admin' }],
      ['PUT', `/users/${alice.user.id}/roles`, { roles: 'system_user' }],
      ['PUT', `/users/${admin.user.id}/roles`, { roles: 'system_user' }],
      ['PUT', `/users/${alice.user.id}/active`, { active: false }],
      ['PUT', `/users/${dave.user.id}/active`, { active: true }],
      ['DELETE', `/users/${alice.user.id}`, undefined],
      ['PUT', `/users/${alice.user.id}/patch`, { nickname: 'x' }],
      ['PUT', `/users/${alice.user.id}`, { nickname: 'x' }],
      ['PUT', `/users/${alice.user.id}/password`, { current_password: '', new_password: 'pwned pwned' }],
      ['GET', `/users/${alice.user.id}/sessions`, undefined],
      ['POST', `/users/${alice.user.id}/sessions/revoke/all`, undefined],
      [
        'PUT',
        `/users/${alice.user.id}/preferences`,
        [{ user_id: alice.user.id, category: 'a', name: 'b', value: 'c' }],
      ],
      ['GET', `/users/${alice.user.id}/preferences`, undefined],
      ['PUT', `/users/${alice.user.id}/status`, { user_id: alice.user.id, status: 'dnd' }],
      ['GET', '/channels', undefined],
      ['GET', '/channels?include_deleted=true', undefined],
      ['POST', '/channels/search', { term: 'p' }],
      ['POST', '/channels/search?system_console=true', { term: 'p', public: true }],
      ['DELETE', `/teams/${team.id}`, undefined],
      ['POST', `/teams/${team.id}/restore`, undefined],
      ['PUT', `/teams/${team.id}/patch`, { display_name: 'Mine' }],
      ['PUT', `/teams/${team.id}`, { id: team.id, display_name: 'Mine' }],
      ['POST', `/teams/${team.id}/regenerate_invite_id`, undefined],
      ['DELETE', `/teams/${team.id}/members/${alice.user.id}`, undefined],
      ['PUT', `/channels/${f.publicChannel.id}/privacy`, { privacy: 'P' }],
      ['POST', `/channels/${f.publicChannel.id}/convert`, undefined],
      [
        'PUT',
        `/channels/${f.privateChannel.id}/members/${bob.user.id}/roles`,
        { roles: 'channel_user channel_admin' },
      ],
      [
        'PUT',
        `/channels/${f.privateChannel.id}/members/${bob.user.id}/schemeRoles`,
        { scheme_admin: true, scheme_user: true },
      ],
      ['PUT', `/channels/${f.privateChannel.id}/members/${alice.user.id}/notify_props`, { desktop: 'none' }],
      ['DELETE', `/users/${alice.user.id}/posts/${victims.public!.post.id}/reactions/heart`, undefined],
      ['PUT', `/posts/${victims.public!.post.id}/patch`, { message: 'not mine' }],
      ['DELETE', `/posts/${victims.public!.post.id}`, undefined],
    ];
    const wrong: string[] = [];
    for (const [method, path, body] of cases) {
      const r = await call(server, auth(bob), method, path, body);
      // Routes that name a resource the caller can see answer 403; none may answer 2xx or 500.
      if (r.status !== 403) wrong.push(`${method} ${path} → ${r.status} ${r.text.slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
    expect(snapshotDiff(before, await snapshot(server))).toBe('');
    expect((await bob.client.getMe()).roles).toBe('system_user');
  });
});
