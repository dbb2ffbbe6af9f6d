import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, ServerChannel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import { expectError, getTestServer, type Persona, type TestServer } from '../helpers/server.js';
import {
  UNKNOWN_ID,
  audienceOf,
  createFixture,
  rawApi,
  recordEvents,
  type EventLog,
  type Fixture,
} from '../helpers/fixtures.js';

let server: TestServer;
let f: Fixture;
let admin: Persona;
let alice: Persona;
let bob: Persona;
let carol: Persona;
let mallory: Persona;
let log: EventLog;

beforeAll(async () => {
  server = await getTestServer();
  f = await createFixture(server);
  ({ admin, alice, bob, carol, mallory } = f);
  log = recordEvents(server);
});
afterAll(async () => {
  log.stop();
  await server.close();
});

let seq = 0;
const uniq = (p: string) => `${p}-${++seq}`;

const createChannel = (
  p: Persona,
  type: 'O' | 'P',
  name = uniq(type === 'O' ? 'pub' : 'priv'),
  teamId = f.team.id,
) => p.client.createChannel({ team_id: teamId, name, display_name: name.toUpperCase(), type } as Channel);

async function refusal(fn: () => Promise<unknown>) {
  const e = await expectError(fn);
  return { status: e.status_code, id: e.server_error_id };
}

const CHANNEL_FIELDS = [
  'create_at',
  'creator_id',
  'delete_at',
  'display_name',
  'group_constrained',
  'header',
  'id',
  'last_post_at',
  'last_root_post_at',
  'name',
  'purpose',
  'scheme_id',
  'team_id',
  'total_msg_count',
  'total_msg_count_root',
  'type',
  'update_at',
];

const MEMBER_FIELDS = [
  'channel_id',
  'last_update_at',
  'last_viewed_at',
  'mention_count',
  'mention_count_root',
  'msg_count',
  'msg_count_root',
  'notify_props',
  'roles',
  'scheme_admin',
  'scheme_user',
  'user_id',
];

describe('fixture', () => {
  it('builds a team with channels of every type', async () => {
    expect(f.townSquare.name).toBe('town-square');
    expect(f.privateChannel.type).toBe('P');
    expect(f.direct.type).toBe('D');
    expect(f.direct.name).toBe([f.alice.user.id, f.bob.user.id].sort().join('__'));
    expect(f.group.type).toBe('G');
    const mine = await f.bob.client.getMyChannels(f.team.id);
    expect(mine.map((c) => c.id).sort()).toEqual(
      [
        f.townSquare.id,
        f.offTopic.id,
        f.publicChannel.id,
        f.privateChannel.id,
        f.direct.id,
        f.group.id,
      ].sort(),
    );
  });
});

