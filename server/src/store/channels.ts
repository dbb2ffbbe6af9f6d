import { type Insertable, type Selectable, type Updateable } from 'kysely';
import type { ChannelMembersTable, ChannelsTable, Database } from '../db/schema.js';
import type { Dialect } from '../db/connection.js';
import type { Executor } from './store.js';
import { likeEscape, likeLower } from './store.js';

export type ChannelRow = Selectable<ChannelsTable>;
export type ChannelMemberRow = Selectable<ChannelMembersTable>;

/** A channel with the names of its team, for admin search results. */
export type ChannelWithTeamRow = ChannelRow & {
  team_name: string | null;
  team_display_name: string | null;
  team_update_at: number | null;
};

export interface SearchChannelsOptions {
  term: string;
  /** Restrict to these teams (undefined: every team). */
  teamIds?: readonly string[];
  /** Public channels, and private channels only when this user is a member. undefined: all. */
  visibleTo?: string;
  includeDeleted: boolean;
  /** Only these types (default O and P). */
  types?: readonly ('O' | 'P')[];
  page: number;
  perPage: number;
}

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

  async findByIds(ids: readonly string[]): Promise<ChannelRow[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom('channels').selectAll().where('id', 'in', ids).execute();
  }

  findByTeamAndName(teamId: string, name: string): Promise<ChannelRow | undefined> {
    return this.db
      .selectFrom('channels')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('name', '=', name)
      .executeTakeFirst();
  }

  /** Public channels of a team, by display name. */
  listPublic(teamId: string, page: number, perPage: number): Promise<ChannelRow[]> {
    return this.db
      .selectFrom('channels')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('type', '=', 'O')
      .where('delete_at', '=', 0)
      .orderBy('display_name')
      .orderBy('id')
      .limit(perPage)
      .offset(page * perPage)
      .execute();
  }

  /** Archived channels of a team: public ones, and private ones the user is a member of. */
  listArchived(teamId: string, userId: string, page: number, perPage: number): Promise<ChannelRow[]> {
    return this.db
      .selectFrom('channels')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('delete_at', '>', 0)
      .where((eb) =>
        eb.or([
          eb('type', '=', 'O'),
          eb.and([
            eb('type', '=', 'P'),
            eb.exists(
              eb
                .selectFrom('channel_members')
                .select('channel_members.user_id')
                .whereRef('channel_members.channel_id', '=', 'channels.id')
                .where('channel_members.user_id', '=', userId),
            ),
          ]),
        ]),
      )
      .orderBy('display_name')
      .orderBy('id')
      .limit(perPage)
      .offset(page * perPage)
      .execute();
  }

  /**
   * Channels the user is a member of: of one team plus direct and group channels (teamId given), or
   * of every team (teamId undefined).
   */
  listForUser(userId: string, opts: { teamId?: string; includeDeleted: boolean }): Promise<ChannelRow[]> {
    let q = this.db
      .selectFrom('channels')
      .innerJoin('channel_members', 'channel_members.channel_id', 'channels.id')
      .selectAll('channels')
      .where('channel_members.user_id', '=', userId);
    if (opts.teamId !== undefined) q = q.where('channels.team_id', 'in', [opts.teamId, '']);
    if (!opts.includeDeleted) q = q.where('channels.delete_at', '=', 0);
    return q.orderBy('channels.display_name').orderBy('channels.id').execute();
  }

  /** The user's memberships of channels of one team plus direct and group channels (or all). */
  membershipsForUser(
    userId: string,
    opts: { teamId?: string; page?: number; perPage?: number } = {},
  ): Promise<ChannelMemberRow[]> {
    let q = this.db
      .selectFrom('channel_members')
      .innerJoin('channels', 'channels.id', 'channel_members.channel_id')
      .selectAll('channel_members')
      .where('channel_members.user_id', '=', userId)
      .where('channels.delete_at', '=', 0);
    if (opts.teamId !== undefined) q = q.where('channels.team_id', 'in', [opts.teamId, '']);
    q = q.orderBy('channel_members.channel_id');
    if (opts.perPage !== undefined) q = q.limit(opts.perPage).offset((opts.page ?? 0) * opts.perPage);
    return q.execute();
  }

  /** Channel ids of one team the user belongs to (archived included). */
  async channelIdsOfTeamForUser(teamId: string, userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('channel_members')
      .innerJoin('channels', 'channels.id', 'channel_members.channel_id')
      .select('channels.id')
      .where('channel_members.user_id', '=', userId)
      .where('channels.team_id', '=', teamId)
      .execute();
    return rows.map((r) => r.id);
  }

  private searchQuery(opts: Omit<SearchChannelsOptions, 'page' | 'perPage'>) {
    const pattern = '%' + likeEscape(opts.term.toLowerCase()) + '%';
    let q = this.db
      .selectFrom('channels')
      .leftJoin('teams', 'teams.id', 'channels.team_id')
      .where('channels.type', 'in', opts.types ?? ['O', 'P'])
      .where((eb) =>
        eb.or([likeLower('channels.name', pattern), likeLower('channels.display_name', pattern)]),
      );
    if (opts.teamIds !== undefined) {
      // An empty list matches nothing (never "every team").
      q = q.where('channels.team_id', 'in', opts.teamIds.length > 0 ? opts.teamIds : ['']);
    }
    if (!opts.includeDeleted) q = q.where('channels.delete_at', '=', 0);
    const viewer = opts.visibleTo;
    if (viewer !== undefined) {
      q = q.where((eb) =>
        eb.or([
          eb('channels.type', '=', 'O'),
          eb.exists(
            eb
              .selectFrom('channel_members')
              .select('channel_members.user_id')
              .whereRef('channel_members.channel_id', '=', 'channels.id')
              .where('channel_members.user_id', '=', viewer),
          ),
        ]),
      );
    }
    return q;
  }

  /** Channels whose name or display name contains the term (case-insensitive), by display name. */
  search(opts: SearchChannelsOptions): Promise<ChannelWithTeamRow[]> {
    return this.searchQuery(opts)
      .selectAll('channels')
      .select([
        'teams.name as team_name',
        'teams.display_name as team_display_name',
        'teams.update_at as team_update_at',
      ])
      .orderBy('channels.display_name')
      .orderBy('channels.id')
      .limit(opts.perPage)
      .offset(opts.page * opts.perPage)
      .execute();
  }

  async countSearch(opts: Omit<SearchChannelsOptions, 'page' | 'perPage'>): Promise<number> {
    const r = await this.searchQuery(opts)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
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

  async updateMember(
    channelId: string,
    userId: string,
    patch: Updateable<Database['channel_members']>,
  ): Promise<void> {
    await this.db
      .updateTable('channel_members')
      .set(patch)
      .where('channel_id', '=', channelId)
      .where('user_id', '=', userId)
      .execute();
  }

  /** Returns true when a membership was removed. */
  async deleteMember(channelId: string, userId: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('channel_members')
      .where('channel_id', '=', channelId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /**
   * Marks the channel read for the member, in one statement so that a post landing meanwhile is
   * never counted as read without being seen: msg counts catch up with the channel's totals.
   */
  async markViewed(channelId: string, userId: string, now: number): Promise<void> {
    await this.db
      .updateTable('channel_members')
      .set((eb) => ({
        msg_count: eb.selectFrom('channels').select('total_msg_count').where('id', '=', channelId),
        msg_count_root: eb.selectFrom('channels').select('total_msg_count_root').where('id', '=', channelId),
        mention_count: 0,
        mention_count_root: 0,
        last_viewed_at: now,
        last_update_at: now,
      }))
      .where('channel_id', '=', channelId)
      .where('user_id', '=', userId)
      .execute();
  }

  listMembers(channelId: string, page: number, perPage: number): Promise<ChannelMemberRow[]> {
    return this.db
      .selectFrom('channel_members')
      .selectAll()
      .where('channel_id', '=', channelId)
      .orderBy('user_id')
      .limit(perPage)
      .offset(page * perPage)
      .execute();
  }

  async membersByIds(channelId: string, userIds: readonly string[]): Promise<ChannelMemberRow[]> {
    if (userIds.length === 0) return [];
    return this.db
      .selectFrom('channel_members')
      .selectAll()
      .where('channel_id', '=', channelId)
      .where('user_id', 'in', userIds)
      .orderBy('user_id')
      .execute();
  }

  async memberIds(channelId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('channel_members')
      .select('user_id')
      .where('channel_id', '=', channelId)
      .execute();
    return rows.map((r) => r.user_id);
  }

  /** Members whose account is active. */
  async countActiveMembers(channelId: string): Promise<number> {
    const r = await this.db
      .selectFrom('channel_members')
      .innerJoin('users', 'users.id', 'channel_members.user_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('channel_members.channel_id', '=', channelId)
      .where('users.delete_at', '=', 0)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async countPinnedPosts(channelId: string): Promise<number> {
    const r = await this.db
      .selectFrom('posts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('channel_id', '=', channelId)
      .where('is_pinned', '=', 1)
      .where('delete_at', '=', 0)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** The distinct stored timezones (JSON text) of the channel's active members. */
  async memberTimezones(channelId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('channel_members')
      .innerJoin('users', 'users.id', 'channel_members.user_id')
      .select('users.timezone')
      .distinct()
      .where('channel_members.channel_id', '=', channelId)
      .where('users.delete_at', '=', 0)
      .execute();
    return rows.map((r) => r.timezone);
  }
}
