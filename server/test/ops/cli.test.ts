/**
 * parleyctl as a real process against the database a running server uses (SQLite file or PostgreSQL
 * schema): its changes are seen by the server at once, and its errors exit non-zero with a message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import { createTestDatabase } from '../helpers/db.js';
import { expectError, getTestServer, PASSWORD, type Persona, type TestServer } from '../helpers/server.js';
import { dbEnv, parleyctl } from './proc.js';

const LONG = 180_000;
let server: TestServer;
let env: Record<string, string>;
let alice: Persona;
let bob: Persona;

beforeAll(async () => {
  server = await getTestServer();
  env = { ...dbEnv(server.db), PARLEY_BCRYPT_COST: '10' };
  await server.persona('admin');
  alice = await server.persona('alice');
  bob = await server.persona('bob');
});
afterAll(() => server.close());

const ctl = (...args: string[]) => parleyctl(args, env);

async function login(username: string, password: string): Promise<Client4> {
  const c = server.client();
  await c.login(username, password);
  return c;
}

/** Runs `fn` with the environment of a fresh, unmigrated database, removed afterwards. */
async function withFreshDatabase(fn: (env: Record<string, string>) => Promise<void>): Promise<void> {
  const fresh = await createTestDatabase();
  await fresh.handle.close();
  try {
    await fn(dbEnv(fresh));
  } finally {
    await fresh.destroy();
  }
}

