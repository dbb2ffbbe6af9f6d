import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are written against an untyped schema */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('username', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('email', 'varchar(128)', (c) => c.notNull().unique())
    .addColumn('email_verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('password_hash', 'varchar(128)', (c) => c.notNull())
    .addColumn('first_name', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('last_name', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('nickname', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('position', 'varchar(128)', (c) => c.notNull().defaultTo(''))
    .addColumn('locale', 'varchar(5)', (c) => c.notNull().defaultTo('en'))
    .addColumn('roles', 'varchar(256)', (c) => c.notNull())
    .addColumn('notify_props', 'text', (c) => c.notNull())
    .addColumn('props', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('is_bot', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('create_at', 'bigint', (c) => c.notNull())
    .addColumn('update_at', 'bigint', (c) => c.notNull())
    .addColumn('delete_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_password_update', 'bigint', (c) => c.notNull())
    .addColumn('last_picture_update', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('csrf_token', 'varchar(26)', (c) => c.notNull())
    .addColumn('device_id', 'varchar(512)', (c) => c.notNull().defaultTo(''))
    .addColumn('roles', 'varchar(256)', (c) => c.notNull())
    .addColumn('create_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('last_activity_at', 'bigint', (c) => c.notNull())
    .addColumn('props', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('login_throttle')
    .addColumn('key', 'varchar(160)', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('locked_until', 'bigint', (c) => c.notNull())
    .addColumn('update_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('teams')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('display_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('email', 'varchar(128)', (c) => c.notNull().defaultTo(''))
    .addColumn('type', 'varchar(1)', (c) => c.notNull())
    .addColumn('company_name', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('allowed_domains', 'varchar(1000)', (c) => c.notNull().defaultTo(''))
    .addColumn('invite_id', 'varchar(32)', (c) => c.notNull())
    .addColumn('allow_open_invite', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('create_at', 'bigint', (c) => c.notNull())
    .addColumn('update_at', 'bigint', (c) => c.notNull())
    .addColumn('delete_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('teams_invite_id').on('teams').column('invite_id').execute();

  await db.schema
    .createTable('team_members')
    .addColumn('team_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('scheme_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('create_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'user_id'])
    .execute();
  await db.schema.createIndex('team_members_user_id').on('team_members').column('user_id').execute();

  await db.schema
    .createTable('channels')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('team_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('type', 'varchar(1)', (c) => c.notNull())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('display_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('header', 'varchar(1024)', (c) => c.notNull().defaultTo(''))
    .addColumn('purpose', 'varchar(250)', (c) => c.notNull().defaultTo(''))
    .addColumn('creator_id', 'varchar(26)', (c) => c.notNull().defaultTo(''))
    .addColumn('create_at', 'bigint', (c) => c.notNull())
    .addColumn('update_at', 'bigint', (c) => c.notNull())
    .addColumn('delete_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_post_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_root_post_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('total_msg_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('total_msg_count_root', 'bigint', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('channels_team_name', ['team_id', 'name'])
    .execute();

  await db.schema
    .createTable('channel_members')
    .addColumn('channel_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('scheme_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_viewed_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('msg_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('msg_count_root', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('mention_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('mention_count_root', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('notify_props', 'text', (c) => c.notNull())
    .addColumn('last_update_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_members_pk', ['channel_id', 'user_id'])
    .execute();
  await db.schema.createIndex('channel_members_user_id').on('channel_members').column('user_id').execute();

  await db.schema
    .createTable('posts')
    .addColumn('id', 'varchar(26)', (c) => c.primaryKey())
    .addColumn('channel_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('root_id', 'varchar(26)', (c) => c.notNull().defaultTo(''))
    .addColumn('create_at', 'bigint', (c) => c.notNull())
    .addColumn('update_at', 'bigint', (c) => c.notNull())
    .addColumn('edit_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('delete_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('is_pinned', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('type', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('props', 'text', (c) => c.notNull())
    .addColumn('hashtags', 'varchar(1000)', (c) => c.notNull().defaultTo(''))
    .addColumn('file_ids', 'varchar(300)', (c) => c.notNull().defaultTo('[]'))
    .addColumn('pending_post_id', 'varchar(64)')
    .addColumn('reply_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_reply_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('posts_user_pending', ['user_id', 'pending_post_id'])
    .execute();
  await db.schema
    .createIndex('posts_channel_create')
    .on('posts')
    .columns(['channel_id', 'create_at'])
    .execute();
  await db.schema.createIndex('posts_root_create').on('posts').columns(['root_id', 'create_at']).execute();

  await db.schema
    .createTable('reactions')
    .addColumn('post_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('emoji_name', 'varchar(64)', (c) => c.notNull())
    .addColumn('channel_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('create_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('reactions_pk', ['post_id', 'user_id', 'emoji_name'])
    .execute();

  await db.schema
    .createTable('preferences')
    .addColumn('user_id', 'varchar(26)', (c) => c.notNull())
    .addColumn('category', 'varchar(32)', (c) => c.notNull())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('preferences_pk', ['user_id', 'category', 'name'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'preferences',
    'reactions',
    'posts',
    'channel_members',
    'channels',
    'team_members',
    'teams',
    'login_throttle',
    'sessions',
    'users',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
