import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Database, TeamMembersTable, TeamsTable } from '../db/schema.js';
import type { Executor } from './store.js';

export type TeamRow = Selectable<TeamsTable>;
export type TeamMemberRow = Selectable<TeamMembersTable>;

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
}
