/**
 * What must never leave the server (security.md 8, 9) and path traversal in ids (15).
 *  - Every GET route (read from the route files) and the read-only POST routes, called by an ordinary
 *    user with ids she may see: no password hash, token, CSRF token or secret anywhere in any answer,
 *    no key that names one, and no other user's e-mail address (hidden by default).
 *  - Health and boot endpoints, without a session: no ids, no personal data, no configuration secrets.
 *  - Every path parameter of every route replaced by `../`-style values, encoded once or twice, with
 *    backslashes, NUL bytes or overlong UTF-8, sent byte for byte: 400 or 404, never a file or a 500.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Post } from '@mattermost/types/posts';
import type { FileUploadResponse } from '@mattermost/types/files';
import { getTestServer, PASSWORD, type TestServer } from '../helpers/server.js';
import { createFixture, type Fixture } from '../helpers/fixtures.js';
import { call, errorShapeProblems, fillPath, key, paramsOf, sourceRoutes, type Answer } from './kit.js';

let server: TestServer;
let f: Fixture;
let post: Post;
let fileId: string;
let sessionSecrets: string[];

beforeAll(async () => {
  server = await getTestServer();
  f = await createFixture(server);
  const fd = new FormData();
  fd.append('channel_id', f.privateChannel.id);
  fd.append('files', new Blob(['hello']), 'hello.txt');
  fileId = ((await f.alice.client.uploadFile(fd)) as FileUploadResponse).file_infos[0]!.id;
  post = await f.alice.client.createPost({
    channel_id: f.privateChannel.id,
    message: 'hello @bob',
    file_ids: [fileId],
  } as Post);
  await f.bob.client.addReaction(f.bob.user.id, post.id, 'smile');
  await f.bob.client.savePreferences(f.bob.user.id, [
    { user_id: f.bob.user.id, category: 'flagged_post', name: post.id, value: 'true' },
  ]);
  // A second session for Bob, so that session lists have something to hide.
  await server.client().login('bob', PASSWORD);
  const db = server.db.handle.db;
  const sessions = await db.selectFrom('sessions').select(['token_hash', 'csrf_token']).execute();
  const users = await db.selectFrom('users').select(['password_hash']).execute();
  sessionSecrets = [
    ...sessions.flatMap((s) => [s.token_hash, s.csrf_token]),
    ...users.map((u) => u.password_hash),
    f.admin.token,
    f.alice.token,
    f.bob.token,
    f.carol.token,
    f.mallory.token,
  ];
});
afterAll(() => server.close());

/** Keys that must never appear in an answer (the allowed ones are Mattermost's own harmless fields). */
const BAD_KEY = /pass|hash|token|secret|salt|csrf|auth_data|private_key|credential/i;
const ALLOWED_KEYS = new Set(['last_password_update', 'mfa_active', 'hashtags']);

function badKeys(v: unknown, at = '$', out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x, i) => badKeys(x, `${at}[${i}]`, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (BAD_KEY.test(k) && !ALLOWED_KEYS.has(k)) out.push(`${at}.${k}`);
      badKeys(x, `${at}.${k}`, out);
    }
  }
  return out;
}

/** Problems with one answer seen by `viewer` (whose own address may show). */
function leaks(label: string, a: Answer, viewer: string): string[] {
  const out: string[] = [];
  for (const s of sessionSecrets) if (a.text.includes(s)) out.push(`${label}: a token, CSRF token or hash`);
  if (/\$2[aby]\$\d\d\$/.test(a.text)) out.push(`${label}: a bcrypt hash`);
  for (const k of badKeys(a.json)) out.push(`${label}: key ${k}`);
  for (const who of ['admin', 'alice', 'bob', 'carol', 'mallory'])
    if (who !== viewer && a.text.includes(`${who}@example.com`)) out.push(`${label}: ${who}'s e-mail`);
  if (a.headers.get('token') || a.headers.get('set-cookie')) out.push(`${label}: Token or cookie header`);
  return out;
}

