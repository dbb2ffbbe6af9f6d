import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Team } from '@mattermost/types/teams';
import type { Post } from '@mattermost/types/posts';
import { ChannelStore } from '../../src/store/channels.js';
import { TeamStore } from '../../src/store/teams.js';
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
  f = await createFixture(server, { malloryOnTeam: false });
  ({ admin, alice, bob, carol, mallory } = f);
  log = recordEvents(server);
});
afterAll(async () => {
  log.stop();
  await server.close();
});

const newTeam = (p: Persona, name: string, type: 'O' | 'I' = 'O') =>
  p.client.createTeam({
    name,
    display_name: name.toUpperCase(),
    type,
    allow_open_invite: type === 'O',
  } as Team);

const listTeams = async (p: Persona, perPage: number) => (await p.client.getTeams(0, perPage)) as Team[];

/** The status and error id of a failed call: what an outsider learns. */
async function refusal(fn: () => Promise<unknown>) {
  const e = await expectError(fn);
  return { status: e.status_code, id: e.server_error_id };
}

describe('creating teams', () => {
  it('creates the team with town-square and off-topic and makes the creator team admin in both', async () => {
    log.clear();
    const t = await newTeam(bob, 'bobs-place');
    expect(t.id).toMatch(/^[a-z0-9]{26}$/);
    expect(t).toMatchObject({
      name: 'bobs-place',
      display_name: 'BOBS-PLACE',
      type: 'O',
      allow_open_invite: true,
      delete_at: 0,
    });
    expect(t.invite_id).toMatch(/^[a-z0-9]{26}$/);
    const member = await bob.client.getTeamMember(t.id, bob.user.id);
    expect(member).toMatchObject({ team_id: t.id, user_id: bob.user.id, roles: 'team_user team_admin' });
    expect(member.scheme_admin).toBe(true);
    // getMyChannels also lists bob's direct and group channels (team_id '').
    const channels = (await bob.client.getMyChannels(t.id)).filter((c) => c.team_id !== '');
    expect(channels.map((c) => c.name).sort()).toEqual(['off-topic', 'town-square']);
    expect(channels.every((c) => c.type === 'O' && c.team_id === t.id)).toBe(true);
    const added = log.named('added_to_team');
    expect(added).toHaveLength(1);
    expect(added[0]!.data).toEqual({ team_id: t.id, user_id: bob.user.id });
    expect(audienceOf(added[0]!)).toEqual(['users', bob.user.id]);
    expect(
      log
        .named('user_added')
        .map((e) => e.broadcast.channel_id)
        .sort(),
    ).toEqual(channels.map((c) => c.id).sort());
  });

  it('keeps a team closed unless allow_open_invite is asked for', async () => {
    const t = await bob.client.createTeam({ name: 'plain-o', display_name: 'Plain', type: 'O' } as Team);
    expect(t.allow_open_invite).toBe(false);
    expect((await listTeams(mallory, 200)).map((x) => x.id)).not.toContain(t.id);
    const e = await expectError(() => mallory.client.addToTeam(t.id, mallory.user.id));
    expect(e.status_code).toBe(404);
  });

  it('refuses a duplicate name with 400 and leaves the existing team untouched', async () => {
    const before = await alice.client.getTeam(f.team.id);
    const e = await expectError(() => newTeam(bob, f.team.name));
    expect(e.status_code).toBe(400);
    expect(e.server_error_id).toBe('app.team.save.existing.app_error');
    expect(await alice.client.getTeam(f.team.id)).toEqual(before);
    expect((await bob.client.getMyTeams()).filter((t) => t.name === f.team.name)).toHaveLength(1);
  });

  it('answers bad input with 400 and an error id, and creates nothing', async () => {
    const cases: [string, unknown][] = [
      ['no name', { display_name: 'X', type: 'O' }],
      ['name as number', { name: 42, display_name: 'X', type: 'O' }],
      ['name as object', { name: { $ne: null }, display_name: 'X', type: 'O' }],
      ['name as array', { name: ['a', 'b'], display_name: 'X', type: 'O' }],
      ['name too short', { name: 'a', display_name: 'X', type: 'O' }],
      ['name too long', { name: 'a'.repeat(65), display_name: 'X', type: 'O' }],
      ['upper-case name', { name: 'BadName', display_name: 'X', type: 'O' }],
      ['name with spaces', { name: 'bad name', display_name: 'X', type: 'O' }],
      ['name with double underscore', { name: 'bad__name', display_name: 'X', type: 'O' }],
      ['reserved name', { name: 'admin', display_name: 'X', type: 'O' }],
      ['SQL in name', { name: "x'; drop table teams; --", display_name: 'X', type: 'O' }],
      ['no display name', { name: 'fine-name', type: 'O' }],
      ['blank display name', { name: 'fine-name', display_name: '   ', type: 'O' }],
      ['display name object', { name: 'fine-name', display_name: { a: 1 }, type: 'O' }],
      ['display name too long', { name: 'fine-name', display_name: 'é'.repeat(65), type: 'O' }],
      ['bad type', { name: 'fine-name', display_name: 'X', type: 'X' }],
      ['allow_open_invite string', { name: 'fine-name', display_name: 'X', allow_open_invite: 'yes' }],
      ['description too long', { name: 'fine-name', display_name: 'X', description: 'd'.repeat(256) }],
      ['array body', [{ name: 'fine-name', display_name: 'X' }]],
      ['string body', '"fine-name"'],
    ];
    const before = await listTeams(admin, 200);
    for (const [label, body] of cases) {
      const r = await rawApi(server, alice, 'POST', '/teams', body);
      expect(r.status, label).toBe(400);
      expect(r.body.id, label).toEqual(expect.any(String));
      expect(r.body.status_code, label).toBe(400);
    }
    expect(await listTeams(admin, 200)).toEqual(before);
  });

  it('refuses malformed JSON with 400', async () => {
    const r = await rawApi(server, alice, 'POST', '/teams', '{"name": ');
    expect(r.status).toBe(400);
    expect(r.body.id).toEqual(expect.any(String));
  });
});

