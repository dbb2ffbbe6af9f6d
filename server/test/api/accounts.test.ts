/**
 * Accounts and sessions through Client4: who may sign up, bcrypt (cost, re-hash, the 72-byte limit,
 * not blocking the event loop), sessions (hashed tokens, expiry and extension with an injected clock,
 * revocation), and the login lockout with the same answers for unknown accounts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client4 } from '@mattermost/client';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile } from '@mattermost/types/users';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { hashToken } from '../../src/lib/crypto.js';
import { LOCKOUT_MS } from '../../src/services/auth.js';
import { hashCost, hashPassword, verifyPassword } from '../../src/services/passwords.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { expectError, getTestServer, PASSWORD, type Persona, type TestServer } from '../helpers/server.js';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

/** The real app with a clock the test moves (buildApp's `now`). */
interface ClockServer {
  url: string;
  built: BuiltApp;
  db: TestDatabase;
  advance(ms: number): void;
  client(): Client4;
  signUp(name: string, password?: string): Promise<UserProfile>;
  login(name: string, password?: string): Promise<Client4>;
  close(): Promise<void>;
}

async function clockServer(env: Record<string, string> = {}): Promise<ClockServer> {
  const db = await createTestDatabase();
  const config = loadConfig({ PARLEY_DATA_DIR: db.dataDir, PARLEY_BCRYPT_COST: '10', ...env });
  let t = Date.now();
  const built = await buildApp({ config, database: db.handle, now: () => t });
  await built.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = built.app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  const url = `http://127.0.0.1:${addr.port}`;
  const client = () => {
    const c = new Client4();
    c.setUrl(url);
    return c;
  };
  let admin: Client4 | undefined;
  const login = async (name: string, password = PASSWORD) => {
    const c = client();
    await c.login(name, password);
    return c;
  };
  return {
    url,
    built,
    db,
    advance: (ms) => (t += ms),
    client,
    login,
    async signUp(name, password = PASSWORD) {
      const user = { username: name, email: `${name}@example.com`, password } as UserProfile;
      if (!admin) {
        const first = await client().createUser(user, '', '');
        admin = await login(name, password);
        return first;
      }
      return admin.createUser(user, '', '');
    },
    async close() {
      await built.app.close();
      await built.shutdown();
      await db.destroy();
    },
  };
}

const asUser = (name: string, password = PASSWORD) =>
  ({ username: name, email: `${name}@example.com`, password }) as UserProfile;

