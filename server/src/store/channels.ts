import type { Insertable, Selectable, Updateable } from 'kysely';
import type { ChannelMembersTable, ChannelsTable, Database } from '../db/schema.js';
import type { Dialect } from '../db/connection.js';
import type { Executor } from './store.js';

export type ChannelRow = Selectable<ChannelsTable>;
export type ChannelMemberRow = Selectable<ChannelMembersTable>;

export class ChannelStore {
  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
  ) {}

  async insert(row: Insertable<Database['channels']>): Promise<void> {
    await this.db.insertInto('channels').values(row).execute();
  }

  async update(id: string, patch: Updateable<Database['channels']>): Promise<void> {
    await this.db.updateTable('channels').set(patch).where('id', '=', id).execute();
  }

  findById(id: string): Promise<ChannelRow | undefined> {
    return this.db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByTeamAndName(teamId: string, name: string): Promise<ChannelRow | undefined> {
    return this.db
      .selectFrom('channels')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('name', '=', name)
      .executeTakeFirst();
  }

  findMember(channelId: string, userId: string): Promise<ChannelMemberRow | undefined> {
    return this.db
      .selectFrom('channel_members')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  async insertMember(row: Insertable<Database['channel_members']>): Promise<void> {
    await this.db.insertInto('channel_members').values(row).execute();
  }

  async memberIds(channelId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('channel_members')
      .select('user_id')
      .where('channel_id', '=', channelId)
      .execute();
    return rows.map((r) => r.user_id);
  }
}
