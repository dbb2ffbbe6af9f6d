import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are written against an untyped schema */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('files')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('creator_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('channel_id', 'varchar(26)', (c) => c.notNull())
    // '' until a post claims the file.
    .addColumn('post_id', 'varchar(26)', (c) => c.notNull().defaultTo(''))
    .addColumn('create_at', 'bigint', (c) => c.notNull())
    .addColumn('update_at', 'bigint', (c) => c.notNull())
    .addColumn('delete_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('name', 'varchar(256)', (c) => c.notNull())
    .addColumn('extension', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('mime_type', 'varchar(128)', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('height', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('has_preview_image', 'integer', (c) => c.notNull().defaultTo(0))
    // Content type of the stored thumbnail and preview ('' without them).
    .addColumn('preview_type', 'varchar(32)', (c) => c.notNull().defaultTo(''))
    // Tiny blurred JPEG, base64 ('' when none).
    .addColumn('mini_preview', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('files_post_id').on('files').column('post_id').execute();
  await db.schema
    .createIndex('files_channel_create')
    .on('files')
    .columns(['channel_id', 'create_at'])
    .execute();
  await db.schema.createIndex('files_creator').on('files').column('creator_id').execute();
  await db.schema.createIndex('files_delete_at').on('files').column('delete_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('files').execute();
}
