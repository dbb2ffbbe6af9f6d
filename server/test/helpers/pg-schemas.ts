/**
 * Global setup of the PostgreSQL project: each test server gets its own schema `t_<run>_<id>` in the
 * test database, where `<run>` names this run (its start time, base 36). This run's schemas are dropped
 * after it, never while tests run; before it, schemas of runs that started more than six hours ago
 * (leftovers of an interrupted run). Another run going on at the same time on the same database (a
 * second checkout, CI beside a developer's run) keeps its schemas.
 */
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { TEST_PG_URL } from './db.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgRun: string;
  }
}

const STALE_MS = 6 * 3600_000;

/** Drops the test schemas whose run `which` picks (and any of the older, run-less naming). */
async function dropSchemas(which: (run: string) => boolean): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    const { rows } = await c.query<{ name: string }>(
      `select nspname as name from pg_namespace where nspname ~ '^t_([a-z0-9]+_)?[a-z0-9]{26}$'`,
    );
    for (const { name } of rows) {
      // `t_<id>` without a run is the older naming: always a leftover.
      const parts = name.split('_');
      if (parts.length === 2 || which(parts[1]!)) await c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    }
  } finally {
    await c.end();
  }
}

let run = '';

export async function setup(project: TestProject): Promise<void> {
  const now = Date.now();
  run = now.toString(36);
  project.provide('pgRun', run);
  await dropSchemas((r) => now - parseInt(r, 36) > STALE_MS);
}

export async function teardown(): Promise<void> {
  await dropSchemas((r) => r === run);
}
