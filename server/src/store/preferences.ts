import type { Selectable } from 'kysely';
import type { PreferencesTable } from '../db/schema.js';
import type { Executor } from './store.js';

export type PreferenceRow = Selectable<PreferencesTable>;

export class PreferenceStore {
  constructor(private readonly db: Executor) {}

  listForUser(userId: string, category?: string): Promise<PreferenceRow[]> {
    let q = this.db.selectFrom('preferences').selectAll().where('user_id', '=', userId);
    if (category !== undefined) q = q.where('category', '=', category);
    return q.orderBy('category').orderBy('name').execute();
  }

  find(userId: string, category: string, name: string): Promise<PreferenceRow | undefined> {
    return this.db
      .selectFrom('preferences')
      .selectAll()
      .where('user_id', '=', userId)
      .where('category', '=', category)
      .where('name', '=', name)
      .executeTakeFirst();
  }

  async upsert(rows: readonly PreferenceRow[]): Promise<void> {
    for (const r of rows) {
      await this.db
        .insertInto('preferences')
        .values(r)
        .onConflict((oc) => oc.columns(['user_id', 'category', 'name']).doUpdateSet({ value: r.value }))
        .execute();
    }
  }

  async delete(userId: string, keys: readonly { category: string; name: string }[]): Promise<void> {
    for (const k of keys) {
      await this.db
        .deleteFrom('preferences')
        .where('user_id', '=', userId)
        .where('category', '=', k.category)
        .where('name', '=', k.name)
        .execute();
    }
  }
}
