/**
 * WAL checkpoints on a worker thread (db/checkpointer.ts): the server's own connection no longer
 * checkpoints inside a commit, the worker copies the WAL into the database file, and closing loses
 * nothing. SQLite only: the postgres project leaves `*.sqlite.test.ts` out (vitest.config.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKSTOP_WAL_PAGES, type CheckpointResult } from '../../src/db/checkpointer.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/connection.js';
import { ConfigError, loadConfig } from '../../src/config.js';

type Db = Kysely<{ t: { id: number; body: string } }>;

/** About one 4 KB page per row. */
const ROW = 'x'.repeat(3_500);

async function autocheckpoint(handle: DatabaseHandle): Promise<number> {
  const r = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(handle.db);
  return r.rows[0]!.wal_autocheckpoint;
}

async function fill(db: Db, from: number, rows: number): Promise<void> {
  for (let i = 0; i < rows; i += 100) {
    const batch = Array.from({ length: 100 }, (_, k) => ({ id: from + i + k, body: ROW }));
    await db.insertInto('t').values(batch).execute();
  }
}

describe('background WAL checkpoints', () => {
  let dir: string;
  let file: string;
  const open: DatabaseHandle[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-ckpt-'));
    file = path.join(dir, 'parley.db');
  });
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function openWith(backgroundCheckpointMs: number | undefined, errors: Error[] = []): DatabaseHandle {
    const handle = openDatabase({
      dataDir: dir,
      databaseUrl: undefined,
      backgroundCheckpointMs,
      onCheckpointError: (err) => errors.push(err),
    });
    open.push(handle);
    return handle;
  }

  it('leaves checkpoints to SQLite unless asked', async () => {
    for (const ms of [undefined, 0]) {
      const handle = openWith(ms);
      expect(handle.checkpointer).toBeUndefined();
      expect(await autocheckpoint(handle)).toBe(1000);
      await handle.close();
      open.splice(open.indexOf(handle), 1);
    }
  });

  it('copies the WAL into the database file from the worker, not from a commit', async () => {
    const errors: Error[] = [];
    const handle = openWith(50, errors);
    const checkpointer = handle.checkpointer!;
    expect(checkpointer).toBeDefined();
    // The server's connection checkpoints only far beyond SQLite's 1,000 pages.
    expect(await autocheckpoint(handle)).toBe(BACKSTOP_WAL_PAGES);

    const db = handle.db as unknown as Db;
    await sql`create table t (id integer primary key, body text not null)`.execute(handle.db);
    // More than SQLite's own threshold, less than the backstop: only the worker checkpoints this.
    await fill(db, 0, 1_500);
    // The worker's next checkpoint after the last commit leaves nothing in the WAL uncopied.
    const result = await new Promise<CheckpointResult>((resolve) => {
      const off = checkpointer.onCheckpoint((r) => {
        if (r.checkpointed === r.walFrames) {
          off();
          resolve(r);
        }
      });
    });
    expect(result.walFrames).toBeGreaterThan(0);
    expect(errors).toEqual([]);

    // What the worker copied is in the database file: a copy of the file alone, without its WAL,
    // holds every row.
    const copy = path.join(dir, 'copy.db');
    fs.copyFileSync(file, copy);
    const reader = new SQLite(copy, { readonly: true });
    try {
      expect(reader.prepare('select count(*) as n from t').get()).toEqual({ n: 1_500 });
    } finally {
      reader.close();
    }
  });

  it('keeps every committed row across close and reopen, and removes the WAL on close', async () => {
    const handle = openWith(50);
    await sql`create table t (id integer primary key, body text not null)`.execute(handle.db);
    await fill(handle.db as unknown as Db, 0, 700);
    await handle.close();
    open.splice(open.indexOf(handle), 1);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);

    const again = openWith(50);
    const r = await sql<{ n: number }>`select count(*) as n from t`.execute(again.db);
    expect(r.rows[0]!.n).toBe(700);
  });

  it('reports a worker that cannot checkpoint instead of failing silently', async () => {
    const sub = path.join(dir, 'gone');
    const reported = new Promise<Error>((resolve) => {
      open.push(
        openDatabase({
          dataDir: sub,
          databaseUrl: undefined,
          backgroundCheckpointMs: 20,
          onCheckpointError: resolve,
        }),
      );
    });
    // The worker starts after this synchronous code and opens the file only if it exists.
    fs.rmSync(sub, { recursive: true, force: true });
    const err = await reported;
    expect(err.message).toMatch(/cannot open database|unable to open/i);
  });

  it('reads PARLEY_SQLITE_CHECKPOINT_MS (default one second, 0 for SQLite’s own)', () => {
    expect(loadConfig({}).sqliteCheckpointMs).toBe(1000);
    expect(loadConfig({ PARLEY_SQLITE_CHECKPOINT_MS: '0' }).sqliteCheckpointMs).toBe(0);
    expect(loadConfig({ PARLEY_SQLITE_CHECKPOINT_MS: '250' }).sqliteCheckpointMs).toBe(250);
    for (const bad of ['-1', 'often', '60001']) {
      expect(() => loadConfig({ PARLEY_SQLITE_CHECKPOINT_MS: bad })).toThrow(ConfigError);
    }
  });
});
