/**
 * Store contract for sessions and the login throttle, on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.js';
import { Store } from '../../src/store/store.js';
import type { SessionRow } from '../../src/store/sessions.js';
import { newId } from '../../src/lib/ids.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let tdb: TestDatabase;
let store: Store;

beforeAll(async () => {
  tdb = await createTestDatabase();
  await migrateToLatest(tdb.handle.db);
  store = new Store(tdb.handle.db, tdb.handle.dialect);
});
afterAll(() => tdb.destroy());

function session(userId: string, over: Partial<SessionRow> = {}): SessionRow {
  return {
    id: newId(),
    token_hash: newId() + newId(),
    user_id: userId,
    csrf_token: newId(),
    device_id: '',
    roles: 'system_user',
    create_at: 100,
    expires_at: 10_000,
    last_activity_at: 100,
    props: '{}',
    ...over,
  };
}

describe('session store', () => {
  it('finds a session by its token hash only', async () => {
    const s = session(newId());
    await store.sessions.insert(s);
    expect(await store.sessions.findByTokenHash(s.token_hash)).toEqual(s);
    expect(await store.sessions.findByTokenHash(s.id)).toBeUndefined();
    expect(await store.sessions.findByTokenHash('')).toBeUndefined();
  });

  it('touches activity and expiry', async () => {
    const s = session(newId());
    await store.sessions.insert(s);
    await store.sessions.touch(s.id, 500, 20_000);
    expect(await store.sessions.findByTokenHash(s.token_hash)).toMatchObject({
      last_activity_at: 500,
      expires_at: 20_000,
      create_at: 100,
    });
  });

  it("deletes one, all of a user's but one, and the expired", async () => {
    const user = newId();
    const other = newId();
    const [a, b, c] = [session(user), session(user), session(user)];
    const o = session(other);
    for (const s of [a, b, c, o]) await store.sessions.insert(s);

    await store.sessions.delete(a.id);
    expect((await store.sessions.listForUser(user)).map((s) => s.id).sort()).toEqual([b.id, c.id].sort());

    const gone = await store.sessions.deleteForUser(user, c.id);
    expect(gone).toEqual([b.id]);
    expect((await store.sessions.listForUser(user)).map((s) => s.id)).toEqual([c.id]);
    expect((await store.sessions.listForUser(other)).map((s) => s.id)).toEqual([o.id]);

    expect((await store.sessions.deleteForUser(user)).sort()).toEqual([c.id]);
    expect(await store.sessions.listForUser(user)).toEqual([]);

    const old = session(other, { expires_at: 50 });
    await store.sessions.insert(old);
    expect(await store.sessions.deleteExpired(60)).toBeGreaterThanOrEqual(1);
    expect((await store.sessions.listForUser(other)).map((s) => s.id)).toEqual([o.id]);
  });
});

describe('login throttle store', () => {
  const MAX = 3;

  it('counts attempts and locks at the maximum', async () => {
    const key = `user:${newId()}`;
    expect(await store.sessions.findThrottle(key)).toBeUndefined();
    const r1 = await store.sessions.countAttempt(key, 1000, MAX, 9000);
    expect(r1).toMatchObject({ key, failures: 1, locked_until: 0, update_at: 1000 });
    const r2 = await store.sessions.countAttempt(key, 1001, MAX, 9001);
    expect(r2).toMatchObject({ failures: 2, locked_until: 0, update_at: 1001 });
    const r3 = await store.sessions.countAttempt(key, 1002, MAX, 9002);
    expect(r3).toMatchObject({ failures: 3, locked_until: 9002 });
    // While locked, attempts are still counted but the lock does not move.
    const r4 = await store.sessions.countAttempt(key, 1003, MAX, 9003);
    expect(r4).toMatchObject({ failures: 4, locked_until: 9002 });
    // Once the lock has run out, counting starts afresh.
    const r5 = await store.sessions.countAttempt(key, 9002, MAX, 20_000);
    expect(r5).toMatchObject({ failures: 1, locked_until: 0 });
    await store.sessions.clearThrottle(key);
    expect(await store.sessions.findThrottle(key)).toBeUndefined();
  });

  it('keeps times beyond 32 bits', async () => {
    const key = `login:${newId()}`;
    const now = 1_800_000_000_000;
    for (let i = 0; i < MAX; i++) await store.sessions.countAttempt(key, now, MAX, now + 900_000);
    expect(await store.sessions.findThrottle(key)).toMatchObject({ locked_until: now + 900_000 });
  });

  it('counts every one of many parallel attempts', async () => {
    const key = `user:${newId()}`;
    const rows = await Promise.all(
      Array.from({ length: 25 }, () => store.sessions.countAttempt(key, 5000, 10, 99_000)),
    );
    expect(rows.map((r) => r.failures).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    expect(await store.sessions.findThrottle(key)).toMatchObject({ failures: 25, locked_until: 99_000 });
  });

  it('prunes rows that are stale and lock nothing, and keeps the others', async () => {
    const stale = `login:${newId()}`;
    const recent = `login:${newId()}`;
    const locked = `user:${newId()}`;
    await store.sessions.countAttempt(stale, 1_000, MAX, 0);
    await store.sessions.countAttempt(recent, 50_000, MAX, 0);
    for (let i = 0; i < MAX; i++) await store.sessions.countAttempt(locked, 1_000, MAX, 200_000);

    const pruned = await store.sessions.pruneThrottle(60_000, 30_000);
    expect(pruned).toBeGreaterThanOrEqual(1);
    expect(await store.sessions.findThrottle(stale)).toBeUndefined();
    expect(await store.sessions.findThrottle(recent)).toBeDefined();
    expect(await store.sessions.findThrottle(locked)).toBeDefined();

    // After the lock has run out and the row is stale, it goes too.
    await store.sessions.pruneThrottle(240_000, 30_000);
    expect(await store.sessions.findThrottle(locked)).toBeUndefined();
  });
});
