/**
 * Bad input on the user, session, preference and system routes: malformed JSON, wrong types, objects
 * where strings belong (`{"$ne": null}`), arrays, null, over-long values, unknown and malformed ids,
 * SQL fragments, oversized bodies. Every case answers a 4xx in the wire error shape, never a 500,
 * and nothing in the database changes. (Teams, channels and posts have their own tables.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, PASSWORD, type Persona, type TestServer } from '../helpers/server.js';

let server: TestServer;
let admin: Persona;
let alice: Persona;

beforeAll(async () => {
  server = await getTestServer();
  admin = await server.persona('admin');
  alice = await server.persona('alice');
  await alice.client.savePreferences(alice.user.id, [
    { user_id: alice.user.id, category: 'flagged_post', name: 'a'.repeat(26), value: 'true' },
  ]);
});
afterAll(() => server.close());

const NE = { $ne: null };
const SQL = "x' OR '1'='1'; DROP TABLE users; --";
const UNKNOWN = 'x'.repeat(26);

type Who = 'anon' | 'admin' | 'alice';
/** [who, method, path, body (a value to JSON-encode, or a raw string), expected status]. */
type Case = [Who, string, string, unknown, number];

const ME = '/users/me';
const cases = (): Case[] => {
  const aliceId = alice.user.id;
  return [
    // sign-up
    ['admin', 'POST', '/users', '{"username":', 400],
    ['admin', 'POST', '/users', [], 400],
    ['admin', 'POST', '/users', 'null', 400],
    ['admin', 'POST', '/users', '"alice"', 400],
    ['admin', 'POST', '/users', { username: NE, email: 'n@example.com', password: PASSWORD }, 400],
    ['admin', 'POST', '/users', { username: 123, email: 'n@example.com', password: PASSWORD }, 400],
    ['admin', 'POST', '/users', { username: 'nina', email: ['n@example.com'], password: PASSWORD }, 400],
    ['admin', 'POST', '/users', { username: 'nina', email: 'n@example.com', password: NE }, 400],
    ['admin', 'POST', '/users', { username: 'nina', email: 'n@example.com', password: null }, 400],
    [
      'admin',
      'POST',
      '/users',
      { username: 'n'.repeat(100_000), email: 'n@example.com', password: PASSWORD },
      400,
    ],
    ['admin', 'POST', '/users', { username: SQL, email: 'n@example.com', password: PASSWORD }, 400],
    ['admin', 'POST', '/users', { username: 'nina', email: SQL, password: PASSWORD }, 400],
    [
      'admin',
      'POST',
      '/users',
      { username: 'nina', email: 'n@example.com', password: PASSWORD, first_name: 'f'.repeat(65) },
      400,
    ],
    [
      'admin',
      'POST',
      '/users',
      { username: 'nina', email: 'n@example.com', password: PASSWORD, locale: NE },
      400,
    ],
    ['admin', 'POST', '/users', { username: 'alice', email: 'other@example.com', password: PASSWORD }, 400],
    ['admin', 'POST', '/users', { username: 'other', email: 'alice@example.com', password: PASSWORD }, 400],
    [
      'anon',
      'POST',
      '/users?iid=a&iid=b',
      { username: 'nina', email: 'n@example.com', password: PASSWORD },
      400,
    ],
    [
      'anon',
      'POST',
      `/users?iid=${'i'.repeat(65)}`,
      { username: 'nina', email: 'n@example.com', password: PASSWORD },
      400,
    ],
    [
      'anon',
      'POST',
      `/users?iid=${encodeURIComponent(SQL)}`,
      { username: 'nina', email: 'n@example.com', password: PASSWORD },
      400,
    ],
    // login
    ['anon', 'POST', '/users/login', { login_id: NE, password: PASSWORD }, 400],
    ['anon', 'POST', '/users/login', { login_id: 'alice', password: NE }, 400],
    ['anon', 'POST', '/users/login', { login_id: ['alice'], password: PASSWORD }, 400],
    ['anon', 'POST', '/users/login', { login_id: 'alice', password: [PASSWORD] }, 400],
    ['anon', 'POST', '/users/login', { login_id: 'alice', password: PASSWORD, device_id: NE }, 400],
    ['anon', 'POST', '/users/login', { login_id: 'a'.repeat(10_000), password: PASSWORD }, 400],
    ['anon', 'POST', '/users/login', { login_id: SQL, password: SQL }, 401],
    ['anon', 'POST', '/users/login', [], 400],
    ['anon', 'POST', '/users/login', '{"login_id":"alice","password":', 400],
    // lists and lookups
    ['alice', 'GET', '/users?page=-1', undefined, 400],
    ['alice', 'GET', '/users?page=abc', undefined, 400],
    ['alice', 'GET', '/users?per_page=1e3', undefined, 400],
    ['alice', 'GET', '/users?sort=password_hash', undefined, 400],
    ['alice', 'GET', `/users?in_team=${encodeURIComponent(SQL)}`, undefined, 400],
    ['alice', 'GET', `/users?in_channel=${UNKNOWN}`, undefined, 404],
    ['alice', 'GET', `/users?not_in_team=${UNKNOWN}`, undefined, 404],
    ['alice', 'GET', '/users?active=maybe', undefined, 400],
    ['alice', 'GET', '/users?without_team=yes', undefined, 400],
    ['alice', 'GET', `/users?role=${'r'.repeat(65)}`, undefined, 400],
    ['alice', 'POST', '/users/ids', {}, 400],
    ['alice', 'POST', '/users/ids', ['not-an-id'], 400],
    ['alice', 'POST', '/users/ids', [NE], 400],
    ['alice', 'POST', '/users/ids', 'null', 400],
    ['alice', 'POST', '/users/ids', Array.from({ length: 1001 }, () => UNKNOWN), 400],
    ['alice', 'POST', '/users/usernames', [1, 2], 400],
    ['alice', 'POST', '/users/usernames', { alice: true }, 400],
    ['alice', 'POST', '/users/usernames', ['u'.repeat(65)], 400],
    ['alice', 'GET', '/users/autocomplete?limit=abc', undefined, 400],
    ['alice', 'GET', '/users/autocomplete?in_team=bad', undefined, 400],
    ['alice', 'GET', `/users/autocomplete?in_channel=${UNKNOWN}`, undefined, 404],
    ['alice', 'GET', `/users/autocomplete?name=${'n'.repeat(65)}`, undefined, 400],
    ['alice', 'POST', '/users/search', { term: NE }, 400],
    ['alice', 'POST', '/users/search', { term: 't'.repeat(65) }, 400],
    ['alice', 'POST', '/users/search', { term: 'a', limit: '5' }, 400],
    ['alice', 'POST', '/users/search', { term: 'a', limit: -1 }, 400],
    ['alice', 'POST', '/users/search', { term: 'a', team_id: 'bad' }, 400],
    ['alice', 'POST', '/users/search', { term: 'a', in_channel_id: NE }, 400],
    ['alice', 'POST', '/users/search', { term: 'a', allow_inactive: 'yes' }, 400],
    ['alice', 'POST', '/users/search', ['a'], 400],
    ['alice', 'GET', `/users/username/${'u'.repeat(65)}`, undefined, 400],
    ['alice', 'GET', `/users/username/${encodeURIComponent(SQL)}`, undefined, 404],
    ['alice', 'GET', `/users/email/${'e'.repeat(129)}`, undefined, 400],
    ['alice', 'GET', '/users/not-an-id', undefined, 400],
    ['alice', 'GET', `/users/${UNKNOWN}`, undefined, 404],
    ['alice', 'GET', '/users/%2e%2e%2fadmin', undefined, 400],
    ['alice', 'GET', `/users/${encodeURIComponent(SQL)}`, undefined, 400],
    ['alice', 'GET', `/users/${UNKNOWN}/image`, undefined, 404],
    ['alice', 'GET', '/users/bad/image', undefined, 400],
    // changes
    ['alice', 'PUT', `${ME}/patch`, [], 400],
    ['alice', 'PUT', `${ME}/patch`, 'null', 400],
    ['alice', 'PUT', `${ME}/patch`, { nickname: NE }, 400],
    ['alice', 'PUT', `${ME}/patch`, { nickname: 'n'.repeat(65) }, 400],
    ['alice', 'PUT', `${ME}/patch`, { first_name: ['a'] }, 400],
    ['alice', 'PUT', `${ME}/patch`, { props: 'str' }, 400],
    ['alice', 'PUT', `${ME}/patch`, { props: { a: 1 } }, 400],
    ['alice', 'PUT', `${ME}/patch`, { notify_props: [] }, 400],
    ['alice', 'PUT', `${ME}/patch`, { timezone: { a: { b: 'c' } } }, 400],
    [
      'alice',
      'PUT',
      `${ME}/patch`,
      { props: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 'v'])) },
      400,
    ],
    ['alice', 'PUT', `${ME}/patch`, { email: 'not-an-email' }, 400],
    ['alice', 'PUT', `${ME}/patch`, { email: NE }, 400],
    ['alice', 'PUT', `${ME}/patch`, { username: SQL }, 400],
    ['alice', 'PUT', `${ME}/patch`, { username: 'admin' }, 400],
    ['alice', 'PUT', `${ME}/patch`, { locale: 'english' }, 400],
    ['alice', 'PUT', `${ME}/patch`, '{"nickname": "x"', 400],
    ['admin', 'PUT', `/users/${UNKNOWN}/patch`, { nickname: 'x' }, 404],
    ['alice', 'PUT', `/users/${admin.user.id}/patch`, { nickname: 'x' }, 403],
    ['alice', 'PUT', `${ME}/password`, { current_password: NE, new_password: 'valid password' }, 400],
    ['alice', 'PUT', `${ME}/password`, { current_password: PASSWORD, new_password: 123 }, 400],
    ['alice', 'PUT', `${ME}/password`, { current_password: PASSWORD, new_password: NE }, 400],
    ['alice', 'PUT', `${ME}/password`, {}, 400],
    ['admin', 'PUT', `/users/${aliceId}/active`, { active: 'false' }, 400],
    ['admin', 'PUT', `/users/${aliceId}/active`, { active: null }, 400],
    ['admin', 'PUT', `/users/${aliceId}/active`, [], 400],
    ['admin', 'PUT', `/users/${UNKNOWN}/active`, { active: false }, 404],
    ['admin', 'PUT', `/users/${aliceId}/roles`, { roles: ['system_admin'] }, 400],
    ['admin', 'PUT', `/users/${aliceId}/roles`, { roles: NE }, 400],
    ['admin', 'PUT', `/users/${aliceId}/roles`, { roles: `system_user ${SQL}` }, 400],
    ['admin', 'PUT', `/users/${aliceId}/roles`, { roles: 'system_admin' }, 400],
    ['admin', 'PUT', `/users/${UNKNOWN}/roles`, { roles: 'system_user' }, 404],
    ['alice', 'PUT', `/users/${aliceId}/roles`, { roles: 'system_user system_admin' }, 403],
    ['admin', 'DELETE', `/users/${UNKNOWN}`, undefined, 404],
    ['admin', 'DELETE', '/users/bad', undefined, 400],
    // sessions
    ['alice', 'POST', `${ME}/sessions/revoke`, { session_id: NE }, 400],
    ['alice', 'POST', `${ME}/sessions/revoke`, {}, 400],
    ['alice', 'POST', `${ME}/sessions/revoke`, { session_id: 's'.repeat(100_000) }, 404],
    ['alice', 'POST', `${ME}/sessions/revoke`, { session_id: SQL }, 404],
    ['alice', 'GET', `/users/${UNKNOWN}/sessions`, undefined, 403],
    ['alice', 'GET', '/users/bad/sessions', undefined, 400],
    // preferences
    ['alice', 'PUT', `${ME}/preferences`, { category: 'a', name: 'b', value: 'c' }, 400],
    ['alice', 'PUT', `${ME}/preferences`, [{ category: NE, name: 'b', value: 'c' }], 400],
    ['alice', 'PUT', `${ME}/preferences`, [{ category: 'a', name: 'b', value: 'c', user_id: NE }], 403],
    ['alice', 'PUT', `${ME}/preferences`, '[{', 400],
    ['alice', 'POST', `${ME}/preferences/delete`, [{ category: NE, name: 'b' }], 400],
    ['alice', 'DELETE', `${ME}/preferences`, 'null', 400],
    ['alice', 'GET', `${ME}/preferences/${'c'.repeat(33)}`, undefined, 400],
    ['alice', 'GET', `/users/bad/preferences`, undefined, 400],
    ['alice', 'GET', `/users/${UNKNOWN}/preferences`, undefined, 403],
    // system
    ['anon', 'GET', '/config/client', undefined, 400],
    ['anon', 'GET', '/config/client?format=new', undefined, 400],
    ['anon', 'GET', '/license/client', undefined, 400],
    ['alice', 'POST', '/roles/names', {}, 400],
    ['alice', 'POST', '/roles/names', [1], 400],
    ['alice', 'POST', '/roles/names', ['r'.repeat(65)], 400],
    ['alice', 'POST', '/roles/names', Array.from({ length: 101 }, () => 'system_user'), 400],
    ['alice', 'GET', `/roles/name/${'r'.repeat(65)}`, undefined, 400],
    ['alice', 'GET', '/roles/name/nope', undefined, 404],
    ['alice', 'GET', `/roles/${encodeURIComponent(SQL)}`, undefined, 404],
    ['anon', 'GET', '/users/me', undefined, 401],
    ['alice', 'GET', '/nothing-here', undefined, 404],
  ];
};