describe('reading teams', () => {
  let open: Team;
  beforeAll(async () => {
    open = await newTeam(carol, 'carols-open');
  });

  it('lists every team to the admin and only open teams to others, with a total on request', async () => {
    const adminList = await listTeams(admin, 200);
    expect(adminList.map((t) => t.id)).toEqual(expect.arrayContaining([f.team.id, open.id]));
    const malloryList = await listTeams(mallory, 200);
    expect(malloryList.map((t) => t.id)).toContain(open.id);
    expect(malloryList.map((t) => t.id)).not.toContain(f.team.id);
    expect(malloryList.every((t) => t.allow_open_invite)).toBe(true);
    const withTotal = (await mallory.client.getTeams(0, 1, true)) as unknown as {
      teams: Team[];
      total_count: number;
    };
    expect(withTotal.teams).toHaveLength(1);
    expect(withTotal.total_count).toBe(malloryList.length);
  });

  it('hides invite ids and e-mail of teams from people outside them', async () => {
    const seen = await mallory.client.getTeam(open.id);
    expect(seen.invite_id).toBe('');
    expect(seen.email).toBe('');
    expect((await listTeams(mallory, 200)).find((t) => t.id === open.id)!.invite_id).toBe('');
    expect((await carol.client.getTeam(open.id)).invite_id).toMatch(/^[a-z0-9]{26}$/);
  });

  it('gets a team by id and by name for members', async () => {
    expect((await bob.client.getTeam(f.team.id)).name).toBe(f.team.name);
    expect((await bob.client.getTeamByName(f.team.name)).id).toBe(f.team.id);
    expect(await bob.client.checkIfTeamExists(f.team.name)).toEqual({ exists: true });
    expect(await bob.client.checkIfTeamExists('no-such-team')).toEqual({ exists: false });
  });

  it('answers an outsider about an invite-only team exactly as about a team that does not exist', async () => {
    const hidden = await refusal(() => mallory.client.getTeam(f.team.id));
    expect(hidden).toEqual(await refusal(() => mallory.client.getTeam(UNKNOWN_ID)));
    expect(hidden.status).toBe(404);
    expect(await refusal(() => mallory.client.getTeamByName(f.team.name))).toEqual(
      await refusal(() => mallory.client.getTeamByName('no-such-team')),
    );
    expect(await mallory.client.checkIfTeamExists(f.team.name)).toEqual({ exists: false });
    for (const call of [
      (id: string) => mallory.client.getTeamMembers(id),
      (id: string) => mallory.client.getTeamMember(id, alice.user.id),
      (id: string) => mallory.client.getTeamMembersByIds(id, [alice.user.id]),
      (id: string) => mallory.client.getTeamStats(id),
      (id: string) => mallory.client.patchTeam({ id, display_name: 'pwned' } as Team),
      (id: string) => mallory.client.deleteTeam(id),
      (id: string) => mallory.client.regenerateTeamInviteId(id),
      (id: string) => mallory.client.addToTeam(id, mallory.user.id),
      (id: string) => mallory.client.removeFromTeam(id, alice.user.id),
      (id: string) => mallory.client.getChannels(id),
    ]) {
      expect(await refusal(() => call(f.team.id))).toEqual(await refusal(() => call(UNKNOWN_ID)));
    }
    expect((await alice.client.getTeam(f.team.id)).display_name).toBe(f.team.display_name);
    expect((await alice.client.getTeamMembers(f.team.id)).map((m) => m.user_id)).not.toContain(
      mallory.user.id,
    );
  });

  it('answers malformed ids with 400', async () => {
    for (const path of ['/teams/not-an-id', '/teams/' + 'A'.repeat(26), '/teams/' + 'a'.repeat(27)]) {
      const r = await rawApi(server, alice, 'GET', path);
      expect(r.status, path).toBe(400);
      expect(r.body.id).toBe('api.context.invalid_url_param.app_error');
    }
  });

  it('reports team stats', async () => {
    const stats = await alice.client.getTeamStats(f.team.id);
    expect(stats).toEqual({ team_id: f.team.id, total_member_count: 3, active_member_count: 3 });
  });
});

