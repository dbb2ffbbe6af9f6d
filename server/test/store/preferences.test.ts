/**
 * Store contract for preferences, on SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.js';
import { Store } from '../../src/store/store.js';
import { newId } from '../../src/lib/ids.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let tdb: TestDatabase;
let store: Store;

beforeAll(async () => {
  tdb = await createTestDatabase();
  await migrateToLatest(tdb.handle.db);
  store = new Store(tdb.handle.db, tdb.handle.dialect);
});
afterAll(() => tdb.destroy());

describe('preference store', () => {
  it('inserts, overwrites, lists by user and category, finds and deletes', async () => {
    const me = newId();
    const other = newId();
    await store.preferences.upsert([
      { user_id: me, category: 'theme', name: '', value: '{"x":1}' },
      { user_id: me, category: 'flagged_post', name: 'p2', value: 'true' },
      { user_id: me, category: 'flagged_post', name: 'p1', value: 'true' },
      { user_id: other, category: 'flagged_post', name: 'p1', value: 'true' },
    ]);
    await store.preferences.upsert([{ user_id: me, category: 'theme', name: '', value: '{"x":2}' }]);

    const mine = await store.preferences.listForUser(me);
    expect(mine.map((p) => `${p.category}/${p.name}=${p.value}`)).toEqual([
      'flagged_post/p1=true',
      'flagged_post/p2=true',
      'theme/={"x":2}',
    ]);
    expect((await store.preferences.listForUser(me, 'flagged_post')).map((p) => p.name)).toEqual([
      'p1',
      'p2',
    ]);
    expect(await store.preferences.find(me, 'theme', '')).toEqual({
      user_id: me,
      category: 'theme',
      name: '',
      value: '{"x":2}',
    });
    expect(await store.preferences.find(me, 'theme', 'nope')).toBeUndefined();

    await store.preferences.delete(me, [
      { category: 'flagged_post', name: 'p1' },
      { category: 'nope', name: 'nope' },
    ]);
    expect((await store.preferences.listForUser(me)).map((p) => p.name)).toEqual(['p2', '']);
    // The other user's preference with the same key is untouched.
    expect(await store.preferences.find(other, 'flagged_post', 'p1')).toBeDefined();
  });

  it('writes a batch inside a transaction all or nothing', async () => {
    const me = newId();
    await store
      .transaction(async (tx) => {
        await tx.preferences.upsert([{ user_id: me, category: 'a', name: 'b', value: 'c' }]);
        throw new Error('boom');
      })
      .catch(() => {});
    expect(await store.preferences.listForUser(me)).toEqual([]);
  });
});
