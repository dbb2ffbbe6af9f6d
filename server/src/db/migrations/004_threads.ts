import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are written against an untyped schema */
export async function up(db: Kysely<any>): Promise<void> {
  // A user's relation to a thread (keyed by its root post): whether they follow it, what they have read.
  await db.schema
    .createTable('thread_memberships')
    .addColumn('post_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('following', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('last_viewed', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_updated', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('unread_mentions', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('thread_memberships_pk', ['post_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('thread_memberships_user')
    .on('thread_memberships')
    .columns(['user_id', 'following'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('thread_memberships').execute();
}