describe('sign-up policy', () => {
  let server: TestServer;
  let admin: Persona;
  beforeAll(async () => {
    server = await getTestServer();
  });
  afterAll(() => server.close());

  it('makes the first account on an empty server a system admin', async () => {
    const first = await server.client().createUser(asUser('founder'), '', '');
    expect(first.roles.split(' ').sort()).toEqual(['system_admin', 'system_user']);
    // Later accounts are plain users, even when an admin creates them.
    const c = server.client();
    await c.login('founder', PASSWORD);
    const second = await c.createUser(asUser('second'), '', '');
    expect(second.roles).toBe('system_user');
    admin = { user: first, client: c, password: PASSWORD, token: c.getToken() };
  });

  it('refuses anonymous and non-admin sign-up on a closed server and creates nobody', async () => {
    const anon = await expectError(() => server.client().createUser(asUser('eve'), '', ''));
    expect(anon).toMatchObject({ status_code: 403, server_error_id: 'api.user.create_user.no_open_server' });
    const second = server.client();
    await second.login('second', PASSWORD);
    const byUser = await expectError(() => second.createUser(asUser('eve'), '', ''));
    expect(byUser.status_code).toBe(403);
    const err = await expectError(() => admin.client.getUserByUsername('eve'));
    expect(err.status_code).toBe(404);
  });

  it('lets someone holding a team invite id sign up and joins them to the team', async () => {
    const team = await admin.client.createTeam({
      name: 'invited',
      display_name: 'Invited',
      type: 'I',
    } as Team);
    expect(team.invite_id).toMatch(/^[a-z0-9]{26}$/);
    const user = await server.client().createUser(asUser('guest'), '', team.invite_id);
    expect(user.roles).toBe('system_user');
    const c = server.client();
    await c.login('guest', PASSWORD);
    expect((await c.getMyTeams()).map((t) => t.id)).toEqual([team.id]);
    const channels = await c.getMyChannels(team.id);
    expect(channels.map((ch) => ch.name).sort()).toEqual(['off-topic', 'town-square']);

    const bad = await expectError(() => server.client().createUser(asUser('guest2'), '', 'x'.repeat(26)));
    expect(bad).toMatchObject({ status_code: 400, server_error_id: 'api.team.invite_id.invalid' });
    expect((await expectError(() => admin.client.getUserByUsername('guest2'))).status_code).toBe(404);
  });

  it('lets exactly one of several simultaneous first sign-ups become the admin', async () => {
    const fresh = await getTestServer();
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => fresh.client().createUser(asUser(`racer${i}`), '', '')),
      );
      const created = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
      const refused = results
        .filter((r) => r.status === 'rejected')
        .map((r) => r.reason as { status_code: number });
      expect(created).toHaveLength(1);
      expect(created[0]!.roles).toContain('system_admin');
      expect(refused.map((e) => e.status_code)).toEqual([403, 403, 403, 403, 403]);
      expect(await fresh.built.services.deps.store.users.count()).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it('lets anyone sign up, as a plain user, when PARLEY_ENABLE_OPEN_SERVER=true', async () => {
    const open = await getTestServer({ PARLEY_ENABLE_OPEN_SERVER: 'true' });
    try {
      const first = await open.client().createUser(asUser('first'), '', '');
      expect(first.roles).toContain('system_admin');
      const anon = await open.client().createUser(asUser('anyone'), '', '');
      expect(anon.roles).toBe('system_user');
      expect((await open.client().getClientConfig()).EnableOpenServer).toBe('true');
    } finally {
      await open.close();
    }
  });
});

describe('bcrypt', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await getTestServer({ PARLEY_BCRYPT_COST: '11' });
    await server.persona('admin');
  });
  afterAll(() => server.close());
  const stored = async (username: string) =>
    (await server.built.services.deps.store.users.findByUsername(username))!.password_hash;

  it('hashes with the configured cost and never stores the password', async () => {
    await server.persona('hana');
    const hash = await stored('hana');
    expect(hashCost(hash)).toBe(11);
    expect(hash).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, hash)).toBe(true);
  });

  it('re-hashes a hash of another cost at the next successful login only', async () => {
    await server.persona('ivan');
    const store = server.built.services.deps.store;
    const user = (await store.users.findByUsername('ivan'))!;
    await store.users.update(user.id, { password_hash: await hashPassword(PASSWORD, 10) });
    await expectError(() => server.client().login('ivan', 'wrong password'));
    expect(hashCost(await stored('ivan'))).toBe(10);
    await server.client().login('ivan', PASSWORD);
    const after = await stored('ivan');
    expect(hashCost(after)).toBe(11);
    expect(await verifyPassword(PASSWORD, after)).toBe(true);
    await server.client().login('ivan', PASSWORD);
  });

  it('refuses passwords over 72 bytes on create and on change, and never logs in with a longer variant', async () => {
    const admin = await server.persona('admin');
    const at72 = 'é'.repeat(36); // 72 bytes
    const created = await admin.client.createUser(asUser('jade', at72), '', '');
    expect(created.username).toBe('jade');
    const c = server.client();
    await c.login('jade', at72);

    const tooLong = await expectError(() => admin.client.createUser(asUser('kim', 'a'.repeat(73)), '', ''));
    expect(tooLong).toMatchObject({
      status_code: 400,
      server_error_id: 'model.user.is_valid.pwd_max_length.app_error',
    });
    expect(tooLong.message).toMatch(/72 bytes/);

    const change = await expectError(() => c.updateUserPassword(created.id, at72, 'b'.repeat(73)));
    expect(change).toMatchObject({
      status_code: 400,
      server_error_id: 'model.user.is_valid.pwd_max_length.app_error',
    });
    await server.client().login('jade', at72);

    // bcrypt itself would accept these: it only reads the first 72 bytes.
    expect(await verifyPassword(at72 + 'x', await stored('jade'))).toBe(true);
    const longer = await expectError(() => server.client().login('jade', at72 + 'x'));
    expect(longer).toMatchObject({
      status_code: 401,
      server_error_id: 'api.user.login.invalid_credentials_email_username',
    });
    const asCurrent = await expectError(() => c.updateUserPassword(created.id, at72 + 'x', 'new password'));
    expect(asCurrent).toMatchObject({
      status_code: 400,
      server_error_id: 'api.user.update_password.incorrect.app_error',
    });
    await server.client().login('jade', at72);
  });

  it('hashes and logs in without blocking the event loop', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      await hashPassword(PASSWORD, 12);
      const duringHash = ticks;
      await server.built.services.auth.login('hana', PASSWORD, undefined);
      const duringLogin = ticks - duringHash;
      // A synchronous hash would let no timer run at all while it works.
      expect(duringHash).toBeGreaterThan(3);
      expect(duringLogin).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
  });
});

