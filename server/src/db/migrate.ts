import {
  Migrator,
  PostgresAdapter,
  sql,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
} from 'kysely';
import type { Kysely } from 'kysely';
import * as m001 from './migrations/001_initial.js';
import * as m002status from './migrations/002_status.js';
import * as m003 from './migrations/003_files.js';
import * as m004threads from './migrations/004_threads.js';
import * as m005search from './migrations/005_search.js';

/** Numbered migrations, listed here so that they ship inside the build (no directory scanning). */
const migrations: Record<string, Migration> = {
  '001_initial': m001,
  '002_status': m002status,
  '003_files': m003,
  '004_threads': m004threads,
  '005_search': m005search,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  // On PostgreSQL, name the schema in use: without it Kysely's migrator takes the migration tables of
  // any other schema in the database for its own (and then fails), e.g. beside other test schemas.
  const schema =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s
      : undefined;
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'parley_migrations',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
