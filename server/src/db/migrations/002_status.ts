import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are written against an untyped schema */

/**
 * Presence: one row per user who has ever had a status. `manual` statuses (dnd, away, offline chosen by
 * the user) survive reconnects and restarts; automatic ones follow the user's sockets.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('statuses')
    .addColumn('user_id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('manual', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_activity_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('statuses').execute();
}