describe('changing teams', () => {
  it('lets the team admin patch the team and tells the team', async () => {
    log.clear();
    const t = await alice.client.patchTeam({
      id: f.team.id,
      display_name: 'Renamed',
      description: 'About us',
    } as Team);
    expect(t).toMatchObject({ display_name: 'Renamed', description: 'About us', name: f.team.name });
    expect((await bob.client.getTeam(f.team.id)).display_name).toBe('Renamed');
    const ev = log.named('update_team');
    expect(ev).toHaveLength(1);
    expect(audienceOf(ev[0]!)).toEqual(['team', f.team.id]);
    expect(JSON.parse(ev[0]!.data.team as string)).toMatchObject({ id: f.team.id, display_name: 'Renamed' });
  });

  it('refuses patches from plain members (403) and bad values (400), changing nothing', async () => {
    const before = await alice.client.getTeam(f.team.id);
    const e = await expectError(() => bob.client.patchTeam({ id: f.team.id, display_name: 'bob' } as Team));
    expect(e.status_code).toBe(403);
    for (const body of [
      { display_name: '' },
      { display_name: 7 },
      { description: 'x'.repeat(256) },
      { allow_open_invite: 'true' },
      { type: 'Z' },
      { company_name: { a: 1 } },
    ]) {
      const r = await rawApi(server, alice, 'PUT', `/teams/${f.team.id}/patch`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.id).toEqual(expect.any(String));
    }
    const put = await rawApi(server, alice, 'PUT', `/teams/${f.team.id}`, { ...before, id: UNKNOWN_ID });
    expect(put.status).toBe(400);
    expect(await alice.client.getTeam(f.team.id)).toEqual(before);
  });

  it('updates with PUT when the body names the team', async () => {
    const before = await alice.client.getTeam(f.team.id);
    const t = await alice.client.updateTeam({ ...before, company_name: 'ACME' });
    expect(t.company_name).toBe('ACME');
  });

  it('regenerates the invite id; the old one stops working', async () => {
    const t = await newTeam(alice, 'invite-rotation', 'I');
    const old = t.invite_id;
    const fresh = await alice.client.regenerateTeamInviteId(t.id);
    expect(fresh.invite_id).toMatch(/^[a-z0-9]{26}$/);
    expect(fresh.invite_id).not.toBe(old);
    const e = await expectError(() => mallory.client.joinTeam(old));
    expect(e.status_code).toBe(400);
    expect(e.server_error_id).toBe('api.team.invite_id.invalid');
    const m = await mallory.client.joinTeam(fresh.invite_id);
    expect(m).toMatchObject({ team_id: t.id, user_id: mallory.user.id, roles: 'team_user' });
    expect((await mallory.client.getMyChannels(t.id)).map((c) => c.name).sort()).toEqual([
      'off-topic',
      'town-square',
    ]);
    const plain = await expectError(() => mallory.client.regenerateTeamInviteId(t.id));
    expect(plain.status_code).toBe(403);
  });

  it('archives a team (admin or team admin only), tells the team, and restores it', async () => {
    const t = await newTeam(alice, 'to-archive', 'I');
    await alice.client.addToTeam(t.id, bob.user.id);
    expect((await expectError(() => bob.client.deleteTeam(t.id))).status_code).toBe(403);
    log.clear();
    await alice.client.deleteTeam(t.id);
    const ev = log.named('delete_team');
    expect(ev).toHaveLength(1);
    expect(audienceOf(ev[0]!)).toEqual(['team', t.id]);
    const archived = await bob.client.getTeam(t.id);
    expect(archived.delete_at).toBeGreaterThan(0);
    expect((await listTeams(admin, 200)).map((x) => x.id)).not.toContain(t.id);
    const join = await expectError(() => alice.client.addToTeam(t.id, carol.user.id));
    expect(join.status_code).toBe(400);
    expect(await expectError(() => carol.client.joinTeam(t.invite_id))).toMatchObject({ status_code: 400 });
    const restored = await admin.client.unarchiveTeam(t.id);
    expect(restored.delete_at).toBe(0);
    expect(log.named('restore_team')).toHaveLength(1);
  });
});

