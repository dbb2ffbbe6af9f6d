/**
 * The real server process (`node server/src/main.ts`): readiness, the bootstrap administrator,
 * graceful shutdown on SIGTERM and SIGINT, and refusal of bad configuration. Runs on SQLite and on
 * PostgreSQL (a fresh schema through DATABASE_URL).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Client4 } from '@mattermost/client';
import { openDatabase } from '../../src/db/connection.js';
import { createTestDatabase, testDialect, type TestDatabase } from '../helpers/db.js';
import { dbEnv, runScript, startServer, type RunningServer } from './proc.js';

const ADMIN = {
  PARLEY_ADMIN_USERNAME: 'root',
  PARLEY_ADMIN_EMAIL: 'root@example.com',
  PARLEY_ADMIN_PASSWORD: 'first root password',
};

let tdb: TestDatabase | undefined;
let running: RunningServer | undefined;

/** A fresh database that no process of this test holds open (the server must own the SQLite file). */
async function freshDatabase(): Promise<TestDatabase> {
  tdb = await createTestDatabase();
  await tdb.handle.close();
  return tdb;
}

/** Opens the test database again, to look at what the server left behind. */
function reopen(t: TestDatabase) {
  return openDatabase({ dataDir: t.dataDir, databaseUrl: t.databaseUrl, pgSchema: t.pgSchema });
}

afterEach(async () => {
  if (running && running.proc.child.exitCode === null) {
    running.proc.child.kill('SIGKILL');
    await running.proc.exited;
  }
  running = undefined;
  await tdb?.destroy();
  tdb = undefined;
});

function client(url: string): Client4 {
  const c = new Client4();
  c.setUrl(url);
  return c;
}

describe(`the server process on ${testDialect()}`, () => {
  it('answers ping, creates the bootstrap admin once and never alters it', async () => {
    const t = await freshDatabase();
    const env = { ...dbEnv(t), PARLEY_BCRYPT_COST: '10' };

    running = await startServer({ ...env, ...ADMIN });
    const ping = await fetch(`${running.url}/api/v4/system/ping`);
    expect(ping.status).toBe(200);
    expect(ping.headers.get('content-type')).toBe('application/json');
    expect(await ping.json()).toEqual({ status: 'OK' });

    const root = await client(running.url).login('root', ADMIN.PARLEY_ADMIN_PASSWORD);
    expect(root.roles.split(' ').sort()).toEqual(['system_admin', 'system_user']);
    expect(root.email).toBe('root@example.com');

    running.proc.child.kill('SIGTERM');
    expect(await running.proc.exited).toEqual({ code: 0, signal: null });

    // Second start with other values for the same name: the existing account is left exactly as it was.
    running = await startServer({
      ...env,
      PARLEY_ADMIN_USERNAME: 'root',
      PARLEY_ADMIN_EMAIL: 'other@example.com',
      PARLEY_ADMIN_PASSWORD: 'second root password',
    });
    const c = client(running.url);
    const again = await c.login('root', ADMIN.PARLEY_ADMIN_PASSWORD);
    expect(again.id).toBe(root.id);
    expect(again.email).toBe('root@example.com');
    expect(again.update_at).toBe(root.update_at);
    const users = await c.getProfiles(0, 100);
    expect(users.map((u) => u.username)).toEqual(['root']);
    const wrong = await client(running.url)
      .login('root', 'second root password')
      .catch((e: { status_code: number }) => e);
    expect((wrong as { status_code: number }).status_code).toBe(401);

    running.proc.child.kill('SIGINT');
    expect(await running.proc.exited).toEqual({ code: 0, signal: null });

    // A bootstrap admin that cannot be created (its e-mail is taken) stops start-up with a clear message.
    const bad = runScript('main.ts', [], {
      ...env,
      HOST: '127.0.0.1',
      PORT: '0',
      PARLEY_ADMIN_USERNAME: 'root2',
      PARLEY_ADMIN_EMAIL: 'root@example.com',
      PARLEY_ADMIN_PASSWORD: 'another password',
    });
    expect((await bad.exited).code).toBe(1);
    expect(bad.stderr()).toMatch(
      /parley: configuration error: .*PARLEY_ADMIN_USERNAME.*email already exists/,
    );
    expect(bad.stderr()).not.toMatch(/\n\s+at /);
  }, 180_000);

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`on ${signal} finishes the request in flight, closes the database and exits 0`, async () => {
      const t = await freshDatabase();
      // Cost 13 makes the login's bcrypt comparison take a good fraction of a second: it is still
      // running when the signal arrives.
      running = await startServer({ ...dbEnv(t), ...ADMIN, PARLEY_BCRYPT_COST: '13' });
      const { proc, url } = running;

      const login = fetch(`${url}/api/v4/users/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ login_id: 'root', password: ADMIN.PARLEY_ADMIN_PASSWORD }),
      });
      await proc.waitForOutput(/"url":"\/api\/v4\/users\/login".*incoming request/);
      proc.child.kill(signal);

      const res = await login;
      expect(res.status).toBe(200);
      const token = res.headers.get('token');
      expect(token).toMatch(/^[a-z0-9]{26}$/);
      expect(((await res.json()) as { username: string }).username).toBe('root');

      expect(await proc.exited).toEqual({ code: 0, signal: null });
      expect(proc.stdout()).toContain(`"signal":"${signal}"`);
      // Nothing listens any more.
      await expect(fetch(`${url}/api/v4/system/ping`)).rejects.toThrow();

      if (t.databaseUrl === undefined) {
        // A clean close checkpoints the WAL into the main file and removes it.
        expect(fs.existsSync(path.join(t.dataDir, 'parley.db-wal'))).toBe(false);
      }
      const db = reopen(t);
      try {
        const sessions = await db.db.selectFrom('sessions').select(['user_id']).execute();
        expect(sessions).toHaveLength(1);
      } finally {
        await db.close();
      }
    }, 180_000);
  }

  it('refuses bad configuration with exit code 1 and a message naming the variable', async () => {
    const dataDir = path.join((await freshDatabase()).dataDir, 'never-created');
    const cases: [Record<string, string>, RegExp][] = [
      [{ PORT: 'abc' }, /PORT must be a whole number/],
      [{ PORT: '70000' }, /PORT must be between 0 and 65535/],
      [{ DATABASE_URL: 'mysql://u@127.0.0.1/parley' }, /DATABASE_URL must start with postgres:\/\//],
      [{ PARLEY_ENABLE_OPEN_SERVER: 'maybe' }, /PARLEY_ENABLE_OPEN_SERVER must be true or false/],
      [{ PARLEY_BCRYPT_COST: '9' }, /PARLEY_BCRYPT_COST must be between 10/],
      [{ PARLEY_ADMIN_USERNAME: 'root', PARLEY_ADMIN_EMAIL: 'root@example.com' }, /must be set together/],
    ];
    const results = await Promise.all(
      cases.map(async ([env]) => {
        const p = runScript('main.ts', [], { PARLEY_DATA_DIR: dataDir, HOST: '127.0.0.1', ...env });
        return { ...(await p.exited), stderr: p.stderr() };
      }),
    );
    results.forEach((r, i) => {
      expect(r.code, JSON.stringify(cases[i]![0])).toBe(1);
      expect(r.stderr).toMatch(/^parley: configuration error: /);
      expect(r.stderr).toMatch(cases[i]![1]);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
    // Nothing was opened or created on a bad configuration.
    expect(fs.existsSync(dataDir)).toBe(false);
  }, 180_000);
});
