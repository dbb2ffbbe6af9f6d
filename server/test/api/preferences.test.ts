/**
 * Preferences through Client4: save, read (all, by category, by name), delete (POST …/delete and
 * DELETE), saved posts as the flagged_post category, events to the owner only, and refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreferenceType } from '@mattermost/types/preferences';
import { audienceOf, recordEvents } from '../helpers/fixtures.js';
import { expectError, getTestServer, type Persona, type TestServer } from '../helpers/server.js';

let server: TestServer;
let admin: Persona;
let alice: Persona;
let bob: Persona;

beforeAll(async () => {
  server = await getTestServer();
  admin = await server.persona('admin');
  alice = await server.persona('alice');
  bob = await server.persona('bob');
});
afterAll(() => server.close());

const POST_A = 'a'.repeat(26);
const POST_B = 'b'.repeat(26);
const pref = (p: Persona, category: string, name: string, value: string): PreferenceType => ({
  user_id: p.user.id,
  category,
  name,
  value,
});
// Client4 types the list answers as a single PreferenceType; they are arrays on the wire.
const keys = (answer: PreferenceType | PreferenceType[]) =>
  (answer as PreferenceType[]).map((p) => `${p.category}/${p.name}=${p.value}`).sort();

async function raw(p: Persona | undefined, method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.url}/api/v4${path}`, {
    method,
    headers: {
      ...(p ? { Authorization: `Bearer ${p.token}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('preferences', () => {
  it('saves, overwrites and reads back, including saved posts (flagged_post)', async () => {
    const events = recordEvents(server);
    await alice.client.savePreferences(alice.user.id, [
      pref(alice, 'flagged_post', POST_A, 'true'),
      pref(alice, 'flagged_post', POST_B, 'true'),
      pref(alice, 'display_settings', 'use_military_time', 'false'),
    ]);
    await alice.client.savePreferences(alice.user.id, [
      pref(alice, 'display_settings', 'use_military_time', 'true'),
    ]);
    expect(keys(await alice.client.getMyPreferences())).toEqual([
      'display_settings/use_military_time=true',
      `flagged_post/${POST_A}=true`,
      `flagged_post/${POST_B}=true`,
    ]);
    expect(await bob.client.getMyPreferences()).toEqual([]);

    const cat = await raw(alice, 'GET', '/users/me/preferences/flagged_post');
    expect(cat.status).toBe(200);
    expect(keys(cat.body as unknown as PreferenceType[])).toEqual([
      `flagged_post/${POST_A}=true`,
      `flagged_post/${POST_B}=true`,
    ]);
    const one = await raw(alice, 'GET', `/users/me/preferences/flagged_post/name/${POST_A}`);
    expect(one).toEqual({
      status: 200,
      body: { user_id: alice.user.id, category: 'flagged_post', name: POST_A, value: 'true' },
    });
    expect((await raw(alice, 'GET', '/users/me/preferences/flagged_post/name/nothing')).status).toBe(404);

    const changed = events.named('preferences_changed');
    events.stop();
    expect(changed).toHaveLength(2);
    for (const e of changed) expect(audienceOf(e)).toEqual(['users', alice.user.id]);
    const sent = JSON.parse(changed[1]!.data.preferences as string) as PreferenceType[];
    expect(keys(sent)).toEqual(['display_settings/use_military_time=true']);
  });

  it('deletes with POST …/delete and with DELETE, leaving the rest', async () => {
    const events = recordEvents(server);
    await alice.client.deletePreferences(alice.user.id, [pref(alice, 'flagged_post', POST_A, '')]);
    const del = await raw(alice, 'DELETE', '/users/me/preferences', [
      { user_id: alice.user.id, category: 'flagged_post', name: POST_B },
    ]);
    expect(del).toEqual({ status: 200, body: { status: 'OK' } });
    expect(keys(await alice.client.getMyPreferences())).toEqual(['display_settings/use_military_time=true']);
    const deleted = events.named('preferences_deleted');
    events.stop();
    expect(deleted.map(audienceOf)).toEqual([
      ['users', alice.user.id],
      ['users', alice.user.id],
    ]);
  });

  it("refuses other users' preferences (403) and changes nothing", async () => {
    await bob.client.savePreferences(bob.user.id, [pref(bob, 'flagged_post', POST_A, 'true')]);
    const read = await expectError(() => alice.client.getUserPreferences(bob.user.id));
    expect(read.status_code).toBe(403);
    expect((await raw(alice, 'GET', `/users/${bob.user.id}/preferences/flagged_post`)).status).toBe(403);
    const write = await expectError(() =>
      alice.client.savePreferences(bob.user.id, [pref(bob, 'flagged_post', POST_B, 'true')]),
    );
    expect(write.status_code).toBe(403);
    // Someone else's user_id inside one's own request.
    const smuggled = await expectError(() =>
      alice.client.savePreferences(alice.user.id, [pref(bob, 'flagged_post', POST_B, 'true')]),
    );
    expect(smuggled.status_code).toBe(403);
    const remove = await expectError(() =>
      alice.client.deletePreferences(bob.user.id, [pref(bob, 'flagged_post', POST_A, '')]),
    );
    expect(remove.status_code).toBe(403);
    expect(
      (
        await raw(alice, 'DELETE', `/users/${bob.user.id}/preferences`, [
          pref(bob, 'flagged_post', POST_A, ''),
        ])
      ).status,
    ).toBe(403);
    expect(keys(await bob.client.getMyPreferences())).toEqual([`flagged_post/${POST_A}=true`]);
    // Admins may read them.
    expect(keys(await admin.client.getUserPreferences(bob.user.id))).toEqual([`flagged_post/${POST_A}=true`]);
    expect((await raw(undefined, 'GET', '/users/me/preferences')).status).toBe(401);
  });

  it('refuses malformed preference lists with 400 and changes nothing', async () => {
    const before = keys(await alice.client.getMyPreferences());
    const bad: unknown[] = [
      {},
      [],
      'flagged_post',
      null,
      [null],
      ['x'],
      [{ user_id: alice.user.id, name: 'n', value: 'v' }],
      [{ user_id: alice.user.id, category: { $ne: null }, name: 'n', value: 'v' }],
      [{ user_id: alice.user.id, category: 'c', name: ['n'], value: 'v' }],
      [{ user_id: alice.user.id, category: 'c', name: 'n', value: { $ne: null } }],
      [{ user_id: alice.user.id, category: 'c', name: 'n', value: 5 }],
      [{ user_id: alice.user.id, category: 'c'.repeat(33), name: 'n', value: 'v' }],
      [{ user_id: alice.user.id, category: 'c', name: 'n'.repeat(65), value: 'v' }],
      [{ user_id: alice.user.id, category: 'c', name: 'n', value: 'v'.repeat(2001) }],
      Array.from({ length: 101 }, (_, i) => ({
        user_id: alice.user.id,
        category: 'c',
        name: `n${i}`,
        value: 'v',
      })),
      // A valid item followed by a bad one: the whole request is refused.
      [
        { user_id: alice.user.id, category: 'c', name: 'ok', value: 'v' },
        { user_id: alice.user.id, category: 'c', name: 'n', value: null },
      ],
    ];
    for (const body of bad) {
      for (const [method, path] of [
        ['PUT', '/users/me/preferences'],
        ['POST', '/users/me/preferences/delete'],
      ] as const) {
        if (method === 'POST' && JSON.stringify(body).includes('value')) continue;
        const res = await raw(alice, method, path, body);
        expect(res.status, `${method} ${JSON.stringify(body).slice(0, 80)}`).toBe(400);
        expect(res.body).toMatchObject({ status_code: 400 });
        expect(typeof res.body.id).toBe('string');
        expect(typeof res.body.request_id).toBe('string');
      }
    }
    const malformed = await raw(alice, 'PUT', '/users/me/preferences', '[{"category":');
    expect(malformed.status).toBe(400);
    expect(keys(await alice.client.getMyPreferences())).toEqual(before);
  });
});