describe('responses that contain users (8)', () => {
  it(
    'pass the allow-list on every GET route and every read-only POST, for a plain member',
    { timeout: 120_000 },
    async () => {
      const values = (me: string): Record<string, string>[] => [
        {
          user_id: me,
          team_id: f.team.id,
          channel_id: f.privateChannel.id,
          post_id: post.id,
          file_id: fileId,
          emoji_name: 'smile',
          thread_id: post.id,
          timestamp: '1',
          category: 'flagged_post',
          name: post.id,
          role_name: 'system_user',
          role_id: 'system_user',
          username: 'alice',
          email: 'alice@example.com',
          team_name: f.team.name,
          channel_name: f.privateChannel.name,
        },
      ];
      const problems: string[] = [];
      let ok = 0;
      for (const viewer of [f.bob, f.mallory]) {
        const name = viewer.user.username;
        const requests: [string, string, unknown][] = [];
        for (const r of sourceRoutes().filter((r) => r.method === 'GET')) {
          for (const user of ['me', f.alice.user.id]) {
            if (user !== 'me' && !paramsOf(r.path).includes('user_id')) continue;
            for (const v of values(user)) {
              // `name` is a team name in /teams/name/:name and a preference name elsewhere.
              const vals = r.path.startsWith('/teams/name/') ? { ...v, name: f.team.name } : v;
              requests.push(['GET', fillPath(r.path, vals), undefined]);
            }
          }
        }
        requests.push(
          ['GET', `/users?per_page=200&in_team=${f.team.id}`, undefined],
          ['GET', `/users?in_channel=${f.privateChannel.id}`, undefined],
          [
            'GET',
            `/users/autocomplete?name=a&in_team=${f.team.id}&in_channel=${f.publicChannel.id}`,
            undefined,
          ],
          ['POST', '/users/ids', [f.alice.user.id, f.bob.user.id, f.admin.user.id, f.mallory.user.id]],
          ['POST', '/users/usernames', ['alice', 'bob', 'admin', 'carol', 'mallory']],
          ['POST', '/users/search', { term: 'a', allow_inactive: true }],
          ['POST', '/users/search', { term: 'example.com' }],
          ['POST', '/users/status/ids', [f.alice.user.id]],
          ['POST', `/channels/${f.privateChannel.id}/members/ids`, [f.alice.user.id, f.bob.user.id]],
          ['POST', `/teams/${f.team.id}/members/ids`, [f.alice.user.id]],
          ['POST', '/posts/ids', [post.id]],
          ['POST', '/roles/names', ['system_user', 'system_admin', 'team_admin']],
          ['POST', '/channels/search', { term: 'p' }],
          ['POST', `/teams/${f.team.id}/channels/search`, { term: 'p' }],
        );
        for (const [method, path, body] of requests) {
          const a = await call(server, { token: viewer.token }, method, path, body);
          if (a.status >= 500) problems.push(`${name} ${method} ${path}: ${a.status}`);
          if (a.status < 300) ok++;
          problems.push(...leaks(`${name} ${method} ${path}`, a, name));
        }
      }
      expect(problems).toEqual([]);
      // The sweep read real data, not only refusals.
      expect(ok).toBeGreaterThan(80);
    },
  );

  it('sign-up, login and patch answers carry no secret; the login token only in the Token header', async () => {
    const created = await call(server, { token: f.admin.token }, 'POST', '/users', {
      username: 'nora',
      email: 'nora@example.com',
      password: PASSWORD,
    });
    expect(created.status).toBe(201);
    const login = await call(server, undefined, 'POST', '/users/login', {
      login_id: 'nora',
      password: PASSWORD,
    });
    expect(login.status).toBe(200);
    const token = login.headers.get('token')!;
    expect(token).toMatch(/^[a-z0-9]{26}$/);
    expect(login.text).not.toContain(token);
    const patched = await call(server, { token }, 'PUT', '/users/me/patch', { nickname: 'n' });
    const pw = await call(server, { token }, 'PUT', '/users/me/password', {
      current_password: PASSWORD,
      new_password: 'another password',
    });
    for (const [label, a] of [
      ['created', created],
      ['login', login],
      ['patched', patched],
      ['password', pw],
    ] as const) {
      expect(a.text, label).not.toContain(PASSWORD);
      expect(a.text, label).not.toContain('another password');
      expect(a.text, label).not.toMatch(/\$2[aby]\$/);
      expect(badKeys(a.json), label).toEqual([]);
    }
  });
});

describe('health and boot endpoints (9)', () => {
  it('answer without a session and show no ids, personal data or configuration secrets', async () => {
    const db = server.db.handle.db;
    const ids = [
      ...(await db.selectFrom('users').select('id').execute()).map((r) => r.id),
      ...(await db.selectFrom('teams').select('id').execute()).map((r) => r.id),
      ...(await db.selectFrom('channels').select('id').execute()).map((r) => r.id),
    ];
    for (const path of [
      '/system/ping',
      '/system/ping?get_server_status=true',
      '/system/ping?device_id=x&use_rest_semantics=true',
      '/config/client?format=old',
      '/license/client?format=old',
    ]) {
      const a = await call(server, undefined, 'GET', path);
      expect(a.status, path).toBe(200);
      const everything = a.text + JSON.stringify([...a.headers]);
      for (const id of ids) expect(everything, path).not.toContain(id);
      expect(everything, path).not.toMatch(/@example\.com|postgres:|\/tmp\/|parley-test|\$2[aby]\$/);
      for (const s of sessionSecrets) expect(everything, path).not.toContain(s);
      expect(a.headers.get('set-cookie'), path).toBeNull();
      expect(a.headers.get('x-powered-by'), path).toBeNull();
    }
    expect((await call(server, undefined, 'GET', '/system/ping')).json).toEqual({ status: 'OK' });
    // Everything else needs a session.
    expect((await call(server, undefined, 'GET', '/users')).status).toBe(401);
    expect((await call(server, undefined, 'GET', `/teams/${f.team.id}`)).status).toBe(401);
  });
});