describe('team members', () => {
  it('lets anyone join an open team themselves, and nobody join an invite-only team uninvited', async () => {
    const open = await newTeam(alice, 'open-house');
    log.clear();
    const m = await mallory.client.addToTeam(open.id, mallory.user.id);
    expect(m).toMatchObject({ team_id: open.id, user_id: mallory.user.id, roles: 'team_user' });
    expect(log.named('added_to_team').map(audienceOf)).toEqual([['users', mallory.user.id]]);
    const closed = await newTeam(alice, 'closed-house', 'I');
    const e = await refusal(() => mallory.client.addToTeam(closed.id, mallory.user.id));
    expect(e).toEqual(await refusal(() => mallory.client.addToTeam(UNKNOWN_ID, mallory.user.id)));
    expect((await alice.client.getTeamMembers(closed.id)).map((x) => x.user_id)).toEqual([alice.user.id]);
  });

  it('lets a member add someone, and refuses unknown users and bad bodies', async () => {
    const t = await newTeam(alice, 'adders', 'I');
    await alice.client.addToTeam(t.id, bob.user.id);
    const m = await bob.client.addToTeam(t.id, carol.user.id);
    expect(m.user_id).toBe(carol.user.id);
    // Adding twice answers the same membership.
    expect((await bob.client.addToTeam(t.id, carol.user.id)).user_id).toBe(carol.user.id);
    expect((await expectError(() => bob.client.addToTeam(t.id, UNKNOWN_ID))).status_code).toBe(404);
    for (const body of [{}, { user_id: 5 }, { user_id: { $gt: '' } }, { user_id: 'short' }, []]) {
      const r = await rawApi(server, bob, 'POST', `/teams/${t.id}/members`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    const r = await rawApi(server, bob, 'POST', `/teams/${t.id}/members`, {
      user_id: mallory.user.id,
      team_id: f.team.id,
    });
    expect(r.status).toBe(400);
    expect((await alice.client.getTeamMembers(t.id)).map((x) => x.user_id).sort()).toEqual(
      [alice.user.id, bob.user.id, carol.user.id].sort(),
    );
  });

  it('adds several people at once, all or none', async () => {
    const t = await newTeam(alice, 'batch-add', 'I');
    const none = await expectError(() => alice.client.addUsersToTeam(t.id, [bob.user.id, UNKNOWN_ID]));
    expect(none.status_code).toBe(404);
    expect((await alice.client.getTeamMembers(t.id)).map((m) => m.user_id)).toEqual([alice.user.id]);
    const added = await alice.client.addUsersToTeam(t.id, [bob.user.id, carol.user.id]);
    expect(added.map((m) => m.user_id).sort()).toEqual([bob.user.id, carol.user.id].sort());
    const bad = await rawApi(server, alice, 'POST', `/teams/${t.id}/members/batch`, [{ user_id: 'x' }]);
    expect(bad.status).toBe(400);
    const outsider = await expectError(() => mallory.client.addUsersToTeam(t.id, [mallory.user.id]));
    expect(outsider.status_code).toBe(404);
  });

  it('refuses a missing or unknown invite id', async () => {
    const r = await rawApi(server, mallory, 'POST', '/teams/members/invite');
    expect(r.status).toBe(400);
    expect((await expectError(() => mallory.client.joinTeam('nonsense'))).status_code).toBe(400);
  });

  it('lists members with paging, by id and one by one', async () => {
    const all = await alice.client.getTeamMembers(f.team.id, 0, 60);
    expect(all.map((m) => m.user_id).sort()).toEqual([alice.user.id, bob.user.id, carol.user.id].sort());
    const p0 = await alice.client.getTeamMembers(f.team.id, 0, 2);
    const p1 = await alice.client.getTeamMembers(f.team.id, 1, 2);
    expect(p0).toHaveLength(2);
    expect(p1).toHaveLength(1);
    expect([...p0, ...p1].map((m) => m.user_id)).toEqual(all.map((m) => m.user_id));
    const byIds = await bob.client.getTeamMembersByIds(f.team.id, [carol.user.id, mallory.user.id]);
    expect(byIds.map((m) => m.user_id)).toEqual([carol.user.id]);
    const e = await expectError(() => bob.client.getTeamMember(f.team.id, mallory.user.id));
    expect(e.status_code).toBe(404);
    const bad = await rawApi(server, bob, 'GET', `/teams/${f.team.id}/members?per_page=abc`);
    expect(bad.status).toBe(400);
    const badIds = await rawApi(server, bob, 'POST', `/teams/${f.team.id}/members/ids`, ['nope']);
    expect(badIds.status).toBe(400);
  });

  it('removes a leaver from the team and all its channels, telling the team, the user and the channels', async () => {
    const g = await createFixture(server);
    log.clear();
    await g.carol.client.removeFromTeam(g.team.id, g.carol.user.id);
    const leave = log.named('leave_team');
    expect(leave.map(audienceOf).sort()).toEqual(
      [
        ['team', g.team.id],
        ['users', carol.user.id],
      ].sort(),
    );
    expect(leave[0]!.data).toEqual({ team_id: g.team.id, user_id: carol.user.id });
    const removedFrom = log.named('user_removed').map((e) => e.broadcast.channel_id);
    expect(removedFrom.sort()).toEqual([g.townSquare.id, g.offTopic.id].sort());
    expect((await carol.client.getMyTeams()).map((t) => t.id)).not.toContain(g.team.id);
    expect((await expectError(() => carol.client.getChannel(g.townSquare.id))).status_code).toBe(404);
    // The group channel is not the team's: carol stays in it.
    expect((await carol.client.getChannel(g.group.id)).id).toBe(g.group.id);

    // A plain member may not remove others; the team admin may.
    expect(
      (await expectError(() => g.bob.client.removeFromTeam(g.team.id, g.mallory.user.id))).status_code,
    ).toBe(403);
    await g.alice.client.removeFromTeam(g.team.id, g.bob.user.id);
    expect((await expectError(() => bob.client.getChannel(g.privateChannel.id))).status_code).toBe(404);
    expect((await alice.client.getChannelMembers(g.privateChannel.id)).map((m) => m.user_id)).toEqual([
      alice.user.id,
    ]);
    const again = await expectError(() => g.alice.client.removeFromTeam(g.team.id, g.bob.user.id));
    expect(again.status_code).toBe(404);
  });
});

describe('my teams', () => {
  it('lists my teams and memberships, and refuses other users’ lists to non-admins', async () => {
    const mine = await bob.client.getMyTeams();
    expect(mine.map((t) => t.id)).toContain(f.team.id);
    const members = await bob.client.getMyTeamMembers();
    expect(members.map((m) => m.team_id).sort()).toEqual(mine.map((t) => t.id).sort());
    expect((await expectError(() => mallory.client.getTeamsForUser(bob.user.id))).status_code).toBe(403);
    expect((await expectError(() => mallory.client.getTeamMembersForUser(bob.user.id))).status_code).toBe(
      403,
    );
    expect((await admin.client.getTeamsForUser(bob.user.id)).map((t) => t.id).sort()).toEqual(
      mine.map((t) => t.id).sort(),
    );
  });

  it('counts unread posts and mentions per team, leaving out direct and group channels', async () => {
    const g = await createFixture(server);
    const unreadOf = async (p: Persona) =>
      (await p.client.getMyTeamUnreads()).find((u) => u.team_id === g.team.id)!;
    expect(await unreadOf(bob)).toMatchObject({ team_id: g.team.id, msg_count: 0, mention_count: 0 });
    const post = (channel_id: string, message: string) =>
      g.alice.client.createPost({ channel_id, message } as Post);
    await post(g.publicChannel.id, 'hello');
    await post(g.privateChannel.id, 'hi @bob');
    await post(g.direct.id, 'psst @bob');
    await post(g.group.id, 'all of us');
    const u = await unreadOf(bob);
    expect(u).toMatchObject({ msg_count: 2, mention_count: 1, msg_count_root: 2, mention_count_root: 1 });
    expect(await unreadOf(alice)).toMatchObject({ msg_count: 0, mention_count: 0 });
    await bob.client.viewMyChannel(g.privateChannel.id);
    expect(await unreadOf(bob)).toMatchObject({ msg_count: 1, mention_count: 0 });
    const other = await bob.client.getMyTeamUnreads();
    expect(other.every((x) => typeof x.msg_count === 'number' && typeof x.mention_count === 'number')).toBe(
      true,
    );
    const foreign = await rawApi(server, mallory, 'GET', `/users/${bob.user.id}/teams/unread`);
    expect(foreign.status).toBe(403);
  });
});

describe('writes that span rows', () => {
  async function orphanChannels(): Promise<number> {
    const db = server.db.handle.db;
    const rows = await db
      .selectFrom('channels')
      .select('channels.id')
      .where('channels.team_id', '!=', '')
      .where((eb) =>
        eb.not(
          eb.exists(eb.selectFrom('teams').select('teams.id').whereRef('teams.id', '=', 'channels.team_id')),
        ),
      )
      .execute();
    return rows.length;
  }

  it('leaves nothing behind when creating a team fails half-way', async () => {
    const original = ChannelStore.prototype.insert;
    ChannelStore.prototype.insert = async function (this: ChannelStore, row) {
      if (row.name === 'off-topic') throw new Error('injected failure');
      return original.call(this, row);
    };
    try {
      const r = await rawApi(server, bob, 'POST', '/teams', {
        name: 'half-made',
        display_name: 'H',
        type: 'O',
      });
      expect(r.status).toBe(500);
    } finally {
      ChannelStore.prototype.insert = original;
    }
    expect(await bob.client.checkIfTeamExists('half-made')).toEqual({ exists: false });
    expect(await orphanChannels()).toBe(0);
    expect((await bob.client.getMyTeamMembers()).length).toBe((await bob.client.getMyTeams()).length);
    const t = await newTeam(bob, 'half-made');
    expect(t.name).toBe('half-made');
  });

  it('keeps every membership when leaving a team fails half-way', async () => {
    const g = await createFixture(server);
    const channelsBefore = (await g.bob.client.getMyChannels(g.team.id)).map((c) => c.id).sort();
    const original = TeamStore.prototype.deleteMember;
    TeamStore.prototype.deleteMember = async () => {
      throw new Error('injected failure');
    };
    log.clear();
    try {
      const r = await rawApi(server, g.bob, 'DELETE', `/teams/${g.team.id}/members/${g.bob.user.id}`);
      expect(r.status).toBe(500);
    } finally {
      TeamStore.prototype.deleteMember = original;
    }
    expect(log.all).toEqual([]);
    expect((await g.bob.client.getMyChannels(g.team.id)).map((c) => c.id).sort()).toEqual(channelsBefore);
    expect((await g.bob.client.getTeamMember(g.team.id, g.bob.user.id)).user_id).toBe(g.bob.user.id);
  });
});
