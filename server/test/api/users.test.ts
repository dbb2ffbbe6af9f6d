/**
 * Users routes through Client4: lookups, lists with team/channel filters (and who may use them),
 * autocomplete, search, patch, roles, activation, the default image, and what a response may carry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserProfile } from '@mattermost/types/users';
import { createFixture, recordEvents, type Fixture } from '../helpers/fixtures.js';
import { expectError, getTestServer, PASSWORD, type Persona, type TestServer } from '../helpers/server.js';

let server: TestServer;
let f: Fixture;
let oscar: Persona; // on no team at all
let admin: Persona;

beforeAll(async () => {
  server = await getTestServer();
  f = await createFixture(server);
  admin = f.admin;
  oscar = await server.persona('oscar');
});
afterAll(() => server.close());

const names = (users: UserProfile[]) => users.map((u) => u.username);
const UNKNOWN = 'x'.repeat(26);

describe('lookups', () => {
  it('gets me, by id, by username; unknown ones are 404', async () => {
    const me = await f.alice.client.getMe();
    expect(me).toMatchObject({ id: f.alice.user.id, username: 'alice', email: 'alice@example.com' });
    expect((await f.bob.client.getUser(f.alice.user.id)).username).toBe('alice');
    expect((await f.bob.client.getUserByUsername('ALICE')).id).toBe(f.alice.user.id);
    expect((await expectError(() => f.bob.client.getUser(UNKNOWN))).status_code).toBe(404);
    expect((await expectError(() => f.bob.client.getUserByUsername('nobody'))).status_code).toBe(404);
    expect((await expectError(() => f.bob.client.getUser('not-an-id'))).status_code).toBe(400);
    expect((await expectError(() => server.client().getUser(f.alice.user.id))).status_code).toBe(401);
  });

  it('looks up by e-mail only for who may see addresses', async () => {
    expect((await admin.client.getUserByEmail('alice@example.com')).id).toBe(f.alice.user.id);
    // Hidden addresses cannot be probed: a known address answers like an unknown one.
    const known = await expectError(() => f.bob.client.getUserByEmail('alice@example.com'));
    const unknown = await expectError(() => f.bob.client.getUserByEmail('nobody@example.com'));
    expect(known.status_code).toBe(404);
    const pick = (e: typeof known) => [e.status_code, e.server_error_id, e.message];
    expect(pick(unknown)).toEqual(pick(known));
  });

  it('gets many by ids and by usernames, ignoring unknown ones', async () => {
    const byIds = await f.bob.client.getProfilesByIds([f.alice.user.id, f.carol.user.id, UNKNOWN]);
    expect(names(byIds)).toEqual(['alice', 'carol']);
    expect(byIds.every((u) => u.email === '')).toBe(true);
    const mine = await f.alice.client.getProfilesByIds([f.alice.user.id]);
    expect(mine[0]!.email).toBe('alice@example.com');
    const byNames = await f.bob.client.getProfilesByUsernames(['carol', 'mallory', 'nobody']);
    expect(names(byNames)).toEqual(['carol', 'mallory']);
  });

  it('reads statuses as offline', async () => {
    const s = await f.bob.client.getStatus(f.alice.user.id);
    expect(s).toMatchObject({ user_id: f.alice.user.id, status: 'offline' });
  });
});

describe('lists', () => {
  it('pages through everyone in username order', async () => {
    const all = names(await f.bob.client.getProfiles(0, 200));
    expect(all).toEqual(['admin', 'alice', 'bob', 'carol', 'mallory', 'oscar']);
    const pages: string[] = [];
    for (let page = 0; page < 4; page++) pages.push(...names(await f.bob.client.getProfiles(page, 2)));
    expect(pages).toEqual(all);
    expect(await f.bob.client.getProfiles(3, 2)).toEqual([]);
  });

  it('filters by team for members and answers 404 to outsiders', async () => {
    expect(names(await f.bob.client.getProfilesInTeam(f.team.id, 0, 100))).toEqual([
      'alice',
      'bob',
      'carol',
      'mallory',
    ]);
    expect(names(await f.alice.client.getProfilesNotInTeam(f.team.id, false, 0, 100))).toEqual([
      'admin',
      'oscar',
    ]);
    const outsider = await expectError(() => oscar.client.getProfilesInTeam(f.team.id, 0, 100));
    const unknown = await expectError(() => oscar.client.getProfilesInTeam(UNKNOWN, 0, 100));
    expect(outsider.status_code).toBe(404);
    expect(outsider.server_error_id).toBe(unknown.server_error_id);
    expect((await expectError(() => oscar.client.getProfilesNotInTeam(f.team.id, false))).status_code).toBe(
      404,
    );
    // An admin may list any team.
    expect(names(await admin.client.getProfilesInTeam(f.team.id, 0, 100))).toContain('mallory');
  });

  it("lists a private channel's members to its members only, like an unknown id to others", async () => {
    expect(names(await f.alice.client.getProfilesInChannel(f.privateChannel.id, 0, 100))).toEqual([
      'alice',
      'bob',
    ]);
    expect(
      names(await f.alice.client.getProfilesNotInChannel(f.team.id, f.privateChannel.id, false, 0, 100)),
    ).toEqual(['carol', 'mallory']);
    const mallory = await expectError(() => f.mallory.client.getProfilesInChannel(f.privateChannel.id));
    const unknown = await expectError(() => f.mallory.client.getProfilesInChannel(UNKNOWN));
    expect(mallory.status_code).toBe(404);
    expect(mallory.server_error_id).toBe(unknown.server_error_id);
    const notIn = await expectError(() =>
      f.mallory.client.getProfilesNotInChannel(f.team.id, f.privateChannel.id, false),
    );
    expect(notIn.status_code).toBe(404);
    // Public channels of one's team are readable; direct channels only by their members.
    expect(names(await f.mallory.client.getProfilesInChannel(f.publicChannel.id, 0, 100))).toEqual([
      'alice',
      'bob',
    ]);
    expect((await expectError(() => f.mallory.client.getProfilesInChannel(f.direct.id))).status_code).toBe(
      404,
    );
    expect(names(await f.bob.client.getProfilesInChannel(f.direct.id, 0, 100))).toEqual(['alice', 'bob']);
  });

  it('lists users without a team', async () => {
    expect(names(await f.bob.client.getProfilesWithoutTeam(0, 100))).toEqual(['admin', 'oscar']);
  });
});

describe('autocomplete and search', () => {
  it('autocompletes within a team and splits by channel membership', async () => {
    const inTeam = await f.alice.client.autocompleteUsers('', f.team.id, '');
    expect(names(inTeam.users)).toEqual(['alice', 'bob', 'carol', 'mallory']);
    const byName = await f.alice.client.autocompleteUsers('ca', f.team.id, '');
    expect(names(byName.users)).toEqual(['carol']);
    const split = await f.alice.client.autocompleteUsers('', f.team.id, f.privateChannel.id);
    expect(names(split.users)).toEqual(['alice', 'bob']);
    expect(names(split.out_of_channel!)).toEqual(['carol', 'mallory']);
    const refused = await expectError(() =>
      f.mallory.client.autocompleteUsers('', f.team.id, f.privateChannel.id),
    );
    expect(refused.status_code).toBe(404);
    expect((await expectError(() => oscar.client.autocompleteUsers('', f.team.id, ''))).status_code).toBe(
      404,
    );
  });

  it('searches names with team and channel filters; the deactivated only when asked', async () => {
    expect(names(await f.bob.client.searchUsers('ma', {}))).toEqual(['mallory']);
    expect(names(await f.bob.client.searchUsers('', { team_id: f.team.id }))).toEqual([
      'alice',
      'bob',
      'carol',
      'mallory',
    ]);
    expect(names(await f.bob.client.searchUsers('', { not_in_channel_id: f.privateChannel.id }))).toEqual([
      'admin',
      'carol',
      'mallory',
      'oscar',
    ]);
    const refused = await expectError(() =>
      f.mallory.client.searchUsers('', { in_channel_id: f.privateChannel.id }),
    );
    expect(refused.status_code).toBe(404);
    expect(names(await f.bob.client.searchUsers('%', {}))).toEqual([]);

    const temp = await server.persona('tempo');
    await admin.client.updateUserActive(temp.user.id, false);
    expect(names(await f.bob.client.searchUsers('tem', {}))).toEqual([]);
    expect(names(await f.bob.client.searchUsers('tem', { allow_inactive: true }))).toEqual(['tempo']);
    expect(names((await f.bob.client.autocompleteUsers('tem', '', '')).users)).toEqual([]);
  });
});

describe('changes', () => {
  it('patches one’s own profile and ignores fields only the server sets', async () => {
    const events = recordEvents(server);
    const patched = await f.carol.client.patchMe({
      nickname: 'Caz',
      first_name: 'Carol',
      position: 'Engineer',
      roles: 'system_user system_admin',
      email_verified: true,
      create_at: 1,
      delete_at: 5,
    } as unknown as Partial<UserProfile>);
    expect(patched).toMatchObject({ nickname: 'Caz', first_name: 'Carol', position: 'Engineer' });
    expect(patched.roles).toBe('system_user');
    expect(patched.delete_at).toBe(0);
    const fresh = await f.carol.client.getMe();
    expect(fresh.roles).toBe('system_user');
    expect(fresh.create_at).not.toBe(1);
    // The user_updated event goes to everyone, so it must not carry the address.
    const ev = events.named('user_updated');
    events.stop();
    expect(ev).toHaveLength(1);
    expect(JSON.stringify(ev[0]!.data)).not.toContain('carol@example.com');
  });

  it('lets admins patch others, and refuses everyone else', async () => {
    const err = await expectError(() =>
      f.mallory.client.patchUser({ id: f.carol.user.id, nickname: 'pwned' } as UserProfile),
    );
    expect(err.status_code).toBe(403);
    expect((await f.carol.client.getMe()).nickname).toBe('Caz');
    const byAdmin = await admin.client.patchUser({ id: f.carol.user.id, nickname: 'Cee' } as UserProfile);
    expect(byAdmin.nickname).toBe('Cee');
    const taken = await expectError(() => f.carol.client.patchMe({ username: 'alice' }));
    expect(taken.status_code).toBe(400);
    expect((await f.carol.client.getMe()).username).toBe('carol');
  });

  it('changes a password only with the right current one', async () => {
    const p = await server.persona('pat');
    const wrong = await expectError(() =>
      p.client.updateUserPassword(p.user.id, 'wrong one', 'new password 1'),
    );
    expect(wrong).toMatchObject({
      status_code: 400,
      server_error_id: 'api.user.update_password.incorrect.app_error',
    });
    const short = await expectError(() => p.client.updateUserPassword(p.user.id, PASSWORD, 'short'));
    expect(short.status_code).toBe(400);
    await server.client().login('pat', PASSWORD);
    await p.client.updateUserPassword(p.user.id, PASSWORD, 'new password 1');
    await server.client().login('pat', 'new password 1');
  });

  it('updates roles for admins only', async () => {
    const err = await expectError(() =>
      f.mallory.client.updateUserRoles(f.mallory.user.id, 'system_user system_admin'),
    );
    expect(err.status_code).toBe(403);
    expect((await f.mallory.client.getMe()).roles).toBe('system_user');
    const bad = await expectError(() => admin.client.updateUserRoles(f.bob.user.id, 'system_user team_god'));
    expect(bad.status_code).toBe(400);
    await admin.client.updateUserRoles(f.bob.user.id, 'system_user system_admin');
    expect((await f.bob.client.getMe()).roles.split(' ').sort()).toEqual(['system_admin', 'system_user']);
    // Now an admin, bob sees hidden addresses.
    expect((await f.bob.client.getUser(f.carol.user.id)).email).toBe('carol@example.com');
    await admin.client.updateUserRoles(f.bob.user.id, 'system_user');
    expect((await f.bob.client.getUser(f.carol.user.id)).email).toBe('');
  });

  it('deactivates and reactivates (admins), and refuses others', async () => {
    const q = await server.persona('quinn');
    expect((await expectError(() => f.mallory.client.updateUserActive(q.user.id, false))).status_code).toBe(
      403,
    );
    const del = await fetch(`${server.url}/api/v4/users/${q.user.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${f.mallory.token}` },
    });
    expect(del.status).toBe(403);
    expect((await q.client.getMe()).delete_at).toBe(0);

    await admin.client.updateUserActive(q.user.id, false);
    const gone = await admin.client.getUser(q.user.id);
    expect(gone.delete_at).toBeGreaterThan(0);
    expect((await expectError(() => q.client.getMe())).status_code).toBe(401);
    await admin.client.updateUserActive(q.user.id, true);
    expect((await admin.client.getUser(q.user.id)).delete_at).toBe(0);
    await server.client().login('quinn', PASSWORD);
  });
});

describe('profile image', () => {
  it('serves a generated PNG for any known user, 404 for unknown ones', async () => {
    for (const suffix of ['image', 'image/default']) {
      const res = await fetch(`${server.url}/api/v4/users/${f.alice.user.id}/${suffix}`, {
        headers: { Authorization: `Bearer ${f.bob.token}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      const bytes = Buffer.from(await res.arrayBuffer());
      expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
    }
    const a = Buffer.from(
      await (
        await fetch(`${server.url}/api/v4/users/${f.alice.user.id}/image`, {
          headers: { Authorization: `Bearer ${f.bob.token}` },
        })
      ).arrayBuffer(),
    );
    const b = Buffer.from(
      await (
        await fetch(`${server.url}/api/v4/users/${f.bob.user.id}/image`, {
          headers: { Authorization: `Bearer ${f.bob.token}` },
        })
      ).arrayBuffer(),
    );
    expect(a.equals(b)).toBe(false);
    const unknown = await fetch(`${server.url}/api/v4/users/${UNKNOWN}/image`, {
      headers: { Authorization: `Bearer ${f.bob.token}` },
    });
    expect(unknown.status).toBe(404);
    const anon = await fetch(`${server.url}/api/v4/users/${f.alice.user.id}/image`);
    expect(anon.status).toBe(401);
  });
});

describe('what responses carry', () => {
  const OTHERS_FIELDS = [
    'auth_service',
    'create_at',
    'delete_at',
    'email',
    'first_name',
    'id',
    'is_bot',
    'last_name',
    'last_picture_update',
    'locale',
    'nickname',
    'position',
    'props',
    'roles',
    'timezone',
    'update_at',
    'username',
  ];

  it('never a password hash, a token or another user’s hidden address', async () => {
    const bodies: string[] = [];
    const get = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${server.url}/api/v4${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${f.mallory.token}`, 'Content-Type': 'application/json' },
      });
      expect(res.status, path).toBe(200);
      const text = await res.text();
      bodies.push(text);
      return JSON.parse(text) as unknown;
    };
    await get('/users?per_page=200');
    await get(`/users/${f.alice.user.id}`);
    await get('/users/username/alice');
    await get('/users/ids', { method: 'POST', body: JSON.stringify([f.alice.user.id, f.bob.user.id]) });
    await get('/users/usernames', { method: 'POST', body: JSON.stringify(['alice']) });
    await get('/users/search', { method: 'POST', body: JSON.stringify({ term: 'a' }) });
    await get(`/users/autocomplete?in_team=${f.team.id}&name=a`);
    await get(`/users?in_team=${f.team.id}`);
    const login = await fetch(`${server.url}/api/v4/users/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login_id: 'mallory', password: PASSWORD }),
    });
    bodies.push(await login.text());

    const tokens = [f.alice.token, f.bob.token, f.mallory.token, admin.token, login.headers.get('token')!];
    for (const text of bodies) {
      expect(text).not.toMatch(/\$2[aby]\$/);
      expect(text).not.toMatch(/password_hash|token_hash|csrf/);
      for (const t of tokens) expect(text).not.toContain(t);
      for (const who of ['alice', 'bob', 'carol', 'admin', 'oscar']) {
        expect(text).not.toContain(`${who}@example.com`);
      }
    }
    const other = (await get(`/users/${f.alice.user.id}`)) as Record<string, unknown>;
    expect(Object.keys(other).sort()).toEqual(OTHERS_FIELDS);
    // One's own profile carries more.
    const me = (await get('/users/me')) as Record<string, unknown>;
    expect(me.email).toBe('mallory@example.com');
    expect(me).toHaveProperty('notify_props');
    expect(me).not.toHaveProperty('password');
  });

  it('shows addresses to everyone when PARLEY_SHOW_EMAIL_ADDRESS=true', async () => {
    const open = await getTestServer({ PARLEY_SHOW_EMAIL_ADDRESS: 'true' });
    try {
      await open.persona('admin');
      const a = await open.persona('alice');
      const b = await open.persona('bob');
      expect((await b.client.getUser(a.user.id)).email).toBe('alice@example.com');
      expect((await b.client.getUserByEmail('alice@example.com')).id).toBe(a.user.id);
    } finally {
      await open.close();
    }
  });
});