/** A request whose path is sent exactly as written (fetch would resolve `..` and `%2e%2e`). */
function rawGet(method: string, path: string, token: string): Promise<Answer> {
  const u = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        method,
        path,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(method === 'GET' || method === 'DELETE' ? {} : { 'Content-Type': 'application/json' }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          resolve({ status: res.statusCode ?? 0, text, json, headers });
        });
      },
    );
    req.on('error', reject);
    req.end(method === 'GET' || method === 'DELETE' ? undefined : '{}');
  });
}

const HOSTILE = [
  '..',
  '%2e%2e',
  '%2e%2e%2f',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%252e%252e%252f',
  '%252e%252e%252fetc%252fpasswd',
  '..%5c..%5cwindows%5cwin.ini',
  '%2fetc%2fpasswd',
  '%00',
  'x%00.png',
  '%c0%ae%c0%ae%c0%af',
  '....%2f%2f',
  '%u002e%u002e',
  'aaaaaaaaaaaaaaaaaaaaaaaaa%2f',
  'aaaaaaaaaaaaaaaaaaaaaaaa..',
];

describe('path traversal in ids (15)', () => {
  it(
    'answers every hostile value in every path parameter of every route with 400 or 404',
    { timeout: 120_000 },
    async () => {
      const valid: Record<string, string> = {
        user_id: 'me',
        team_id: f.team.id,
        channel_id: f.privateChannel.id,
        post_id: post.id,
        file_id: fileId,
        emoji_name: 'smile',
        thread_id: post.id,
        timestamp: '1',
        category: 'flagged_post',
        name: 'x',
        role_name: 'system_user',
        role_id: 'system_user',
        username: 'alice',
        email: 'alice@example.com',
        team_name: f.team.name,
        channel_name: f.privateChannel.name,
      };
      const problems: string[] = [];
      const statuses = new Set<number>();
      const jobs: (() => Promise<void>)[] = [];
      let n = 0;
      for (const r of sourceRoutes()) {
        for (const p of paramsOf(r.path)) {
          // Ids must be refused; free-text names (a preference category, a team name) may be looked up
          // and found to hold nothing, as long as the answer is JSON.
          const isId = p.endsWith('_id');
          for (const h of HOSTILE) {
            const path = '/api/v4' + fillPath(r.path, { ...valid, [p]: h });
            n++;
            jobs.push(async () => {
              const a = await rawGet(r.method, path, f.alice.token);
              statuses.add(a.status);
              const label = `${key(r)} :${p}=${h}`;
              if (a.status === 200 && !isId) {
                if (a.headers.get('content-type') !== 'application/json') problems.push(`${label}: not JSON`);
              } else if (a.status !== 400 && a.status !== 404) {
                problems.push(`${label} → ${a.status} ${a.text.slice(0, 100)}`);
              } else problems.push(...errorShapeProblems(a).map((x) => `${label}: ${x}`));
              if (/root:|\[fonts\]|\x7fELF/.test(a.text)) problems.push(`${label}: served a file`);
            });
          }
        }
      }
      for (let i = 0; i < jobs.length; i += 8) await Promise.all(jobs.slice(i, i + 8).map((j) => j()));
      expect(problems).toEqual([]);
      expect(n).toBeGreaterThan(1000);
      // Raw traversals outside any route.
      for (const path of [
        '/api/v4/files/../../../../etc/passwd',
        '/api/v4/files/..%2f..%2f..%2f..%2fetc%2fpasswd',
        '/api/v4/../../../../etc/passwd',
        '/api/v4/files/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
        '/../../../../../etc/passwd',
        '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
        '/api/v4/files/' + fileId + '/..%2f..%2f..%2fparley.db',
      ]) {
        const a = await rawGet('GET', path, f.alice.token);
        expect(a.status, path).toBeLessThan(500);
        expect(a.text, path).not.toMatch(/root:|SQLite format/);
      }
      // The server still answers.
      expect((await call(server, undefined, 'GET', '/system/ping')).status).toBe(200);
    },
  );
});