async function send(
  who: Who,
  method: string,
  path: string,
  body: unknown,
  extra: Record<string, string> = {},
) {
  const headers: Record<string, string> = { ...extra };
  if (who !== 'anon') headers.Authorization = `Bearer ${(who === 'admin' ? admin : alice).token}`;
  let payload: string | undefined;
  if (body !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(`${server.url}/api/v4${path}`, { method, headers, body: payload });
  const text = await res.text();
  return { res, text };
}

function expectErrorShape(res: Response, text: string, label: string) {
  expect(res.headers.get('content-type'), label).toBe('application/json');
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(typeof body.id, label).toBe('string');
  expect(body.id, label).not.toBe('');
  expect(typeof body.message, label).toBe('string');
  expect(body.status_code, label).toBe(res.status);
  expect(body.request_id, label).toMatch(/^[a-z0-9]{26}$/);
  expect(body.request_id, label).toBe(res.headers.get('x-request-id'));
  expect(body.detailed_error, label).toBe('');
}

async function snapshot() {
  const db = server.db.handle.db;
  return JSON.stringify([
    await db.selectFrom('users').selectAll().orderBy('id').execute(),
    await db.selectFrom('preferences').selectAll().orderBy('category').orderBy('name').execute(),
    await db.selectFrom('sessions').select(['id', 'user_id', 'expires_at']).orderBy('id').execute(),
  ]);
}

describe('bad input on user, session, preference and system routes', () => {
  it('answers every case with the expected 4xx in the error shape and changes nothing', async () => {
    const before = await snapshot();
    const failures: string[] = [];
    for (const [who, method, path, body, status] of cases()) {
      const label = `${who} ${method} ${path.slice(0, 80)} ${typeof body === 'string' ? body.slice(0, 40) : JSON.stringify(body)?.slice(0, 60)}`;
      const { res, text } = await send(who, method, path, body);
      if (res.status !== status) failures.push(`${label} → ${res.status} ${text.slice(0, 200)}`);
      expect(res.status, label).toBeLessThan(500);
      if (res.status >= 400) expectErrorShape(res, text, label);
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toBe(before);
    // Alice's account still works as before.
    expect((await alice.client.getMe()).nickname).toBe('');
  });

  it('refuses a 10 MB body with 413, and the wrong content type with 415', async () => {
    const before = await snapshot();
    const big = JSON.stringify({ nickname: 'x'.repeat(10 * 1024 * 1024) });
    for (const [who, path, method] of [
      ['alice', `${ME}/patch`, 'PUT'],
      ['anon', '/users/login', 'POST'],
      ['anon', '/users', 'POST'],
      ['alice', `${ME}/preferences`, 'PUT'],
    ] as const) {
      const { res, text } = await send(who, method, path, big);
      expect(res.status, path).toBe(413);
      expectErrorShape(res, text, path);
    }
    for (const [type, status] of [
      ['application/xml', 415],
      ['application/x-www-form-urlencoded', 415],
      // Fastify reads text/plain as a string, which is not the JSON object the route wants.
      ['text/plain', 400],
    ] as const) {
      const { res, text } = await send('alice', 'PUT', `${ME}/patch`, '{"nickname":"x"}', {
        'Content-Type': type,
      });
      expect(res.status, `${type}: ${text}`).toBe(status);
      expectErrorShape(res, text, type);
    }
    expect(await snapshot()).toBe(before);
  });

  it('refuses a 64 KB path and a 64 KB header quickly with a 4xx', async () => {
    // Node's HTTP parser refuses these before the app sees them; the client-error handler still
    // answers in the wire error shape.
    const path = await send('alice', 'GET', `/users/${'p'.repeat(65_536)}`, undefined);
    expect(path.res.status).toBe(431);
    expectErrorShape(path.res, path.text, '64 KB path');
    const header = await send('alice', 'GET', '/users/me', undefined, { 'X-Big': 'h'.repeat(65_536) });
    expect(header.res.status).toBe(431);
    expectErrorShape(header.res, header.text, '64 KB header');
    expect((await alice.client.getMe()).username).toBe('alice');
  });

  it('survives deeply nested JSON', async () => {
    const deep = '{"props":' + '{"a":'.repeat(50_000) + '"1"' + '}'.repeat(50_001);
    const { res, text } = await send('alice', 'PUT', `${ME}/patch`, deep);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expectErrorShape(res, text, 'deep');
    expect((await alice.client.getMe()).username).toBe('alice');
  });
});
