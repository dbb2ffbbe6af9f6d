/**
 * Fresh databases for tests: a temporary SQLite file, or a new schema in the PostgreSQL test database
 * (PARLEY_TEST_DATABASE_URL, by default the local server on 127.0.0.1:5432 with trust auth).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type DatabaseHandle, type Dialect } from '../../src/db/connection.js';
import { newId } from '../../src/lib/ids.js';

export const TEST_PG_URL = process.env.PARLEY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function testDialect(): Dialect {
  return process.env.PARLEY_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
}

export interface TestDatabase {
  handle: DatabaseHandle;
  dataDir: string;
  databaseUrl: string | undefined;
  pgSchema: string | undefined;
  /** Closes the handle (if still open) and removes the schema or files. */
  destroy(): Promise<void>;
}

export async function createTestDatabase(dialect: Dialect = testDialect()): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-'));
  if (dialect === 'sqlite') {
    const handle = openDatabase({ dataDir, databaseUrl: undefined });
    return {
      handle,
      dataDir,
      databaseUrl: undefined,
      pgSchema: undefined,
      async destroy() {
        await handle.close().catch(() => {});
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  // Named after the run (test/helpers/pg-schemas.ts), which drops its own schemas when it ends.
  const schema = `t_${inject('pgRun')}_${newId()}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const handle = openDatabase({ dataDir, databaseUrl: TEST_PG_URL, pgSchema: schema });
  return {
    handle,
    dataDir,
    databaseUrl: TEST_PG_URL,
    pgSchema: schema,
    async destroy() {
      await handle.close().catch(() => {});
      // The schema is dropped by the run's global teardown (pg-schemas.ts), not here: a DROP SCHEMA while
      // another test server's migrator reads the catalog makes that read fail.
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
