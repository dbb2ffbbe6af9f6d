/**
 * Accounts and sessions (security.md 21–26), the parts that test/api/accounts.test.ts, auth.test.ts
 * and test/realtime/sessions.test.ts leave open:
 *  - every login issues a fresh token and CSRF token; a cookie the client already holds (or one an
 *    attacker planted) is never adopted;
 *  - cookie attributes: HttpOnly session cookie, SameSite on all, Secure when the site is https;
 *  - every non-GET route, cookie-authenticated without the right X-CSRF-Token: refused, nothing changed
 *    (public routes included: the cookie's user must not act through them);
 *  - tokens are accepted only from the cookie or the Authorization header, never from the URL;
 *  - no GET or HEAD route changes a row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Post } from '@mattermost/types/posts';
import { getTestServer, PASSWORD, type TestServer } from '../helpers/server.js';
import { createFixture, type Fixture } from '../helpers/fixtures.js';
import { call, fillPath, key, snapshot, snapshotDiff, sourceRoutes, UNKNOWN } from './kit.js';

let server: TestServer;
let f: Fixture;
let post: Post;

beforeAll(async () => {
  server = await getTestServer();
  f = await createFixture(server);
  post = await f.alice.client.createPost({ channel_id: f.publicChannel.id, message: 'p' } as Post);
});
afterAll(() => server.close());

interface CookieLogin {
  token: string;
  csrf: string;
  cookies: string[];
  cookie: string;
}

async function cookieLogin(s: TestServer, loginId: string, extra: Record<string, string> = {}) {
  const res = await fetch(`${s.url}/api/v4/users/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest', ...extra },
    body: JSON.stringify({ login_id: loginId, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookies = res.headers.getSetCookie();
  const jar = Object.fromEntries(cookies.map((c) => c.split(';')[0]!.split('=') as [string, string]));
  return {
    token: res.headers.get('token')!,
    csrf: jar.MMCSRF!,
    cookies,
    cookie: `MMAUTHTOKEN=${jar.MMAUTHTOKEN}; MMUSERID=${jar.MMUSERID}; MMCSRF=${jar.MMCSRF}`,
  } satisfies CookieLogin;
}

describe('login (22)', () => {
  it('issues a fresh token and CSRF token every time, and never adopts one the client brings', async () => {
    const a = await cookieLogin(server, 'bob');
    const b = await cookieLogin(server, 'bob', { Cookie: a.cookie, 'X-CSRF-Token': a.csrf });
    const planted = 'p'.repeat(26);
    const c = await cookieLogin(server, 'bob', { Cookie: `MMAUTHTOKEN=${planted}; MMCSRF=${planted}` });
    const d = await cookieLogin(server, 'bob', { Authorization: `Bearer ${f.bob.token}` });
    const tokens = [a, b, c, d].map((x) => x.token);
    expect(new Set([...tokens, f.bob.token, planted]).size).toBe(6);
    expect(new Set([a, b, c, d].map((x) => x.csrf)).size).toBe(4);
    for (const x of [a, b, c, d]) {
      expect(x.cookies.find((k) => k.startsWith('MMAUTHTOKEN='))).toContain(`MMAUTHTOKEN=${x.token}`);
      expect(x.csrf).not.toBe(x.token);
    }
    // The planted value authenticates nobody; every issued token works on its own.
    expect((await call(server, { token: planted }, 'GET', '/users/me')).status).toBe(401);
    for (const t of tokens) expect((await call(server, { token: t }, 'GET', '/users/me')).status).toBe(200);
  });

  it('sets HttpOnly on the session cookie, SameSite on all three, and Secure only for an https site', async () => {
    const plain = await cookieLogin(server, 'carol');
    for (const name of ['MMAUTHTOKEN', 'MMUSERID', 'MMCSRF']) {
      const c = plain.cookies.find((k) => k.startsWith(`${name}=`))!;
      expect(c, name).toMatch(/;\s*SameSite=(Lax|Strict)/i);
      expect(c, name).toMatch(/;\s*Path=\//i);
      expect(c, name).not.toMatch(/;\s*Secure/i);
      expect(/;\s*HttpOnly/i.test(c), name).toBe(name === 'MMAUTHTOKEN');
    }
    const https = await getTestServer({ PARLEY_SITE_URL: 'https://chat.example.com' });
    try {
      await https.persona('admin');
      await https.persona('carol');
      const secure = await cookieLogin(https, 'carol');
      for (const name of ['MMAUTHTOKEN', 'MMUSERID', 'MMCSRF']) {
        const c = secure.cookies.find((k) => k.startsWith(`${name}=`))!;
        expect(c, name).toMatch(/;\s*Secure/i);
        expect(c, name).toMatch(/;\s*SameSite=(Lax|Strict)/i);
      }
    } finally {
      await https.close();
    }
  });

  it('takes a token only from the cookie or the Authorization header, never from the URL', async () => {
    for (const q of ['access_token', 'token', 'MMAUTHTOKEN']) {
      const a = await call(server, undefined, 'GET', `/users/me?${q}=${f.bob.token}`);
      expect(a.status, q).toBe(401);
    }
    const wrongScheme = await call(server, undefined, 'GET', '/users/me', undefined, {
      Authorization: `Basic ${f.bob.token}`,
    });
    expect(wrongScheme.status).toBe(401);
  });
});

describe('CSRF (23)', () => {
  it(
    'refuses every cookie-authenticated write without the right X-CSRF-Token, changing nothing',
    { timeout: 120_000 },
    async () => {
      const alice = await cookieLogin(server, 'alice');
      const admin = await cookieLogin(server, 'admin');
      const other = await cookieLogin(server, 'bob');
      const values: Record<string, string> = {
        user_id: 'me',
        channel_id: f.publicChannel.id,
        post_id: post.id,
        team_id: f.team.id,
        emoji_name: 'smile',
        thread_id: post.id,
        timestamp: '1',
      };
      const bodies: Record<string, unknown> = {
        'POST /users': { username: 'csrfuser', email: 'csrf@example.com', password: PASSWORD },
        'POST /users/login': { login_id: 'alice', password: PASSWORD },
        'POST /posts': { channel_id: f.publicChannel.id, message: 'forged' },
        'PUT /users/:user_id/patch': { nickname: 'forged' },
        'PUT /users/:user_id/password': { current_password: PASSWORD, new_password: 'forged password' },
      };
      const IGNORE = ['sessions', 'login_throttle'];
      const before = await snapshot(server, IGNORE);
      const wrong: string[] = [];
      let n = 0;
      for (const r of sourceRoutes().filter((x) => x.method !== 'GET')) {
        const path = fillPath(r.path, values);
        const body = bodies[key(r)] ?? (r.path.endsWith('/ids') ? [UNKNOWN] : {});
        for (const [who, variants] of [
          [alice, [undefined, 'wrong', other.csrf, alice.token]],
          [admin, [undefined, '']],
        ] as const) {
          for (const csrf of variants) {
            n++;
            const a = await call(
              server,
              { cookie: who.cookie, ...(csrf !== undefined ? { csrf } : {}) },
              r.method,
              path,
              body,
            );
            // Public routes (sign-up, login, logout) too: the cookie's user may not act through them.
            if (a.status !== 401)
              wrong.push(`${key(r)} csrf=${String(csrf)} → ${a.status} ${a.text.slice(0, 80)}`);
          }
        }
      }
      expect(wrong).toEqual([]);
      expect(n).toBeGreaterThan(300);
      // The cookie sessions still work, and a text/plain form post (what a foreign page can send
      // without a preflight) is refused too, even with the cookie.
      const form = await fetch(`${server.url}/api/v4/posts`, {
        method: 'POST',
        headers: { Cookie: alice.cookie, 'Content-Type': 'text/plain' },
        body: JSON.stringify({ channel_id: f.publicChannel.id, message: 'forged' }),
      });
      expect(form.status).toBeGreaterThanOrEqual(400);
      // Logging in again may add a session; nothing else changed (sessions are compared without them).
      expect(snapshotDiff(before, await snapshot(server, IGNORE))).toBe('');
      // Logout without the header ended no session either; with it, writes work.
      for (const who of [alice, admin])
        expect((await call(server, { cookie: who.cookie }, 'GET', '/users/me')).status).toBe(200);
      const ok = await call(server, { cookie: alice.cookie, csrf: alice.csrf }, 'PUT', '/users/me/patch', {
        nickname: 'allowed',
      });
      expect(ok.status).toBe(200);
    },
  );
});

describe('safe methods (23)', () => {
  it('no GET or HEAD route changes any row, for a member or an admin', { timeout: 120_000 }, async () => {
    const values: Record<string, string> = {
      user_id: 'me',
      team_id: f.team.id,
      channel_id: f.publicChannel.id,
      post_id: post.id,
      file_id: UNKNOWN,
      emoji_name: 'smile',
      thread_id: post.id,
      timestamp: '1',
      category: 'flagged_post',
      name: 'x',
      role_name: 'system_user',
      role_id: 'system_user',
      username: 'bob',
      email: 'bob@example.com',
      team_name: f.team.name,
      channel_name: f.publicChannel.name,
    };
    const gets = sourceRoutes().filter((r) => r.method === 'GET');
    expect(gets.length).toBeGreaterThan(40);
    const before = await snapshot(server);
    let ok = 0;
    for (const who of [f.alice, f.admin]) {
      for (const r of gets) {
        const vals = r.path.startsWith('/teams/name/') ? { ...values, name: f.team.name } : values;
        for (const method of who === f.alice ? ['GET', 'HEAD'] : ['GET']) {
          const a = await call(server, { token: who.token }, method, fillPath(r.path, vals));
          expect(a.status, `${method} ${r.path}`).toBeLessThan(500);
          if (a.status < 300) ok++;
        }
      }
    }
    expect(ok).toBeGreaterThan(100);
    expect(snapshotDiff(before, await snapshot(server))).toBe('');
  });
});
