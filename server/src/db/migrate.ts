import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { Kysely } from 'kysely';
import * as m001 from './migrations/001_initial.js';
import * as m002status from './migrations/002_status.js';

/** Numbered migrations, listed here so that they ship inside the build (no directory scanning). */
const migrations: Record<string, Migration> = {
  '001_initial': m001,
  '002_status': m002status,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider, migrationTableName: 'parley_migrations' });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
