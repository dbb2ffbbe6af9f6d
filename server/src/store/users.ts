import { sql, type Selectable, type Insertable, type Updateable } from 'kysely';
import type { Database, UsersTable } from '../db/schema.js';
import type { Dialect } from '../db/connection.js';
import type { Executor } from './store.js';
import { likeEscape, likeLower } from './store.js';

export type UserRow = Selectable<UsersTable>;

/** An arbitrary, fixed advisory-lock key for first sign-ups. */
const FIRST_SIGNUP_LOCK = 7_405_001;

export interface ListUsersOptions {
  page: number;
  perPage: number;
  inTeam?: string;
  notInTeam?: string;
  inChannel?: string;
  notInChannel?: string;
  /** Only users who belong to no team. */
  withoutTeam?: boolean;
  /** Only active (not deactivated) users. */
  active?: boolean;
  inactive?: boolean;
  role?: string;
  sort?: 'username' | 'create_at';
}

export class UserStore {
  constructor(
    private readonly db: Executor,
    readonly dialect: Dialect,
  ) {}

  async insert(row: Insertable<Database['users']>): Promise<void> {
    await this.db.insertInto('users').values(row).execute();
  }

  async update(id: string, patch: Updateable<Database['users']>): Promise<void> {
    await this.db.updateTable('users').set(patch).where('id', '=', id).execute();
  }

  findById(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByUsername(username: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username.toLowerCase())
      .executeTakeFirst();
  }

  findByEmail(email: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email.toLowerCase())
      .executeTakeFirst();
  }

  async findByIds(ids: readonly string[]): Promise<UserRow[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom('users').selectAll().where('id', 'in', ids).orderBy('username').execute();
  }

  async findByUsernames(names: readonly string[]): Promise<UserRow[]> {
    if (names.length === 0) return [];
    return this.db
      .selectFrom('users')
      .selectAll()
      .where(
        'username',
        'in',
        names.map((n) => n.toLowerCase()),
      )
      .orderBy('username')
      .execute();
  }

  /**
   * Inside a transaction: makes concurrent sign-ups on an empty server take turns, so that only one of
   * them can see zero users and become the system admin. (SQLite runs one write transaction at a time.)
   */
  async lockFirstSignup(): Promise<void> {
    if (this.dialect === 'postgres')
      await sql`select pg_advisory_xact_lock(${FIRST_SIGNUP_LOCK})`.execute(this.db);
  }

  async count(): Promise<number> {
    const r = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async list(o: ListUsersOptions): Promise<UserRow[]> {
    let q = this.db.selectFrom('users').selectAll('users');
    if (o.inTeam) {
      const t = o.inTeam;
      q = q.where('users.id', 'in', (eb) =>
        eb.selectFrom('team_members').select('user_id').where('team_id', '=', t),
      );
    }
    if (o.notInTeam) {
      const t = o.notInTeam;
      q = q.where('users.id', 'not in', (eb) =>
        eb.selectFrom('team_members').select('user_id').where('team_id', '=', t),
      );
    }
    if (o.inChannel) {
      const c = o.inChannel;
      q = q.where('users.id', 'in', (eb) =>
        eb.selectFrom('channel_members').select('user_id').where('channel_id', '=', c),
      );
    }
    if (o.notInChannel) {
      const c = o.notInChannel;
      q = q.where('users.id', 'not in', (eb) =>
        eb.selectFrom('channel_members').select('user_id').where('channel_id', '=', c),
      );
    }
    if (o.withoutTeam) {
      q = q.where('users.id', 'not in', (eb) => eb.selectFrom('team_members').select('user_id'));
    }
    if (o.active) q = q.where('users.delete_at', '=', 0);
    if (o.inactive) q = q.where('users.delete_at', '>', 0);
    if (o.role) q = q.where(likeLower('users.roles', `%${likeEscape(o.role)}%`));
    q =
      o.sort === 'create_at'
        ? q.orderBy('users.create_at', 'desc').orderBy('users.id')
        : q.orderBy('users.username');
    return q
      .limit(o.perPage)
      .offset(o.page * o.perPage)
      .execute();
  }

  /** Prefix search on username, names, nickname and e-mail (the latter only when allowed). */
  async search(
    term: string,
    o: {
      limit: number;
      inTeam?: string;
      notInTeam?: string;
      notInChannel?: string;
      inChannel?: string;
      allowInactive?: boolean;
    },
  ): Promise<UserRow[]> {
    const like = `${likeEscape(term.toLowerCase())}%`;
    let q = this.db
      .selectFrom('users')
      .selectAll()
      .where((eb) =>
        eb.or([
          likeLower('username', like),
          likeLower('first_name', like),
          likeLower('last_name', like),
          likeLower('nickname', like),
        ]),
      );
    if (!o.allowInactive) q = q.where('delete_at', '=', 0);
    if (o.inTeam) {
      const t = o.inTeam;
      q = q.where('id', 'in', (eb) =>
        eb.selectFrom('team_members').select('user_id').where('team_id', '=', t),
      );
    }
    if (o.notInTeam) {
      const t = o.notInTeam;
      q = q.where('id', 'not in', (eb) =>
        eb.selectFrom('team_members').select('user_id').where('team_id', '=', t),
      );
    }
    if (o.inChannel) {
      const c = o.inChannel;
      q = q.where('id', 'in', (eb) =>
        eb.selectFrom('channel_members').select('user_id').where('channel_id', '=', c),
      );
    }
    if (o.notInChannel) {
      const c = o.notInChannel;
      q = q.where('id', 'not in', (eb) =>
        eb.selectFrom('channel_members').select('user_id').where('channel_id', '=', c),
      );
    }
    return q.orderBy('username').limit(o.limit).execute();
  }

  /** Users who share at least one channel with userId (for presence fan-out and visibility). */
  async idsSharingAChannelWith(userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('channel_members as a')
      .innerJoin('channel_members as b', 'a.channel_id', 'b.channel_id')
      .select('b.user_id')
      .distinct()
      .where('a.user_id', '=', userId)
      .execute();
    return rows.map((r) => r.user_id);
  }
}
