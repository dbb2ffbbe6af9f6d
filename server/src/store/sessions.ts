import type { Insertable, Selectable } from 'kysely';
import type { Database, SessionsTable } from '../db/schema.js';
import type { Executor } from './store.js';

export type SessionRow = Selectable<SessionsTable>;

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
  // behave the same way.
  findThrottle(key: string) {
    return this.db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
  }

  async putThrottle(key: string, failures: number, lockedUntil: number, now: number): Promise<void> {
    await this.db
      .insertInto('login_throttle')
      .values({ key, failures, locked_until: lockedUntil, update_at: now })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({ failures, locked_until: lockedUntil, update_at: now }),
      )
      .execute();
  }

  async clearThrottle(key: string): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('key', '=', key).execute();
  }
}
