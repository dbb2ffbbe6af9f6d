/**
 * Queries the real-time layer needs: who is in a team or channel (event audiences, the hub's member
 * cache, presence), whether sockets' sessions still stand, and users' presence statuses.
 */
import type { Selectable } from 'kysely';
import type { StatusesTable } from '../db/schema.js';
import type { Executor } from './store.js';

export type StatusRow = Selectable<StatusesTable>;

export class RealtimeStore {
  constructor(private readonly db: Executor) {}

  async teamMemberIds(teamId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('team_members')
      .select('user_id')
      .where('team_id', '=', teamId)
      .execute();
    return rows.map((r) => r.user_id);
  }

  /** (user, channel) for every channel membership of these users. */
  async channelsOfUsers(userIds: readonly string[]): Promise<{ user_id: string; channel_id: string }[]> {
    if (userIds.length === 0) return [];
    return this.db
      .selectFrom('channel_members')
      .select(['user_id', 'channel_id'])
      .where('user_id', 'in', userIds)
      .execute();
  }

  /** (channel, user) for every member of these channels. */
  async membersOfChannels(channelIds: readonly string[]): Promise<{ channel_id: string; user_id: string }[]> {
    if (channelIds.length === 0) return [];
    return this.db
      .selectFrom('channel_members')
      .select(['channel_id', 'user_id'])
      .where('channel_id', 'in', channelIds)
      .execute();
  }

  /** Of these session ids, those that still exist, are unexpired and belong to an active user. */
  async liveSessionIds(ids: readonly string[], now: number): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .select('sessions.id')
      .where('sessions.id', 'in', ids)
      .where('sessions.expires_at', '>', now)
      .where('users.delete_at', '=', 0)
      .execute();
    return rows.map((r) => r.id);
  }

  findStatus(userId: string): Promise<StatusRow | undefined> {
    return this.db.selectFrom('statuses').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  async findStatuses(userIds: readonly string[]): Promise<StatusRow[]> {
    if (userIds.length === 0) return [];
    return this.db.selectFrom('statuses').selectAll().where('user_id', 'in', userIds).execute();
  }

  async putStatus(row: StatusRow): Promise<void> {
    await this.db
      .insertInto('statuses')
      .values(row)
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({
          status: row.status,
          manual: row.manual,
          last_activity_at: row.last_activity_at,
        }),
      )
      .execute();
  }

  /** Automatic statuses other than offline: at start-up nobody is connected to this node yet. */
  async resetAutomaticStatuses(): Promise<number> {
    const r = await this.db
      .updateTable('statuses')
      .set({ status: 'offline' })
      .where('manual', '=', 0)
      .where('status', '!=', 'offline')
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}
