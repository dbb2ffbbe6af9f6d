import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Database, TeamMembersTable, TeamsTable } from '../db/schema.js';
import type { Executor } from './store.js';

export type TeamRow = Selectable<TeamsTable>;
export type TeamMemberRow = Selectable<TeamMembersTable>;

/** Unread totals of one user in one team (public and private channels; D/G are not per team). */
export interface TeamUnreadRow {
  team_id: string;
  msg_count: number;
  msg_count_root: number;
  mention_count: number;
  mention_count_root: number;
}

export interface ListTeamsOptions {
  page: number;
  perPage: number;
  /** Only teams anyone may join (allow_open_invite). */
  openOnly: boolean;
  includeDeleted: boolean;
}

export class TeamStore {
  constructor(private readonly db: Executor) {}

  async insert(row: Insertable<Database['teams']>): Promise<void> {
    await this.db.insertInto('teams').values(row).execute();
  }

  async update(id: string, patch: Updateable<Database['teams']>): Promise<void> {
    await this.db.updateTable('teams').set(patch).where('id', '=', id).execute();
  }

  findById(id: string): Promise<TeamRow | undefined> {
    return this.db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByName(name: string): Promise<TeamRow | undefined> {
    return this.db.selectFrom('teams').selectAll().where('name', '=', name.toLowerCase()).executeTakeFirst();
  }

  findByInviteId(inviteId: string): Promise<TeamRow | undefined> {
    return this.db.selectFrom('teams').selectAll().where('invite_id', '=', inviteId).executeTakeFirst();
  }

  private listQuery(opts: Pick<ListTeamsOptions, 'openOnly' | 'includeDeleted'>) {
    let q = this.db.selectFrom('teams');
    if (opts.openOnly) q = q.where('allow_open_invite', '=', 1);
    if (!opts.includeDeleted) q = q.where('delete_at', '=', 0);
    return q;
  }

  list(opts: ListTeamsOptions): Promise<TeamRow[]> {
    return this.listQuery(opts)
      .selectAll()
      .orderBy('display_name')
      .orderBy('id')
      .limit(opts.perPage)
      .offset(opts.page * opts.perPage)
      .execute();
  }

  async count(opts: Pick<ListTeamsOptions, 'openOnly' | 'includeDeleted'>): Promise<number> {
    const r = await this.listQuery(opts)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Teams the user belongs to (archived ones too: clients show them greyed out). */
  listForUser(userId: string): Promise<TeamRow[]> {
    return this.db
      .selectFrom('teams')
      .innerJoin('team_members', 'team_members.team_id', 'teams.id')
      .selectAll('teams')
      .where('team_members.user_id', '=', userId)
      .orderBy('teams.display_name')
      .orderBy('teams.id')
      .execute();
  }

  findMember(teamId: string, userId: string): Promise<TeamMemberRow | undefined> {
    return this.db
      .selectFrom('team_members')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  async insertMember(row: Insertable<Database['team_members']>): Promise<void> {
    await this.db.insertInto('team_members').values(row).execute();
  }

  async updateMember(
    teamId: string,
    userId: string,
    patch: Updateable<Database['team_members']>,
  ): Promise<void> {
    await this.db
      .updateTable('team_members')
      .set(patch)
      .where('team_id', '=', teamId)
      .where('user_id', '=', userId)
      .execute();
  }

  /** Returns true when a membership was removed. */
  async deleteMember(teamId: string, userId: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('team_members')
      .where('team_id', '=', teamId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  listMembers(teamId: string, page: number, perPage: number): Promise<TeamMemberRow[]> {
    return this.db
      .selectFrom('team_members')
      .selectAll()
      .where('team_id', '=', teamId)
      .orderBy('user_id')
      .limit(perPage)
      .offset(page * perPage)
      .execute();
  }

  async membersByIds(teamId: string, userIds: readonly string[]): Promise<TeamMemberRow[]> {
    if (userIds.length === 0) return [];
    return this.db
      .selectFrom('team_members')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('user_id', 'in', userIds)
      .orderBy('user_id')
      .execute();
  }

  membershipsForUser(userId: string): Promise<TeamMemberRow[]> {
    return this.db
      .selectFrom('team_members')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('team_id')
      .execute();
  }

  async memberIds(teamId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('team_members')
      .select('user_id')
      .where('team_id', '=', teamId)
      .execute();
    return rows.map((r) => r.user_id);
  }

  /** Total members and those whose account is active. */
  async memberCounts(teamId: string): Promise<{ total: number; active: number }> {
    const r = await this.db
      .selectFrom('team_members')
      .innerJoin('users', 'users.id', 'team_members.user_id')
      .select([
        (eb) => eb.fn.countAll<number>().as('total'),
        sql<number>`sum(case when users.delete_at = 0 then 1 else 0 end)`.as('active'),
      ])
      .where('team_members.team_id', '=', teamId)
      .executeTakeFirstOrThrow();
    return { total: Number(r.total), active: Number(r.active ?? 0) };
  }

  /** Per team: posts not yet read and unread mentions, over the user's open channels of each team. */
  async unreadsForUser(userId: string): Promise<TeamUnreadRow[]> {
    const rows = await this.db
      .selectFrom('team_members')
      .leftJoin('channels', (j) =>
        j
          .onRef('channels.team_id', '=', 'team_members.team_id')
          .on('channels.delete_at', '=', 0)
          .on('channels.type', 'in', ['O', 'P']),
      )
      .leftJoin('channel_members', (j) =>
        j.onRef('channel_members.channel_id', '=', 'channels.id').on('channel_members.user_id', '=', userId),
      )
      .select([
        'team_members.team_id as team_id',
        sql<number>`coalesce(sum(case when channel_members.user_id is null then 0 else channels.total_msg_count - channel_members.msg_count end), 0)`.as(
          'msg_count',
        ),
        sql<number>`coalesce(sum(case when channel_members.user_id is null then 0 else channels.total_msg_count_root - channel_members.msg_count_root end), 0)`.as(
          'msg_count_root',
        ),
        sql<number>`coalesce(sum(channel_members.mention_count), 0)`.as('mention_count'),
        sql<number>`coalesce(sum(channel_members.mention_count_root), 0)`.as('mention_count_root'),
      ])
      .where('team_members.user_id', '=', userId)
      .groupBy('team_members.team_id')
      .orderBy('team_members.team_id')
      .execute();
    return rows.map((r) => ({
      team_id: r.team_id,
      msg_count: Math.max(0, Number(r.msg_count)),
      msg_count_root: Math.max(0, Number(r.msg_count_root)),
      mention_count: Number(r.mention_count),
      mention_count_root: Number(r.mention_count_root),
    }));
  }
}
