/**
 * Store contract for users: the same assertions run on SQLite and on PostgreSQL (vitest projects).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.js';
import { Store, isUniqueViolation } from '../../src/store/store.js';
import type { UserRow } from '../../src/store/users.js';
import { newId } from '../../src/lib/ids.js';
import { createTestDatabase, testDialect, type TestDatabase } from '../helpers/db.js';

let tdb: TestDatabase;
let store: Store;

function userRow(username: string, over: Partial<UserRow> = {}): UserRow {
  return {
    id: newId(),
    username,
    email: `${username}@example.com`,
    email_verified: 0,
    password_hash: '$2b$10$abcdefghijklmnopqrstuuvwxyzabcdefghijklmnopqrstuvwxyzab',
    first_name: '',
    last_name: '',
    nickname: '',
    position: '',
    locale: 'en',
    roles: 'system_user',
    notify_props: '{}',
    props: '{}',
    timezone: '{}',
    is_bot: 0,
    create_at: 1000,
    update_at: 1000,
    delete_at: 0,
    last_password_update: 1000,
    last_picture_update: 0,
    failed_attempts: 0,
    ...over,
  };
}

const u: Record<string, UserRow> = {};
const teamA = newId();
const teamB = newId();
const chanX = newId();

beforeAll(async () => {
  tdb = await createTestDatabase();
  await migrateToLatest(tdb.handle.db);
  store = new Store(tdb.handle.db, tdb.handle.dialect);
  const specs: [string, Partial<UserRow>][] = [
    ['anna', { first_name: 'Anna', create_at: 5 }],
    ['bert', { last_name: 'Annaberg', create_at: 4 }],
    ['carl', { nickname: 'annie', create_at: 3, roles: 'system_user system_admin' }],
    ['dora', { delete_at: 99, create_at: 2 }],
    ['e_under', { create_at: 1 }],
    ['eXunder', { create_at: 0 }],
  ];
  for (const [name, over] of specs) {
    u[name] = userRow(name.toLowerCase(), over);
    await store.users.insert(u[name]);
  }
  const db = tdb.handle.db;
  // anna, bert in team A; carl in team B; nobody else in a team.
  for (const [team, user] of [
    [teamA, u.anna!.id],
    [teamA, u.bert!.id],
    [teamB, u.carl!.id],
  ] as const) {
    await db
      .insertInto('team_members')
      .values({ team_id: team, user_id: user, scheme_admin: 0, create_at: 1 })
      .execute();
  }
  await db
    .insertInto('channel_members')
    .values({
      channel_id: chanX,
      user_id: u.anna!.id,
      scheme_admin: 0,
      last_viewed_at: 0,
      msg_count: 0,
      msg_count_root: 0,
      mention_count: 0,
      mention_count_root: 0,
      notify_props: '{}',
      last_update_at: 1,
    })
    .execute();
});
afterAll(() => tdb.destroy());

describe(`user store on ${testDialect()}`, () => {
  it('runs on the dialect the project names', () => {
    expect(store.dialect).toBe(testDialect());
  });

  it('finds by id, by username and by e-mail, case-insensitively for names', async () => {
    expect((await store.users.findById(u.anna!.id))?.username).toBe('anna');
    expect((await store.users.findByUsername('ANNA'))?.id).toBe(u.anna!.id);
    expect((await store.users.findByEmail('Bert@Example.com'))?.id).toBe(u.bert!.id);
    expect(await store.users.findById(newId())).toBeUndefined();
    expect(await store.users.findByUsername("anna' OR '1'='1")).toBeUndefined();
  });

  it('finds many by ids and by usernames, sorted by username, ignoring unknowns', async () => {
    const byIds = await store.users.findByIds([u.carl!.id, u.anna!.id, newId()]);
    expect(byIds.map((r) => r.username)).toEqual(['anna', 'carl']);
    expect(await store.users.findByIds([])).toEqual([]);
    const byNames = await store.users.findByUsernames(['BERT', 'anna', 'nobody']);
    expect(byNames.map((r) => r.username)).toEqual(['anna', 'bert']);
  });

  it('counts', async () => {
    expect(await store.users.count()).toBe(6);
  });

  it('refuses a duplicate username or e-mail with an error isUniqueViolation recognises', async () => {
    const dupName = await store.users.insert(userRow('anna', { email: 'other@example.com' })).catch((e) => e);
    expect(isUniqueViolation(dupName)).toBe(true);
    const dupMail = await store.users
      .insert(userRow('annabel', { email: 'anna@example.com' }))
      .catch((e) => e);
    expect(isUniqueViolation(dupMail)).toBe(true);
    expect(isUniqueViolation(new Error('x'))).toBe(false);
    expect(await store.users.count()).toBe(6);
  });

  it('updates only the named fields', async () => {
    await store.users.update(u.e_under!.id, { nickname: 'nick', update_at: 7 });
    const row = await store.users.findById(u.e_under!.id);
    expect(row).toMatchObject({ nickname: 'nick', update_at: 7, username: 'e_under', create_at: 1 });
    await store.users.update(u.e_under!.id, { nickname: '' });
  });

  it('lists with paging and sorting', async () => {
    const all = await store.users.list({ page: 0, perPage: 100 });
    expect(all.map((r) => r.username)).toEqual(['anna', 'bert', 'carl', 'dora', 'e_under', 'exunder']);
    const p1 = await store.users.list({ page: 1, perPage: 2 });
    expect(p1.map((r) => r.username)).toEqual(['carl', 'dora']);
    const p9 = await store.users.list({ page: 9, perPage: 2 });
    expect(p9).toEqual([]);
    const byCreate = await store.users.list({ page: 0, perPage: 3, sort: 'create_at' });
    expect(byCreate.map((r) => r.username)).toEqual(['anna', 'bert', 'carl']);
  });

  it('filters by team, channel, activity and role', async () => {
    const names = async (o: Parameters<typeof store.users.list>[0]) =>
      (await store.users.list(o)).map((r) => r.username);
    const base = { page: 0, perPage: 100 };
    expect(await names({ ...base, inTeam: teamA })).toEqual(['anna', 'bert']);
    expect(await names({ ...base, notInTeam: teamA })).toEqual(['carl', 'dora', 'e_under', 'exunder']);
    expect(await names({ ...base, inChannel: chanX })).toEqual(['anna']);
    expect(await names({ ...base, inTeam: teamA, notInChannel: chanX })).toEqual(['bert']);
    expect(await names({ ...base, withoutTeam: true })).toEqual(['dora', 'e_under', 'exunder']);
    expect(await names({ ...base, inactive: true })).toEqual(['dora']);
    expect(await names({ ...base, active: true })).not.toContain('dora');
    expect(await names({ ...base, role: 'system_admin' })).toEqual(['carl']);
    expect(await names({ ...base, inTeam: newId() })).toEqual([]);
  });

  it('searches by prefix of username and names, skipping the deactivated unless asked', async () => {
    const names = async (term: string, o: Partial<Parameters<typeof store.users.search>[1]> = {}) =>
      (await store.users.search(term, { limit: 100, ...o })).map((r) => r.username);
    expect(await names('ann')).toEqual(['anna', 'bert', 'carl']);
    expect(await names('ANN', { inTeam: teamA })).toEqual(['anna', 'bert']);
    expect(await names('ann', { notInTeam: teamA })).toEqual(['carl']);
    expect(await names('ann', { inChannel: chanX })).toEqual(['anna']);
    expect(await names('ann', { notInChannel: chanX })).toEqual(['bert', 'carl']);
    expect(await names('dor')).toEqual([]);
    expect(await names('dor', { allowInactive: true })).toEqual(['dora']);
    expect(await names('ann', { limit: 1 })).toEqual(['anna']);
  });

  it('treats LIKE wildcards and SQL in search terms as plain text', async () => {
    const names = async (term: string) =>
      (await store.users.search(term, { limit: 100 })).map((r) => r.username);
    // "_" would match any character (and so "exunder") if it were not escaped.
    expect(await names('e_')).toEqual(['e_under']);
    expect(await names('%')).toEqual([]);
    expect(await names('\\')).toEqual([]);
    expect(await names("' OR 1=1 --")).toEqual([]);
    expect(await store.users.count()).toBe(6);
  });

  it('makes first sign-ups take turns (lockFirstSignup holds until the transaction ends)', async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const firstLocked = new Promise<void>((r) => (locked = r));
    const t1 = store.transaction(async (tx) => {
      await tx.users.lockFirstSignup();
      order.push('1 locked');
      locked();
      await held;
      order.push('1 done');
    });
    await firstLocked;
    const t2 = store.transaction(async (tx) => {
      await tx.users.lockFirstSignup();
      order.push('2 locked');
    });
    // Give the second transaction every chance to get the lock early if it could.
    await new Promise((r) => setTimeout(r, 200));
    release();
    await Promise.all([t1, t2]);
    expect(order).toEqual(['1 locked', '1 done', '2 locked']);
  });

  it('rolls back every write of a failed transaction', async () => {
    const err = await store
      .transaction(async (tx) => {
        await tx.users.insert(userRow('ghost'));
        await tx.users.update(u.anna!.id, { nickname: 'changed' });
        throw new Error('boom');
      })
      .catch((e: unknown) => e);
    expect((err as Error).message).toBe('boom');
    expect(await store.users.findByUsername('ghost')).toBeUndefined();
    expect((await store.users.findById(u.anna!.id))?.nickname).toBe('');
  });
});
