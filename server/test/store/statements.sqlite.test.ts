/**
 * The SQLite statement cache (db/connection.ts): a repeated query is prepared once, and reusing
 * statements keeps every behaviour — errors, rollbacks, iteration. SQLite only (pg prepares nothing): the
 * postgres project leaves `*.sqlite.test.ts` files out (vitest.config.ts), so nothing here is skipped.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, StatementCache, type DatabaseHandle } from '../../src/db/connection.js';

describe('SQLite statement cache', () => {
  let dir: string;
  let handle: DatabaseHandle;
  /** The handle's Kysely, typed for this test's own table. */
  let db: Kysely<{ t: { id: number; name: string } }>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-stmt-'));
    handle = openDatabase({ dataDir: dir, databaseUrl: undefined });
    db = handle.db as unknown as typeof db;
    await sql`create table t (id integer primary key, name text not null unique)`.execute(handle.db);
  });
  afterAll(async () => {
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => vi.restoreAllMocks());

  it('prepares a repeated query once', async () => {
    const prepare = vi.spyOn(SQLite.prototype, 'prepare');
    for (let i = 0; i < 50; i++) {
      await db
        .insertInto('t')
        .values({ id: 1000 + i, name: `n${i}` })
        .execute();
      await db
        .selectFrom('t')
        .selectAll()
        .where('id', '=', 1000 + i)
        .execute();
    }
    // One INSERT text and one SELECT text: two prepares, not a hundred.
    expect(prepare).toHaveBeenCalledTimes(2);
  });

  it('reuses a statement after it failed, and inside committed and rolled-back transactions', async () => {
    const insert = (id: number, name: string) => db.insertInto('t').values({ id, name }).execute();
    await insert(1, 'a');
    await expect(insert(2, 'a')).rejects.toThrow(/UNIQUE/);
    await insert(2, 'b');
    await expect(
      db.transaction().execute(async (tx) => {
        await tx.insertInto('t').values({ id: 3, name: 'c' }).execute();
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await db.transaction().execute(async (tx) => {
      await tx.insertInto('t').values({ id: 4, name: 'd' }).execute();
    });
    const rows = await db.selectFrom('t').select('id').where('id', '<', 100).orderBy('id').execute();
    expect(rows).toEqual([{ id: 1 }, { id: 2 }, { id: 4 }]);
  });

  it('answers RETURNING from a reused statement', async () => {
    for (const id of [20, 21]) {
      const row = await db
        .insertInto('t')
        .values({ id, name: `r${id}` })
        .returning(['id', 'name'])
        .executeTakeFirst();
      expect(row).toEqual({ id, name: `r${id}` });
    }
  });
});

describe('StatementCache', () => {
  const sqlite = new SQLite(':memory:');
  sqlite.exec('create table n (v integer)');
  sqlite.exec('insert into n values (1), (2), (3)');
  afterAll(() => sqlite.close());

  it('hands out a fresh statement while the cached one is iterating', () => {
    const cache = new StatementCache(sqlite);
    const text = 'select v from n order by v';
    const outer = cache.prepare(text);
    const seen: number[][] = [];
    for (const row of outer.iterate() as IterableIterator<{ v: number }>) {
      const inner = cache.prepare(text);
      expect(inner).not.toBe(outer);
      seen.push([row.v, (inner.all() as { v: number }[]).length]);
    }
    expect(seen).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(cache.prepare(text)).toBe(outer);
  });

  it('keeps at most its capacity, dropping the least recently used', () => {
    const cache = new StatementCache(sqlite, 2);
    const a = cache.prepare('select 1');
    const b = cache.prepare('select 2');
    expect(cache.prepare('select 1')).toBe(a);
    cache.prepare('select 3');
    expect(cache.size).toBe(2);
    expect(cache.prepare('select 1')).toBe(a);
    expect(cache.prepare('select 2')).not.toBe(b);
  });
});
