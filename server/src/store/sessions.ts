import { sql, type Insertable, type Selectable } from 'kysely';
import type { Database, LoginThrottleTable, SessionsTable } from '../db/schema.js';
import type { Executor } from './store.js';

export type SessionRow = Selectable<SessionsTable>;
export type LoginThrottleRow = Selectable<LoginThrottleTable>;

export class SessionStore {
  constructor(private readonly db: Executor) {}

  async insert(row: Insertable<Database['sessions']>): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  findByTokenHash(tokenHash: string): Promise<SessionRow | undefined> {
    return this.db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  }

  listForUser(userId: string): Promise<SessionRow[]> {
    return this.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).execute();
  }

  async touch(id: string, lastActivityAt: number, expiresAt: number): Promise<void> {
    await this.db
      .updateTable('sessions')
      .set({ last_activity_at: lastActivityAt, expires_at: expiresAt })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  /** Deletes a user's sessions, but for `keepId`; returns the ids deleted. */
  async deleteForUser(userId: string, keepId?: string): Promise<string[]> {
    let q = this.db.deleteFrom('sessions').where('user_id', '=', userId);
    if (keepId) q = q.where('id', '!=', keepId);
    const rows = await q.returning('id').execute();
    return rows.map((r) => r.id);
  }

  async deleteExpired(now: number): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  // Login throttle: keyed by user id for known accounts and by the login id for unknown ones, so both
  // behave the same way. A row counts the failed (or still undecided) attempts since the last success.
  findThrottle(key: string): Promise<LoginThrottleRow | undefined> {
    return this.db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
  }

  /**
   * Counts one more attempt for `key` in a single statement (so parallel attempts cannot read the same
   * stale count) and returns the row as it now stands. A lock that has run out starts the count afresh;
   * the attempt that reaches `maxAttempts` sets `locked_until` to `lockUntil` (a success clears it).
   */
  async countAttempt(
    key: string,
    now: number,
    maxAttempts: number,
    lockUntil: number,
  ): Promise<LoginThrottleRow> {
    const t = 'login_throttle';
    const expired = sql<boolean>`${sql.ref(`${t}.locked_until`)} > 0 and ${sql.ref(`${t}.locked_until`)} <= cast(${now} as bigint)`;
    const next = sql<number>`case when ${expired} then 1 else ${sql.ref(`${t}.failures`)} + 1 end`;
    const row = await this.db
      .insertInto('login_throttle')
      .values({ key, failures: 1, locked_until: maxAttempts <= 1 ? lockUntil : 0, update_at: now })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: next,
          locked_until: sql<number>`case
            when ${sql.ref(`${t}.locked_until`)} > cast(${now} as bigint) then ${sql.ref(`${t}.locked_until`)}
            when ${next} >= ${maxAttempts} then cast(${lockUntil} as bigint)
            else cast(0 as bigint) end`,
          update_at: now,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return row;
  }

  async clearThrottle(key: string): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('key', '=', key).execute();
  }

  /** Drops rows that no longer lock anything and saw no attempt for `staleMs` (unknown login ids pile up). */
  async pruneThrottle(now: number, staleMs: number): Promise<number> {
    const r = await this.db
      .deleteFrom('login_throttle')
      .where('locked_until', '<=', now)
      .where('update_at', '<', now - staleMs)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