describe('creating channels', () => {
  it('creates public and private channels; the creator is channel admin and alone hears channel_created', async () => {
    log.clear();
    const c = (await createChannel(bob, 'P', 'bobs-room')) as ServerChannel;
    expect(Object.keys(c)).toEqual(expect.arrayContaining(CHANNEL_FIELDS));
    expect(c).toMatchObject({
      team_id: f.team.id,
      type: 'P',
      name: 'bobs-room',
      display_name: 'BOBS-ROOM',
      creator_id: bob.user.id,
      delete_at: 0,
      total_msg_count: 0,
    });
    const m = await bob.client.getMyChannelMember(c.id);
    expect(Object.keys(m)).toEqual(expect.arrayContaining(MEMBER_FIELDS));
    expect(m).toMatchObject({ roles: 'channel_user channel_admin', scheme_admin: true, scheme_user: true });
    expect(typeof m.notify_props).toBe('object');
    const ev = log.named('channel_created');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.data).toEqual({ channel_id: c.id, team_id: f.team.id });
    expect(audienceOf(ev[0]!)).toEqual(['users', bob.user.id]);
  });

  it('refuses a duplicate name in the team with 400, but allows it in another team', async () => {
    const e = await expectError(() => createChannel(alice, 'O', f.publicChannel.name));
    expect(e.status_code).toBe(400);
    expect(e.server_error_id).toBe('store.sql_channel.save_channel.exists.app_error');
    const other = await alice.client.createTeam({
      name: uniq('other'),
      display_name: 'Other',
      type: 'I',
    } as never);
    const c = await createChannel(alice, 'O', f.publicChannel.name, other.id);
    expect(c.team_id).toBe(other.id);
  });

  it('answers bad input with 400 and an error id, and creates nothing', async () => {
    const base = { team_id: f.team.id, name: 'fine', display_name: 'Fine', type: 'O' };
    const cases: [string, unknown][] = [
      ['no team', { ...base, team_id: undefined }],
      ['team id malformed', { ...base, team_id: 'abc' }],
      ['team id object', { ...base, team_id: { $ne: null } }],
      ['no name', { ...base, name: undefined }],
      ['name number', { ...base, name: 12 }],
      ['name object', { ...base, name: { $gt: '' } }],
      ['name too long', { ...base, name: 'n'.repeat(65) }],
      ['name with slash', { ...base, name: '../etc' }],
      ['name like a direct channel', { ...base, name: 'a__b' }],
      ['upper-case name', { ...base, name: 'Fine' }],
      ['no display name', { ...base, display_name: undefined }],
      ['display name too long', { ...base, display_name: 'd'.repeat(65) }],
      ['display name array', { ...base, display_name: ['x'] }],
      ['type D', { ...base, type: 'D' }],
      ['type missing', { ...base, type: undefined }],
      ['type lower-case', { ...base, type: 'o' }],
      ['purpose too long', { ...base, purpose: 'p'.repeat(251) }],
      ['header too long', { ...base, header: 'h'.repeat(1025) }],
      ['header number', { ...base, header: 5 }],
      ['array body', [base]],
      ['null body', 'null'],
    ];
    const before = await alice.client.getChannels(f.team.id, 0, 200);
    for (const [label, body] of cases) {
      const r = await rawApi(server, alice, 'POST', '/channels', body);
      expect(r.status, label).toBe(400);
      expect(r.body.id, label).toEqual(expect.any(String));
    }
    expect(await alice.client.getChannels(f.team.id, 0, 200)).toEqual(before);
    expect(before.map((c) => c.name)).not.toContain('fine');
  });

  it('refuses channel creation in a team one is not a member of, as if the team did not exist', async () => {
    const outside = await alice.client.createTeam({
      name: uniq('secret'),
      display_name: 'S',
      type: 'I',
    } as never);
    const e = await refusal(() => createChannel(mallory, 'O', 'sneaky', outside.id));
    expect(e).toEqual(await refusal(() => createChannel(mallory, 'O', 'sneaky', UNKNOWN_ID)));
    expect(e.status).toBe(404);
  });

  it('creates a direct channel once, whoever asks and in whatever order, and tells both people', async () => {
    log.clear();
    const d1 = await carol.client.createDirectChannel([carol.user.id, mallory.user.id]);
    expect(d1).toMatchObject({
      type: 'D',
      team_id: '',
      name: [carol.user.id, mallory.user.id].sort().join('__'),
    });
    const ev = log.named('direct_added');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.data).toMatchObject({ teammate_id: mallory.user.id });
    expect(audienceOf(ev[0]!)).toEqual(['users', ...[carol.user.id, mallory.user.id].sort()]);
    const d2 = await mallory.client.createDirectChannel([carol.user.id, mallory.user.id]);
    const d3 = await carol.client.createDirectChannel([mallory.user.id, carol.user.id]);
    expect(d2.id).toBe(d1.id);
    expect(d3.id).toBe(d1.id);
    expect(log.named('direct_added')).toHaveLength(1);
    expect((await carol.client.getChannelMembers(d1.id)).map((m) => m.user_id).sort()).toEqual(
      [carol.user.id, mallory.user.id].sort(),
    );
  });

  it('creates a direct channel with oneself', async () => {
    const self = await bob.client.createDirectChannel([bob.user.id, bob.user.id]);
    expect(self.name).toBe(`${bob.user.id}__${bob.user.id}`);
    expect((await bob.client.getChannelMembers(self.id)).map((m) => m.user_id)).toEqual([bob.user.id]);
  });

  it('refuses direct channels between other people, of the wrong size, or with unknown users', async () => {
    const before = await bob.client.getMyChannels(f.team.id);
    const e = await expectError(() => mallory.client.createDirectChannel([alice.user.id, bob.user.id]));
    expect(e.status_code).toBe(403);
    for (const body of [
      [bob.user.id],
      [bob.user.id, alice.user.id, carol.user.id],
      [bob.user.id, UNKNOWN_ID],
      [bob.user.id, 'nope'],
      [bob.user.id, { id: alice.user.id }],
      { a: bob.user.id },
    ]) {
      const r = await rawApi(server, bob, 'POST', '/channels/direct', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.id).toEqual(expect.any(String));
    }
    expect(await bob.client.getMyChannels(f.team.id)).toEqual(before);
  });

  it('creates a group channel of 3 to 8 people once, adding the caller, and tells them all', async () => {
    log.clear();
    const g1 = await mallory.client.createGroupChannel([carol.user.id, bob.user.id]);
    const members = [bob.user.id, carol.user.id, mallory.user.id].sort();
    expect(g1).toMatchObject({ type: 'G', team_id: '' });
    expect(g1.name.length).toBeLessThanOrEqual(64);
    expect(g1.display_name.split(', ').sort()).toEqual(['bob', 'carol', 'mallory']);
    const ev = log.named('group_added');
    expect(ev).toHaveLength(1);
    expect(JSON.parse(ev[0]!.data.teammate_ids as string).sort()).toEqual(members);
    expect(audienceOf(ev[0]!)).toEqual(['users', ...members]);
    const g2 = await bob.client.createGroupChannel([mallory.user.id, carol.user.id, bob.user.id]);
    expect(g2.id).toBe(g1.id);
    expect((await bob.client.getChannelMembers(g1.id)).map((m) => m.user_id).sort()).toEqual(members);
    expect(g1.id).not.toBe(f.group.id);
  });

  it('refuses groups of the wrong size or with unknown users', async () => {
    const e = await expectError(() => bob.client.createGroupChannel([alice.user.id]));
    expect(e.status_code).toBe(400);
    expect(e.server_error_id).toBe('api.channel.create_group.bad_size.app_error');
    const many: string[] = [];
    for (let i = 0; i < 8; i++) many.push(`${'q'.repeat(25)}${'abcdefgh'[i]}`);
    const big = await expectError(() => bob.client.createGroupChannel(many));
    expect(big.status_code).toBe(400);
    const unknown = await expectError(() => bob.client.createGroupChannel([alice.user.id, UNKNOWN_ID]));
    expect(unknown.status_code).toBe(400);
    const bad = await rawApi(server, bob, 'POST', '/channels/group', [alice.user.id, 7]);
    expect(bad.status).toBe(400);
  });
});