describe('sessions', () => {
  let server: ClockServer;
  beforeAll(async () => {
    server = await clockServer({ PARLEY_SESSION_LENGTH_DAYS: '1' });
    await server.signUp('admin');
    for (const name of ['alice', 'bob', 'carol', 'dan', 'erin']) await server.signUp(name);
  });
  afterAll(() => server.close());

  it('stores only the hash of the token, nowhere the token itself', async () => {
    const c = await server.login('alice');
    const token = c.getToken();
    expect(token).toMatch(/^[a-z0-9]{26}$/);
    const db = server.db.handle.db;
    const rows = await db.selectFrom('sessions').selectAll().execute();
    expect(rows.some((r) => r.token_hash === hashToken(token))).toBe(true);

    const tables = (await db.introspection.getTables()).filter(
      (t) => server.db.pgSchema === undefined || t.schema === server.db.pgSchema,
    );
    expect(tables.map((t) => t.name)).toContain('sessions');
    for (const t of tables) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const all = await (db as any).selectFrom(t.name).selectAll().execute();
      expect(JSON.stringify(all), t.name).not.toContain(token);
    }
    if (server.db.pgSchema === undefined) {
      for (const f of ['parley.db', 'parley.db-wal']) {
        const file = path.join(server.db.dataDir, f);
        if (fs.existsSync(file)) expect(fs.readFileSync(file).includes(token), f).toBe(false);
      }
    }
  });

  it('expires after the session length without activity', async () => {
    const c = await server.login('bob');
    server.advance(DAY - HOUR);
    expect((await c.getMe()).username).toBe('bob');
    const c2 = await server.login('bob');
    server.advance(DAY + 1);
    expect((await expectError(() => c2.getMe())).status_code).toBe(401);
    // c was used an hour before its first expiry, which extended it; by now it has lapsed too.
    expect((await expectError(() => c.getMe())).status_code).toBe(401);
  });

  it('is extended by activity', async () => {
    const c = await server.login('bob');
    for (let i = 0; i < 4; i++) {
      server.advance(DAY - HOUR);
      expect((await c.getMe()).username).toBe('bob');
    }
    server.advance(DAY + 1);
    expect((await expectError(() => c.getMe())).status_code).toBe(401);
  });

  it("a password change ends the user's other sessions and keeps the caller's", async () => {
    const mine = await server.login('carol');
    const other = await server.login('carol');
    const dan = await server.login('dan');
    const wrong = await expectError(() => mine.updateUserPassword('me', 'not my password', 'a new password'));
    expect(wrong).toMatchObject({
      status_code: 400,
      server_error_id: 'api.user.update_password.incorrect.app_error',
    });
    expect((await other.getMe()).username).toBe('carol');

    await mine.updateUserPassword((await mine.getMe()).id, PASSWORD, 'a new password');
    expect((await mine.getMe()).username).toBe('carol');
    expect((await expectError(() => other.getMe())).status_code).toBe(401);
    expect((await dan.getMe()).username).toBe('dan');
    expect((await expectError(() => server.login('carol', PASSWORD))).status_code).toBe(401);
    await server.login('carol', 'a new password');
  });

  it("an admin's password reset ends all of the user's sessions", async () => {
    const admin = await server.login('admin');
    const dan1 = await server.login('dan');
    const danId = (await dan1.getMe()).id;
    await admin.updateUserPassword(danId, '', 'reset by admin');
    expect((await expectError(() => dan1.getMe())).status_code).toBe(401);
    expect((await admin.getMe()).username).toBe('admin');
    const dan2 = await server.login('dan', 'reset by admin');
    // Others may not change it.
    const alice = await server.login('alice');
    expect((await expectError(() => alice.updateUserPassword(danId, '', 'hijacked pw'))).status_code).toBe(
      403,
    );
    expect((await dan2.getMe()).username).toBe('dan');
  });

  it('deactivation ends every session and refuses login until reactivated', async () => {
    const admin = await server.login('admin');
    const e1 = await server.login('erin');
    const e2 = await server.login('erin');
    const id = (await e1.getMe()).id;
    await admin.updateUserActive(id, false);
    for (const c of [e1, e2]) expect((await expectError(() => c.getMe())).status_code).toBe(401);
    const refused = await expectError(() => server.login('erin'));
    expect(refused).toMatchObject({ status_code: 401, server_error_id: 'api.user.login.inactive.app_error' });
    await admin.updateUserActive(id, true);
    const e3 = await server.login('erin');
    // People may deactivate themselves.
    await e3.updateUserActive(id, false);
    expect((await expectError(() => e3.getMe())).status_code).toBe(401);
    await admin.updateUserActive(id, true);
  });

  it('logout ends only that session', async () => {
    const a1 = await server.login('alice');
    const a2 = await server.login('alice');
    const token = a1.getToken();
    await a1.logout();
    const res = await fetch(`${server.url}/api/v4/users/me`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(401);
    expect((await a2.getMe()).username).toBe('alice');
  });

  it('refuses a cookie-authenticated logout without the CSRF token', async () => {
    const res = await fetch(`${server.url}/api/v4/users/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
      body: JSON.stringify({ login_id: 'alice', password: PASSWORD }),
    });
    const jar = Object.fromEntries(
      res.headers.getSetCookie().map((c) => c.split(';')[0]!.split('=') as [string, string]),
    );
    const cookie = `MMAUTHTOKEN=${jar.MMAUTHTOKEN}; MMUSERID=${jar.MMUSERID}; MMCSRF=${jar.MMCSRF}`;
    const me = () => fetch(`${server.url}/api/v4/users/me`, { headers: { Cookie: cookie } });
    const forged = await fetch(`${server.url}/api/v4/users/logout`, {
      method: 'POST',
      headers: { Cookie: cookie },
    });
    expect(forged.status).toBe(401);
    expect((await me()).status).toBe(200);
    const real = await fetch(`${server.url}/api/v4/users/logout`, {
      method: 'POST',
      headers: { Cookie: cookie, 'X-CSRF-Token': jar.MMCSRF! },
    });
    expect(real.status).toBe(200);
    expect((await me()).status).toBe(401);
  });

  it("lists and revokes sessions: one, all, and never another user's", async () => {
    const a1 = await server.login('alice');
    const aliceId = (await a1.getMe()).id;
    const before = new Set((await a1.getSessions(aliceId)).map((s) => s.id));
    const a2 = await server.login('alice');
    const sessions = await a1.getSessions(aliceId);
    const a2Id = sessions.find((s) => !before.has(s.id))?.id;
    expect(a2Id).toMatch(/^[a-z0-9]{26}$/);
    const text = JSON.stringify(sessions);
    expect(text).not.toContain(a1.getToken());
    expect(text).not.toContain(a2.getToken());
    expect(text).not.toMatch(/token_hash|csrf/);
    for (const s of sessions) expect(s.user_id).toBe(aliceId);

    const bob = await server.login('bob');
    expect((await expectError(() => bob.getSessions(aliceId))).status_code).toBe(403);
    expect((await expectError(() => bob.revokeSession(aliceId, a2Id!))).status_code).toBe(403);
    expect((await expectError(() => bob.revokeAllSessionsForUser(aliceId))).status_code).toBe(403);
    expect((await a2.getMe()).username).toBe('alice');
    expect((await expectError(() => a1.revokeSession(aliceId, 'x'.repeat(26)))).status_code).toBe(404);
    // Someone else's session id under one's own user id: not found, and it survives.
    const bobSession = (await bob.getSessions('me'))[0]!;
    expect((await expectError(() => a1.revokeSession(aliceId, bobSession.id))).status_code).toBe(404);
    expect((await bob.getMe()).username).toBe('bob');

    await a1.revokeSession(aliceId, a2Id!);
    expect((await expectError(() => a2.getMe())).status_code).toBe(401);
    expect((await a1.getMe()).username).toBe('alice');

    const a3 = await server.login('alice');
    await a3.revokeAllSessionsForUser(aliceId);
    for (const c of [a1, a3]) expect((await expectError(() => c.getMe())).status_code).toBe(401);
    expect((await bob.getMe()).username).toBe('bob');

    // An admin may revoke anyone's.
    const admin = await server.login('admin');
    await admin.revokeAllSessionsForUser((await bob.getMe()).id);
    expect((await expectError(() => bob.getMe())).status_code).toBe(401);
  });
});

describe('login lockout', () => {
  let server: ClockServer;
  beforeAll(async () => {
    server = await clockServer();
    await server.signUp('admin');
    for (const name of ['lena', 'mona', 'nina', 'olga', 'paul', 'quinn']) await server.signUp(name);
  });
  afterAll(() => server.close());

  type Answer = { status_code: number; server_error_id: string; message: string };
  const attempt = async (loginId: string, password: string): Promise<Answer | 'ok'> => {
    try {
      await server.client().login(loginId, password);
      return 'ok';
    } catch (err) {
      const e = err as Answer;
      return { status_code: e.status_code, server_error_id: e.server_error_id, message: e.message };
    }
  };
  const INVALID = {
    status_code: 401,
    server_error_id: 'api.user.login.invalid_credentials_email_username',
  };
  const LOCKED = {
    status_code: 401,
    server_error_id: 'api.user.check_user_login_attempts.too_many.app_error',
  };

  it('counts wrong current passwords on a password change toward the same lockout', async () => {
    const c = await server.login('quinn');
    const change = (current: string) =>
      expectError(() => c.updateUserPassword('me', current, 'brand new password'));
    for (let i = 0; i < 10; i++) {
      expect(await change('wrong password')).toMatchObject({
        status_code: 400,
        server_error_id: 'api.user.update_password.incorrect.app_error',
      });
    }
    // Locked now: the right current password is refused too, and so is a login.
    expect(await change(PASSWORD)).toMatchObject(LOCKED);
    expect(await attempt('quinn', PASSWORD)).toMatchObject(LOCKED);
    server.advance(LOCKOUT_MS + 1);
    await c.updateUserPassword('me', PASSWORD, 'brand new password');
    expect(await attempt('quinn', 'brand new password')).toBe('ok');
  });

  it('refuses even the right password for 15 minutes after 10 failures', async () => {
    for (let i = 0; i < 10; i++) expect(await attempt('lena', 'wrong password')).toMatchObject(INVALID);
    expect(await attempt('lena', PASSWORD)).toMatchObject(LOCKED);
    server.advance(LOCKOUT_MS - 1000);
    expect(await attempt('lena', PASSWORD)).toMatchObject(LOCKED);
    expect(await attempt('lena@example.com', PASSWORD)).toMatchObject(LOCKED);
    server.advance(1000);
    expect(await attempt('lena', PASSWORD)).toBe('ok');
    // The count started afresh.
    expect(await attempt('lena', 'wrong password')).toMatchObject(INVALID);
    expect(await attempt('lena', PASSWORD)).toBe('ok');
  });

  it('answers an unknown account exactly as a known one, attempt by attempt', async () => {
    const known: (Answer | 'ok')[] = [];
    const unknown: (Answer | 'ok')[] = [];
    for (let i = 0; i < 12; i++) {
      known.push(await attempt('mona', 'wrong password'));
      unknown.push(await attempt('nobody-here', 'wrong password'));
    }
    known.push(await attempt('mona', PASSWORD));
    unknown.push(await attempt('nobody-here', PASSWORD));
    expect(unknown).toEqual(known);
    expect(known.slice(0, 10).every((a) => a !== 'ok' && a.server_error_id === INVALID.server_error_id)).toBe(
      true,
    );
    expect(known.slice(10)).toEqual([
      expect.objectContaining(LOCKED),
      expect.objectContaining(LOCKED),
      expect.objectContaining(LOCKED),
    ]);
    // Unknown e-mail-shaped ids too.
    expect(await attempt('ghost@example.com', 'wrong password')).toEqual(known[0]);
  });

  it('a success resets the count', async () => {
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 9; i++) expect(await attempt('nina', 'wrong password')).toMatchObject(INVALID);
      expect(await attempt('nina', PASSWORD)).toBe('ok');
    }
  });

  it('counts attempts by username and by e-mail against the same account', async () => {
    for (let i = 0; i < 5; i++) await attempt('olga', 'wrong password');
    for (let i = 0; i < 5; i++) await attempt('OLGA@example.com', 'wrong password');
    expect(await attempt('olga', PASSWORD)).toMatchObject(LOCKED);
  });

  it('cannot be outrun by parallel guesses', async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => attempt('paul', 'wrong password')));
    const invalid = answers.filter((a) => a !== 'ok' && a.server_error_id === INVALID.server_error_id);
    const locked = answers.filter((a) => a !== 'ok' && a.server_error_id === LOCKED.server_error_id);
    expect(invalid).toHaveLength(10);
    expect(locked).toHaveLength(20);
    expect(await attempt('paul', PASSWORD)).toMatchObject(LOCKED);
  });

  it('the hourly job prunes stale throttle rows of unknown ids, and keeps live locks', async () => {
    const db = server.db.handle.db;
    const count = async () => (await db.selectFrom('login_throttle').select('key').execute()).length;
    for (let i = 0; i < 20; i++) await attempt(`made-up-${i}`, 'wrong password');
    const n = await count();
    expect(n).toBeGreaterThanOrEqual(20);
    // No typed login id is stored.
    const keys = (await db.selectFrom('login_throttle').select('key').execute()).map((r) => r.key);
    expect(keys.some((k) => k.includes('made-up'))).toBe(false);

    // Lock one account now; then move past the lockout of everything older.
    await server.built.services.auth.pruneExpired();
    expect(await count()).toBe(n);
    server.advance(LOCKOUT_MS + 1);
    for (let i = 0; i < 11; i++) await attempt('mona', 'wrong password');
    const result = await server.built.services.auth.pruneExpired();
    expect(result.throttles).toBeGreaterThanOrEqual(20);
    const left = (await db.selectFrom('login_throttle').selectAll().execute()).filter((r) =>
      r.key.startsWith('login:'),
    );
    expect(left).toEqual([]);
    expect(await attempt('mona', PASSWORD)).toMatchObject(LOCKED);
    server.advance(LOCKOUT_MS * 2);
    await server.built.services.auth.pruneExpired();
    expect(await count()).toBe(0);
    expect(await attempt('mona', PASSWORD)).toBe('ok');
  });
});