describe('parleyctl', () => {
  it(
    'db migrate applies the migrations once, then has nothing to do',
    () =>
      withFreshDatabase(async (env) => {
        const first = await parleyctl(['db', 'migrate'], env);
        expect(first.code, first.stderr).toBe(0);
        expect(first.stdout).toMatch(/^applied: 001_initial/);
        const second = await parleyctl(['db', 'migrate'], env);
        expect(second).toMatchObject({ code: 0, stdout: 'database is up to date\n' });
      }),
    LONG,
  );

  it(
    'three db migrate at the same moment on a fresh database: one applies, the others find it done',
    () =>
      withFreshDatabase(async (env) => {
        const runs = await Promise.all([1, 2, 3].map(() => parleyctl(['db', 'migrate'], env)));
        for (const r of runs) expect(r.code, r.stderr).toBe(0);
        expect(runs.filter((r) => r.stdout.startsWith('applied: 001_initial'))).toHaveLength(1);
        expect(runs.filter((r) => r.stdout === 'database is up to date\n')).toHaveLength(2);
      }),
    LONG,
  );

  it(
    'user create makes a plain user, or a system admin with --system-admin',
    async () => {
      // At the same moment: both open the file, migrate and insert (SQLite transactions begin
      // IMMEDIATE, so the second waits for the write lock instead of failing with SQLITE_BUSY).
      const [carol, dave] = await Promise.all([
        ctl(
          'user',
          'create',
          '--username',
          'carol',
          '--email',
          'carol@example.com',
          '--password',
          'carol password',
          '--system-admin',
        ),
        ctl(
          'user',
          'create',
          '--username',
          'dave',
          '--email',
          'dave@example.com',
          '--password',
          'dave password',
        ),
      ]);
      expect(carol.code, carol.stderr).toBe(0);
      expect(carol.stdout).toMatch(/^created user carol \([a-z0-9]{26}\) as system admin\n$/);
      expect(dave.code, dave.stderr).toBe(0);
      expect(dave.stdout).not.toMatch(/admin/);

      const c = await login('carol', 'carol password');
      expect((await c.getMe()).roles.split(' ').sort()).toEqual(['system_admin', 'system_user']);
      const d = await login('dave', 'dave password');
      expect((await d.getMe()).roles).toBe('system_user');
    },
    LONG,
  );

  it(
    'user create refuses a taken name, a bad password and missing options',
    async () => {
      const [dup, short, longPw, missing] = await Promise.all([
        ctl(
          'user',
          'create',
          '--username',
          'alice',
          '--email',
          'alice2@example.com',
          '--password',
          'whatever pw',
        ),
        ctl('user', 'create', '--username', 'erin', '--email', 'erin@example.com', '--password', 'short'),
        ctl(
          'user',
          'create',
          '--username',
          'erin',
          '--email',
          'erin@example.com',
          '--password',
          'x'.repeat(73),
        ),
        ctl('user', 'create', '--username', 'erin', '--password', 'erin password'),
      ]);
      expect(dup.code).toBe(1);
      expect(dup.stderr).toBe('parleyctl: An account with that username already exists.\n');
      expect(short.code).toBe(1);
      expect(short.stderr).toMatch(/^parleyctl: Your password must contain at least 8 characters/);
      expect(longPw.code).toBe(1);
      expect(longPw.stderr).toMatch(/at most 72 bytes/);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/^parleyctl: --email is required for "user create"/);
      expect(missing.stderr).toMatch(/Usage: parleyctl/);
      // None of them created anyone.
      const err = await expectError(() => alice.client.getUserByUsername('erin'));
      expect(err.status_code).toBe(404);
    },
    LONG,
  );

  it(
    'reset-password sets the password, ends every session and lifts a lockout',
    async () => {
      // Lock alice out with ten wrong passwords.
      for (let i = 0; i < 10; i++) {
        await expectError(() => server.client().login('alice', 'wrong password'));
      }
      const locked = await expectError(() => server.client().login('alice', PASSWORD));
      expect(locked.server_error_id).toBe('api.user.check_user_login_attempts.too_many.app_error');

      const r = await ctl('user', 'reset-password', '--username', 'alice', '--password', 'a new password');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/password reset for alice/);

      expect((await expectError(() => alice.client.getMe())).status_code).toBe(401);
      expect((await expectError(() => server.client().login('alice', PASSWORD))).status_code).toBe(401);
      const c = await login('alice', 'a new password');
      expect((await c.getMe()).username).toBe('alice');
    },
    LONG,
  );

  it(
    'deactivate ends the sessions and refuses login; activate lets the user back in',
    async () => {
      const off = await ctl('user', 'deactivate', '--username', 'bob');
      expect(off.code, off.stderr).toBe(0);
      expect(off.stdout).toMatch(/deactivated user bob/);
      expect((await expectError(() => bob.client.getMe())).status_code).toBe(401);
      const refused = await expectError(() => server.client().login('bob', PASSWORD));
      expect(refused.status_code).toBe(401);
      expect(refused.server_error_id).toBe('api.user.login.inactive.app_error');

      const on = await ctl('user', 'activate', '--username', 'bob');
      expect(on.code, on.stderr).toBe(0);
      const c = await login('bob', PASSWORD);
      expect((await c.getMe()).delete_at).toBe(0);
    },
    LONG,
  );

  it(
    'fails with a message for unknown users, commands, options and bad configuration',
    async () => {
      const [nobody, unknownCmd, unknownOpt, noArgs, badEnv] = await Promise.all([
        ctl('user', 'deactivate', '--username', 'nobody'),
        ctl('user', 'frobnicate'),
        ctl('user', 'activate', '--username', 'bob', '--colour', 'red'),
        ctl('user', 'reset-password', '--username', 'bob'),
        parleyctl(['db', 'migrate'], { ...env, PORT: 'abc' }),
      ]);
      expect(nobody.code).toBe(1);
      expect(nobody.stderr).toBe('parleyctl: Unable to find the user.\n');
      expect(unknownCmd.code).toBe(2);
      expect(unknownCmd.stderr).toMatch(/^parleyctl: unknown command "user frobnicate"/);
      expect(unknownOpt.code).toBe(2);
      expect(unknownOpt.stderr).toMatch(/colour/);
      expect(noArgs.code).toBe(2);
      expect(noArgs.stderr).toMatch(/--password is required/);
      expect(badEnv.code).toBe(1);
      expect(badEnv.stderr).toMatch(/^parleyctl: configuration error: PORT/);
      for (const r of [nobody, unknownCmd, unknownOpt, noArgs, badEnv]) {
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      // bob is still active: the failed commands changed nothing.
      expect((await login('bob', PASSWORD)).getToken()).toMatch(/^[a-z0-9]{26}$/);
    },
    LONG,
  );

  it(
    'prints usage for help',
    async () => {
      const r = await ctl('--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        /user create --username NAME --email EMAIL --password PASSWORD \[--system-admin\]/,
      );
    },
    LONG,
  );
});
