/**
 * Global setup of the PostgreSQL project: each test server gets its own schema `t_<id>` in the test
 * database; they are all dropped here, before the run (leftovers of an interrupted run) and after it,
 * never while tests run.
 */
import pg from 'pg';
import { TEST_PG_URL } from './db.js';

async function dropTestSchemas(): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    const { rows } = await c.query<{ name: string }>(
      `select nspname as name from pg_namespace where nspname ~ '^t_[a-z0-9]{26}$'`,
    );
    for (const { name } of rows) await c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
  } finally {
    await c.end();
  }
}

export async function setup(): Promise<void> {
  await dropTestSchemas();
}

export async function teardown(): Promise<void> {
  await dropTestSchemas();
}