describe('reading channels', () => {
  it('gets a channel by id, by name and by team name', async () => {
    expect((await bob.client.getChannel(f.privateChannel.id)).name).toBe(f.privateChannel.name);
    expect((await bob.client.getChannelByName(f.team.id, f.privateChannel.name)).id).toBe(
      f.privateChannel.id,
    );
    expect((await bob.client.getChannelByNameAndTeamName(f.team.name, f.publicChannel.name)).id).toBe(
      f.publicChannel.id,
    );
    expect((await mallory.client.getChannel(f.publicChannel.id)).id).toBe(f.publicChannel.id);
  });

  it('lists the public channels of a team with paging, never private ones', async () => {
    const all = await mallory.client.getChannels(f.team.id, 0, 200);
    const ids = all.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining([f.townSquare.id, f.offTopic.id, f.publicChannel.id]));
    expect(all.every((c) => c.type === 'O' && c.delete_at === 0)).toBe(true);
    expect(ids).not.toContain(f.privateChannel.id);
    const p0 = await mallory.client.getChannels(f.team.id, 0, 2);
    const p1 = await mallory.client.getChannels(f.team.id, 1, 2);
    expect([...p0, ...p1].map((c) => c.id)).toEqual(ids.slice(0, 4));
  });

  it('lists my channels and memberships of a team, with direct and group channels', async () => {
    const channels = await alice.client.getMyChannels(f.team.id);
    const members = await alice.client.getMyChannelMembers(f.team.id);
    expect(members.map((m) => m.channel_id).sort()).toEqual(channels.map((c) => c.id).sort());
    expect(channels.map((c) => c.type).sort()).toEqual(expect.arrayContaining(['D', 'G', 'O', 'P']));
    expect(members.every((m) => m.user_id === alice.user.id)).toBe(true);
    const everywhere = await alice.client.getAllTeamsChannels();
    expect(everywhere.map((c) => c.id)).toEqual(expect.arrayContaining(channels.map((c) => c.id)));
    const malloryMine = (await mallory.client.getMyChannels(f.team.id)).map((c) => c.id);
    expect(malloryMine).not.toContain(f.privateChannel.id);
    expect(malloryMine).not.toContain(f.direct.id);
    const foreign = await rawApi(
      server,
      mallory,
      'GET',
      `/users/${alice.user.id}/teams/${f.team.id}/channels`,
    );
    expect(foreign.status).toBe(403);
    const foreignMembers = await rawApi(server, mallory, 'GET', `/users/${alice.user.id}/channels`);
    expect(foreignMembers.status).toBe(403);
  });

  it('searches a team: public channels for all, private ones only for their members', async () => {
    const term = f.privateChannel.name.split('-')[0]!; // "private"
    const forBob = await bob.client.searchChannels(f.team.id, term);
    expect(forBob.map((c) => c.id)).toContain(f.privateChannel.id);
    const forMallory = await mallory.client.searchChannels(f.team.id, term);
    expect(forMallory.map((c) => c.id)).not.toContain(f.privateChannel.id);
    const pub = await mallory.client.searchChannels(f.team.id, 'PUBLIC');
    expect(pub.map((c) => c.id)).toContain(f.publicChannel.id);
    // LIKE wildcards in the term are literal.
    expect(await mallory.client.searchChannels(f.team.id, '%')).toEqual([]);
    expect(await mallory.client.searchChannels(f.team.id, '_')).toEqual([]);
    for (const body of [{}, { term: 5 }, { term: { $ne: '' } }, { term: 'x'.repeat(65) }]) {
      const r = await rawApi(server, mallory, 'POST', `/teams/${f.team.id}/channels/search`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('searches all teams for admins; others only in their own teams with system_console=false', async () => {
    const all = await admin.client.searchAllChannels('private', {});
    expect((all as Channel[]).map((c) => c.id)).toContain(f.privateChannel.id);
    const paged = (await admin.client.searchAllChannels('private', { page: 0, per_page: 1 })) as unknown as {
      channels: Channel[];
      total_count: number;
    };
    expect(paged.channels).toHaveLength(1);
    expect(paged.total_count).toBeGreaterThanOrEqual(1);
    const e = await expectError(() => mallory.client.searchAllChannels('private', {}));
    expect(e.status_code).toBe(403);
    const mine = (await mallory.client.searchAllChannels('private', { nonAdminSearch: true })) as Channel[];
    expect(mine.map((c) => c.id)).not.toContain(f.privateChannel.id);
    const bobs = (await bob.client.searchAllChannels('private', { nonAdminSearch: true })) as Channel[];
    expect(bobs.map((c) => c.id)).toContain(f.privateChannel.id);
  });

  it('lists every channel to admins only', async () => {
    const all = (await admin.client.getAllChannels(
      0,
      200,
      '',
      false,
      false,
      false,
      false,
      false,
      false,
    )) as unknown as { id: string; team_name: string }[];
    const mine = all.find((c) => c.id === f.privateChannel.id);
    expect(mine?.team_name).toBe(f.team.name);
    expect(all.map((c) => c.id)).not.toContain(f.direct.id);
    expect(
      (
        await expectError(() =>
          alice.client.getAllChannels(0, 200, '', false, false, false, false, false, false),
        )
      ).status_code,
    ).toBe(403);
  });

  it('reports channel stats and member timezones', async () => {
    const post = await alice.client.createPost({
      channel_id: f.privateChannel.id,
      message: 'pin me',
    } as Post);
    await alice.client.pinPost(post.id);
    const stats = await bob.client.getChannelStats(f.privateChannel.id);
    expect(stats).toEqual({
      channel_id: f.privateChannel.id,
      member_count: 2,
      guest_count: 0,
      pinnedpost_count: 1,
      files_count: 0,
    });
    const tz = await bob.client.getChannelTimezones(f.privateChannel.id);
    expect(Array.isArray(tz)).toBe(true);
  });
});

describe('changing channels', () => {
  it('patches a private channel and tells exactly its members', async () => {
    const c = await createChannel(alice, 'P');
    await alice.client.addToChannel(bob.user.id, c.id);
    log.clear();
    const patched = await bob.client.patchChannel(c.id, {
      display_name: 'New Name',
      header: 'h',
      purpose: 'p',
    });
    expect(patched).toMatchObject({ display_name: 'New Name', header: 'h', purpose: 'p', name: c.name });
    const ev = log.named('channel_updated');
    expect(ev).toHaveLength(1);
    expect(audienceOf(ev[0]!)).toEqual(['users', ...[alice.user.id, bob.user.id].sort()]);
    expect(JSON.parse(ev[0]!.data.channel as string)).toMatchObject({ id: c.id, display_name: 'New Name' });
    expect((await alice.client.getChannel(c.id)).display_name).toBe('New Name');
  });

  it('sends channel_updated for a public channel to the channel', async () => {
    log.clear();
    await alice.client.patchChannel(f.publicChannel.id, { purpose: 'chat' });
    expect(log.named('channel_updated').map(audienceOf)).toEqual([['channel', f.publicChannel.id]]);
  });

  it('refuses renames that clash, of town-square and of direct channels, and bad values', async () => {
    const c = await createChannel(alice, 'O');
    const dup = await expectError(() => alice.client.patchChannel(c.id, { name: f.publicChannel.name }));
    expect(dup.status_code).toBe(400);
    expect(dup.server_error_id).toBe('store.sql_channel.save_channel.exists.app_error');
    const ts = await expectError(() => alice.client.patchChannel(f.townSquare.id, { name: 'plaza' }));
    expect(ts.status_code).toBe(400);
    const dm = await expectError(() => alice.client.patchChannel(f.direct.id, { name: 'ours' }));
    expect(dm.status_code).toBe(400);
    expect((await alice.client.patchChannel(f.direct.id, { header: 'our dm' })).header).toBe('our dm');
    const before = await alice.client.getChannel(c.id);
    for (const body of [
      { name: 'Bad Name' },
      { name: 'x'.repeat(65) },
      { name: 7 },
      { display_name: '' },
      { display_name: { a: 1 } },
      { header: 'h'.repeat(1025) },
      { purpose: ['p'] },
    ]) {
      const r = await rawApi(server, alice, 'PUT', `/channels/${c.id}/patch`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.id).toEqual(expect.any(String));
    }
    expect(await alice.client.getChannel(c.id)).toEqual(before);
  });

  it('updates with PUT when the body names the channel and keeps its type', async () => {
    const c = await alice.client.getChannel(f.publicChannel.id);
    const u = await alice.client.updateChannel({ ...c, header: 'put header' });
    expect(u.header).toBe('put header');
    const wrongId = await rawApi(server, alice, 'PUT', `/channels/${c.id}`, { ...c, id: UNKNOWN_ID });
    expect(wrongId.status).toBe(400);
    const typeChange = await rawApi(server, alice, 'PUT', `/channels/${c.id}`, { ...c, type: 'P' });
    expect(typeChange.status).toBe(400);
    expect((await alice.client.getChannel(c.id)).type).toBe('O');
  });

  it('archives and restores channels, telling the team (public) or the members (private)', async () => {
    const pub = await createChannel(bob, 'O');
    log.clear();
    await bob.client.deleteChannel(pub.id);
    const del = log.named('channel_deleted');
    expect(del).toHaveLength(1);
    expect(audienceOf(del[0]!)).toEqual(['team', f.team.id]);
    expect(del[0]!.data).toEqual({ channel_id: pub.id, delete_at: expect.any(Number) });
    const archived = await bob.client.getChannel(pub.id);
    expect(archived.delete_at).toBeGreaterThan(0);
    expect((await bob.client.getChannels(f.team.id, 0, 200)).map((c) => c.id)).not.toContain(pub.id);
    expect((await mallory.client.getArchivedChannels(f.team.id)).map((c) => c.id)).toContain(pub.id);
    expect((await expectError(() => bob.client.getChannelByName(f.team.id, pub.name))).status_code).toBe(404);
    expect((await bob.client.getChannelByName(f.team.id, pub.name, true)).id).toBe(pub.id);
    expect((await expectError(() => bob.client.deleteChannel(pub.id))).status_code).toBe(400);
    expect((await expectError(() => bob.client.patchChannel(pub.id, { header: 'x' }))).status_code).toBe(400);
    expect((await expectError(() => bob.client.addToChannel(carol.user.id, pub.id))).status_code).toBe(400);
    // Restoring needs a team admin.
    expect((await expectError(() => bob.client.unarchiveChannel(pub.id))).status_code).toBe(403);
    log.clear();
    const restored = await alice.client.unarchiveChannel(pub.id);
    expect(restored.delete_at).toBe(0);
    expect(log.named('channel_restored').map(audienceOf)).toEqual([['team', f.team.id]]);
    expect((await expectError(() => alice.client.unarchiveChannel(pub.id))).status_code).toBe(400);

    const priv = await createChannel(bob, 'P');
    log.clear();
    await bob.client.deleteChannel(priv.id);
    expect(log.named('channel_deleted').map(audienceOf)).toEqual([['users', bob.user.id]]);
    expect((await mallory.client.getArchivedChannels(f.team.id)).map((c) => c.id)).not.toContain(priv.id);
    expect((await bob.client.getArchivedChannels(f.team.id)).map((c) => c.id)).toContain(priv.id);
  });

  it('never archives town-square or direct and group channels', async () => {
    for (const c of [f.townSquare, f.direct, f.group]) {
      const e = await expectError(() => alice.client.deleteChannel(c.id));
      expect(e.status_code, c.name).toBe(400);
      expect((await alice.client.getChannel(c.id)).delete_at).toBe(0);
    }
  });

  it('converts between public and private (team admins only) and tells the team', async () => {
    const c = await createChannel(alice, 'O');
    await bob.client.addToChannel(bob.user.id, c.id);
    const e = await expectError(() => bob.client.updateChannelPrivacy(c.id, 'P'));
    expect(e.status_code).toBe(403);
    log.clear();
    const priv = await alice.client.updateChannelPrivacy(c.id, 'P');
    expect(priv.type).toBe('P');
    const ev = log.named('channel_converted');
    expect(ev.map(audienceOf)).toEqual([['team', f.team.id]]);
    expect(ev[0]!.data).toEqual({ channel_id: c.id });
    // Mallory is no longer in a position to see it.
    expect(await refusal(() => mallory.client.getChannel(c.id))).toEqual(
      await refusal(() => mallory.client.getChannel(UNKNOWN_ID)),
    );
    // A team admin outside a private channel cannot see it either.
    const outsideAdmin = await createChannel(bob, 'P');
    expect(
      (await expectError(() => alice.client.updateChannelPrivacy(outsideAdmin.id, 'O'))).status_code,
    ).toBe(404);
    const pub = await alice.client.updateChannelPrivacy(c.id, 'O');
    expect(pub.type).toBe('O');
    expect((await mallory.client.getChannel(c.id)).id).toBe(c.id);
    const bad = await rawApi(server, alice, 'PUT', `/channels/${c.id}/privacy`, { privacy: 'D' });
    expect(bad.status).toBe(400);
    const ts = await expectError(() => alice.client.updateChannelPrivacy(f.townSquare.id, 'P'));
    expect(ts.status_code).toBe(400);
    const dm = await expectError(() => alice.client.updateChannelPrivacy(f.direct.id, 'O'));
    expect(dm.status_code).toBe(400);
  });
});

describe('channel members', () => {
  it('lists members with paging, by ids and one by one', async () => {
    const all = await alice.client.getChannelMembers(f.townSquare.id, 0, 60);
    expect(all.map((m) => m.user_id).sort()).toEqual(
      [alice.user.id, bob.user.id, carol.user.id, mallory.user.id].sort(),
    );
    const p1 = await alice.client.getChannelMembers(f.townSquare.id, 1, 3);
    expect(p1).toHaveLength(1);
    const byIds = await bob.client.getChannelMembersByIds(f.privateChannel.id, [
      alice.user.id,
      mallory.user.id,
    ]);
    expect(byIds.map((m) => m.user_id)).toEqual([alice.user.id]);
    const m = await bob.client.getChannelMember(f.privateChannel.id, alice.user.id);
    expect(m.roles).toBe('channel_user channel_admin');
    const missing = await expectError(() =>
      bob.client.getChannelMember(f.privateChannel.id, mallory.user.id),
    );
    expect(missing.status_code).toBe(404);
  });

  it('lets a team member join a public channel, and tells the channel', async () => {
    const c = await createChannel(alice, 'O');
    log.clear();
    const m = await mallory.client.addToChannel(mallory.user.id, c.id);
    expect(m).toMatchObject({ channel_id: c.id, user_id: mallory.user.id, roles: 'channel_user' });
    const ev = log.named('user_added');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.data).toEqual({ user_id: mallory.user.id, team_id: f.team.id });
    expect(audienceOf(ev[0]!)).toEqual(['channel', c.id]);
    // Joining again answers the same membership and tells nobody.
    await mallory.client.addToChannel(mallory.user.id, c.id);
    expect(log.named('user_added')).toHaveLength(1);
  });

  it('lets members add people to a private channel; the newcomer is in the audience of their own join', async () => {
    const c = await createChannel(alice, 'P');
    await alice.client.addToChannel(bob.user.id, c.id);
    log.clear();
    await bob.client.addToChannel(carol.user.id, c.id);
    const ev = log.named('user_added');
    expect(ev.map(audienceOf)).toEqual([['users', ...[alice.user.id, bob.user.id, carol.user.id].sort()]]);
    expect((await carol.client.getChannel(c.id)).id).toBe(c.id);
    const batch = await alice.client.addToChannels([mallory.user.id], c.id);
    expect(batch.map((m) => m.user_id)).toEqual([mallory.user.id]);
  });

  it('refuses to add people outside the team, unknown users, and anyone to direct channels', async () => {
    const outsider = await server.persona(uniq('outsider'));
    const c = await createChannel(alice, 'P');
    const e = await expectError(() => alice.client.addToChannel(outsider.user.id, c.id));
    expect(e.status_code).toBe(400);
    expect((await expectError(() => alice.client.addToChannel(UNKNOWN_ID, c.id))).status_code).toBe(404);
    expect((await expectError(() => alice.client.addToChannel(carol.user.id, f.direct.id))).status_code).toBe(
      400,
    );
    expect(
      (await expectError(() => alice.client.addToChannel(mallory.user.id, f.group.id))).status_code,
    ).toBe(400);
    for (const body of [{}, { user_id: 5 }, { user_id: 'short' }, { user_ids: 'x' }, { user_ids: [] }, []]) {
      const r = await rawApi(server, alice, 'POST', `/channels/${c.id}/members`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    expect((await alice.client.getChannelMembers(c.id)).map((m) => m.user_id)).toEqual([alice.user.id]);
    // A plain team member who is not in a public channel may not add others to it.
    const pub = await createChannel(alice, 'O');
    expect((await expectError(() => mallory.client.addToChannel(carol.user.id, pub.id))).status_code).toBe(
      403,
    );
  });

  it('removes a member, telling the channel and the removed person separately', async () => {
    const c = await createChannel(alice, 'P');
    await alice.client.addToChannels([bob.user.id, carol.user.id], c.id);
    log.clear();
    await bob.client.removeFromChannel(carol.user.id, c.id);
    const ev = log.named('user_removed');
    expect(ev).toHaveLength(2);
    const toChannel = ev.find((e) => e.data.user_id !== undefined)!;
    const toUser = ev.find((e) => e.data.channel_id !== undefined)!;
    expect(toChannel.data).toEqual({ user_id: carol.user.id, remover_id: bob.user.id });
    expect(audienceOf(toChannel)).toEqual(['users', ...[alice.user.id, bob.user.id].sort()]);
    expect(toUser.data).toEqual({ channel_id: c.id, remover_id: bob.user.id });
    expect(audienceOf(toUser)).toEqual(['users', carol.user.id]);
    expect((await expectError(() => carol.client.getChannel(c.id))).status_code).toBe(404);
    expect((await expectError(() => bob.client.removeFromChannel(carol.user.id, c.id))).status_code).toBe(
      404,
    );
    // Leaving oneself.
    await bob.client.removeFromChannel(bob.user.id, c.id);
    expect((await alice.client.getChannelMembers(c.id)).map((m) => m.user_id)).toEqual([alice.user.id]);
  });

  it('keeps everyone in town-square and direct channels; group members may only leave themselves', async () => {
    const ts = await expectError(() => bob.client.removeFromChannel(bob.user.id, f.townSquare.id));
    expect(ts).toMatchObject({ status_code: 400, server_error_id: 'api.channel.remove.default.app_error' });
    const dm = await expectError(() => bob.client.removeFromChannel(bob.user.id, f.direct.id));
    expect(dm.status_code).toBe(400);
    const g = await alice.client.createGroupChannel([alice.user.id, bob.user.id, mallory.user.id]);
    expect((await expectError(() => alice.client.removeFromChannel(bob.user.id, g.id))).status_code).toBe(
      400,
    );
    await mallory.client.removeFromChannel(mallory.user.id, g.id);
    expect((await alice.client.getChannelMembers(g.id)).map((m) => m.user_id).sort()).toEqual(
      [alice.user.id, bob.user.id].sort(),
    );
  });

  it('marks a channel viewed: counts catch up, mentions clear, the viewer is told', async () => {
    const c = await createChannel(alice, 'P');
    await alice.client.addToChannel(bob.user.id, c.id);
    await alice.client.createPost({ channel_id: c.id, message: 'one' } as Post);
    await alice.client.createPost({ channel_id: c.id, message: 'two @bob' } as Post);
    const total = (await bob.client.getChannel(c.id)) as ServerChannel;
    expect(total.total_msg_count).toBe(2);
    const before = await bob.client.getMyChannelMember(c.id);
    expect(before).toMatchObject({ msg_count: 0, mention_count: 1 });
    log.clear();
    const res = await bob.client.viewMyChannel(c.id);
    expect(res.status).toBe('OK');
    const at = res.last_viewed_at_times[c.id];
    expect(at).toEqual(expect.any(Number));
    const after = await bob.client.getMyChannelMember(c.id);
    expect(after).toMatchObject({
      msg_count: 2,
      mention_count: 0,
      mention_count_root: 0,
      last_viewed_at: at,
    });
    const ev = log.named('multiple_channels_viewed');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.data).toEqual({ channel_times: { [c.id]: at } });
    expect(audienceOf(ev[0]!)).toEqual(['users', bob.user.id]);
    // prev_channel_id is marked too; other users' views may not be set.
    const prev = await rawApi(server, bob, 'POST', '/channels/members/me/view', {
      channel_id: f.townSquare.id,
      prev_channel_id: c.id,
    });
    expect(prev.status).toBe(200);
    expect(Object.keys(prev.body.last_viewed_at_times as object).sort()).toEqual(
      [c.id, f.townSquare.id].sort(),
    );
    const other = await rawApi(server, bob, 'POST', `/channels/members/${alice.user.id}/view`, {
      channel_id: c.id,
    });
    expect(other.status).toBe(403);
    for (const body of [{ channel_id: 5 }, { channel_id: 'short' }, { channel_id: { $ne: 1 } }, []]) {
      const r = await rawApi(server, bob, 'POST', '/channels/members/me/view', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('updates notify props and roles of a membership and tells the member', async () => {
    log.clear();
    await bob.client.updateChannelNotifyProps({
      channel_id: f.publicChannel.id,
      user_id: bob.user.id,
      desktop: 'all',
    } as never);
    expect((await bob.client.getMyChannelMember(f.publicChannel.id)).notify_props).toMatchObject({
      desktop: 'all',
      mark_unread: 'all',
    });
    const ev = log.named('channel_member_updated');
    expect(ev.map(audienceOf)).toEqual([['users', bob.user.id]]);
    expect(JSON.parse(ev[0]!.data.channelMember as string)).toMatchObject({ user_id: bob.user.id });
    const bad = await rawApi(server, bob, 'PUT', `/channels/${f.publicChannel.id}/members/me/notify_props`, {
      desktop: { a: 1 },
    });
    expect(bad.status).toBe(400);
    // Mattermost's value sets for the settings it knows; nothing changes on a refusal.
    for (const body of [
      { desktop: 'loud' },
      { mark_unread: 'none' },
      { ignore_channel_mentions: 'yes' },
      { push: 'all', channel_auto_follow_threads: 'maybe' },
    ]) {
      const r = await rawApi(
        server,
        bob,
        'PUT',
        `/channels/${f.publicChannel.id}/members/me/notify_props`,
        body,
      );
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect((r.body as { id: string }).id).toBe('model.channel_member.is_valid.notify_level.app_error');
    }
    const kept = (await bob.client.getMyChannelMember(f.publicChannel.id)).notify_props;
    expect(kept).toMatchObject({ desktop: 'all', push: 'default', mark_unread: 'all' });
    await bob.client.updateChannelNotifyProps({
      channel_id: f.publicChannel.id,
      user_id: bob.user.id,
      mark_unread: 'mention',
      email: 'false',
      desktop_notification_sound: 'Bing',
    } as never);
    expect((await bob.client.getMyChannelMember(f.publicChannel.id)).notify_props).toMatchObject({
      mark_unread: 'mention',
      email: 'false',
      desktop_notification_sound: 'Bing',
    });
    const foreign = await rawApi(
      server,
      bob,
      'PUT',
      `/channels/${f.publicChannel.id}/members/${alice.user.id}/notify_props`,
      { desktop: 'none' },
    );
    expect(foreign.status).toBe(403);

    await alice.client.updateChannelMemberRoles(
      f.publicChannel.id,
      bob.user.id,
      'channel_user channel_admin',
    );
    expect((await bob.client.getMyChannelMember(f.publicChannel.id)).roles).toBe(
      'channel_user channel_admin',
    );
    await alice.client.updateChannelMemberSchemeRoles(f.publicChannel.id, bob.user.id, true, false);
    expect((await bob.client.getMyChannelMember(f.publicChannel.id)).scheme_admin).toBe(false);
    const plain = await expectError(() =>
      bob.client.updateChannelMemberRoles(f.publicChannel.id, bob.user.id, 'channel_user channel_admin'),
    );
    expect(plain.status_code).toBe(403);
    const nonsense = await rawApi(
      server,
      alice,
      'PUT',
      `/channels/${f.publicChannel.id}/members/${bob.user.id}/roles`,
      {
        roles: 'system_admin',
      },
    );
    expect(nonsense.status).toBe(400);
  });
});

describe('Mallory and the private channels', () => {
  it('gets the same answer for every route on a private, direct or group channel as for an unknown id', async () => {
    const calls: [string, (id: string) => Promise<unknown>][] = [
      ['get', (id) => mallory.client.getChannel(id)],
      ['members', (id) => mallory.client.getChannelMembers(id)],
      ['member', (id) => mallory.client.getChannelMember(id, alice.user.id)],
      ['member ids', (id) => mallory.client.getChannelMembersByIds(id, [alice.user.id])],
      ['stats', (id) => mallory.client.getChannelStats(id)],
      ['timezones', (id) => mallory.client.getChannelTimezones(id)],
      ['patch', (id) => mallory.client.patchChannel(id, { header: 'pwned' })],
      ['update', (id) => mallory.client.updateChannel({ id, header: 'pwned' } as Channel)],
      ['delete', (id) => mallory.client.deleteChannel(id)],
      ['restore', (id) => mallory.client.unarchiveChannel(id)],
      ['privacy', (id) => mallory.client.updateChannelPrivacy(id, 'O')],
      ['join', (id) => mallory.client.addToChannel(mallory.user.id, id)],
      ['add', (id) => mallory.client.addToChannel(carol.user.id, id)],
      ['remove', (id) => mallory.client.removeFromChannel(alice.user.id, id)],
      ['view', (id) => mallory.client.viewMyChannel(id)],
      ['mark read', (id) => mallory.client.readMultipleChannels([id])],
      [
        'notify props',
        (id) =>
          mallory.client.updateChannelNotifyProps({ channel_id: id, user_id: mallory.user.id } as never),
      ],
      [
        'roles',
        (id) => mallory.client.updateChannelMemberRoles(id, mallory.user.id, 'channel_user channel_admin'),
      ],
      ['posts', (id) => mallory.client.getPosts(id)],
    ];
    for (const channel of [f.privateChannel, f.direct, f.group]) {
      for (const [label, call] of calls) {
        const hidden = await refusal(() => call(channel.id));
        expect(hidden, `${label} on ${channel.type}`).toEqual(await refusal(() => call(UNKNOWN_ID)));
        expect(hidden.status, label).toBe(404);
      }
    }
    const byName = await refusal(() => mallory.client.getChannelByName(f.team.id, f.privateChannel.name));
    expect(byName).toEqual(
      await refusal(() => mallory.client.getChannelByName(f.team.id, 'no-such-channel')),
    );
    const byTeamName = await refusal(() =>
      mallory.client.getChannelByNameAndTeamName(f.team.name, f.privateChannel.name),
    );
    expect(byTeamName).toEqual(
      await refusal(() => mallory.client.getChannelByNameAndTeamName(f.team.name, 'no-such-channel')),
    );

    // Nothing changed.
    const c = await alice.client.getChannel(f.privateChannel.id);
    expect(c).toMatchObject({ header: f.privateChannel.header, type: 'P', delete_at: 0 });
    expect((await alice.client.getChannelMembers(f.privateChannel.id)).map((m) => m.user_id).sort()).toEqual(
      [alice.user.id, bob.user.id].sort(),
    );
  });

  it('hears none of the private channel’s events', async () => {
    log.clear();
    await alice.client.patchChannel(f.privateChannel.id, { purpose: 'secret plans' });
    await alice.client.addToChannel(carol.user.id, f.privateChannel.id);
    await alice.client.removeFromChannel(carol.user.id, f.privateChannel.id);
    await bob.client.viewMyChannel(f.privateChannel.id);
    expect(log.all.length).toBeGreaterThanOrEqual(4);
    for (const e of log.all) {
      expect(e.audience.kind, e.event).toBe('users');
      if (e.audience.kind === 'users') expect(e.audience.userIds, e.event).not.toContain(mallory.user.id);
    }
  });

  it('is refused team-level channel routes of a team she is not on, as for an unknown team', async () => {
    const g = await createFixture(server, { malloryOnTeam: false });
    const calls: [string, (teamId: string) => Promise<unknown>][] = [
      ['list', (t) => mallory.client.getChannels(t)],
      ['archived', (t) => mallory.client.getArchivedChannels(t)],
      ['by name', (t) => mallory.client.getChannelByName(t, 'town-square')],
      ['search', (t) => mallory.client.searchChannels(t, 'town')],
      ['create', (t) => createChannel(mallory, 'O', 'intruder', t)],
      ['my channels', (t) => mallory.client.getMyChannels(t)],
      ['my members', (t) => mallory.client.getMyChannelMembers(t)],
    ];
    for (const [label, call] of calls) {
      const hidden = await refusal(() => call(g.team.id));
      expect(hidden, label).toEqual(await refusal(() => call(UNKNOWN_ID)));
    }
    for (const c of [g.townSquare, g.publicChannel]) {
      expect(await refusal(() => mallory.client.getChannel(c.id))).toEqual(
        await refusal(() => mallory.client.getChannel(UNKNOWN_ID)),
      );
      expect(await refusal(() => mallory.client.addToChannel(mallory.user.id, c.id))).toEqual(
        await refusal(() => mallory.client.addToChannel(mallory.user.id, UNKNOWN_ID)),
      );
    }
    const searched = (await mallory.client.searchAllChannels(g.publicChannel.name, {
      nonAdminSearch: true,
    })) as Channel[];
    expect(searched.map((c) => c.id)).not.toContain(g.publicChannel.id);
  });
});

describe('bad input on every channel route', () => {
  it('answers malformed ids and bodies with 4xx and an error id, never 500', async () => {
    const id = f.publicChannel.id;
    const cases: [string, string, unknown?][] = [
      ['GET', '/channels/not-an-id'],
      ['GET', `/channels/${'Z'.repeat(26)}`],
      ['GET', `/channels/${id}/members?page=-1`],
      ['GET', `/channels/${id}/members?per_page=lots`],
      ['GET', `/channels/${id}/members/not-an-id`],
      ['POST', `/channels/${id}/members/ids`, [1, 2]],
      ['POST', `/channels/${id}/members/ids`, { ids: [] }],
      ['PUT', `/channels/${id}/patch`, [1]],
      ['PUT', `/channels/${id}/patch`, 'null'],
      ['PUT', `/channels/${id}/privacy`, { privacy: ['O'] }],
      ['PUT', `/channels/${id}`, { id: { $ne: null } }],
      ['GET', `/teams/${f.team.id}/channels/name/${'n'.repeat(65)}`],
      ['GET', `/teams/${f.team.id}/channels?page=1e3`],
      ['GET', `/users/me/teams/${f.team.id}/channels?include_deleted=maybe`],
      ['POST', '/channels/search', { term: 'x', team_ids: 'all' }],
      ['POST', '/channels/search', { term: 'x', per_page: -5 }],
      ['POST', '/channels/search', { term: 'x', include_deleted: 'yes' }],
      ['POST', '/channels/members/me/view', { channel_id: id, prev_channel_id: 12 }],
      ['POST', '/channels/members/me/mark_read', [id, 'nope']],
      ['DELETE', `/channels/${id}/members/${'Q'.repeat(26)}`],
      ['PUT', `/channels/${id}/members/me/schemeRoles`, { scheme_admin: 'true', scheme_user: true }],
      ['POST', '/channels/direct', 'not json'],
    ];
    const before = await alice.client.getChannel(id);
    for (const [method, path, body] of cases) {
      const r = await rawApi(server, admin, method, path, body);
      expect(r.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(r.status, `${method} ${path}`).toBeLessThan(500);
      expect(r.body.id, `${method} ${path}`).toEqual(expect.any(String));
    }
    expect(await alice.client.getChannel(id)).toEqual(before);
  });

  it('needs a session', async () => {
    const r = await rawApi(server, undefined, 'GET', `/channels/${f.publicChannel.id}`);
    expect(r.status).toBe(401);
  });
});
