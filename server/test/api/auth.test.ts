import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserProfile } from '@mattermost/types/users';
import { getTestServer, expectError, PASSWORD, type TestServer, type Persona } from '../helpers/server.js';

let server: TestServer;
let admin: Persona;
let alice: Persona;

beforeAll(async () => {
  server = await getTestServer();
  admin = await server.persona('admin');
  alice = await server.persona('alice');
});
afterAll(() => server.close());

describe('system', () => {
  it('answers ping with exactly application/json and the request headers', async () => {
    const res = await fetch(`${server.url}/api/v4/system/ping`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-request-id')).toMatch(/^[a-z0-9]{26}$/);
    expect(res.headers.get('x-version-id')).toMatch(/^\d+\.\d+\.\d+\.0\.[0-9a-f]{8}\.false$/);
    expect(await res.json()).toEqual({ status: 'OK' });
  });

  it('serves the boot configuration and license through Client4', async () => {
    const c = server.client();
    const cfg = await c.getClientConfig();
    expect(cfg.EnableOpenServer).toBe('false');
    expect(cfg.SiteName).toBe('Parley');
    const lic = await c.getClientLicenseOld();
    expect(lic.IsLicensed).toBe('false');
  });

  it('answers role names with permission lists', async () => {
    const roles = await alice.client.getRolesByNames(['system_user', 'channel_user', 'nonsense']);
    expect(roles.map((r) => r.name).sort()).toEqual(['channel_user', 'system_user']);
    expect(roles.find((r) => r.name === 'channel_user')!.permissions).toContain('create_post');
  });
});

describe('accounts', () => {
  it('made the first account a system admin and later ones plain users', () => {
    expect(admin.user.roles).toContain('system_admin');
    expect(alice.user.roles).toBe('system_user');
  });

  it('refuses sign-up on a closed server to an anonymous visitor', async () => {
    const err = await expectError(() =>
      server
        .client()
        .createUser({ username: 'eve', email: 'eve@example.com', password: PASSWORD } as UserProfile, '', ''),
    );
    expect(err.status_code).toBe(403);
    expect(err.server_error_id).toBe('api.user.create_user.no_open_server');
  });

  it('never sends password hashes or secrets', async () => {
    const res = await fetch(`${server.url}/api/v4/users/${alice.user.id}`, {
      headers: { Authorization: `Bearer ${admin.token}` },
    });
    const text = await res.text();
    expect(text).not.toMatch(/\$2[aby]\$/);
    expect(text).not.toContain('password_hash');
    expect(text).not.toContain(alice.token);
  });

  it('hides e-mail addresses from other users by default but shows them to the owner and admins', async () => {
    const bob = await server.persona('bob');
    expect((await bob.client.getUser(alice.user.id)).email).toBe('');
    expect((await alice.client.getUser(alice.user.id)).email).toBe('alice@example.com');
    expect((await admin.client.getUser(alice.user.id)).email).toBe('alice@example.com');
  });

  it('refuses passwords over 72 bytes instead of truncating them', async () => {
    const err = await expectError(() =>
      admin.client.createUser(
        { username: 'longpw', email: 'l@example.com', password: 'é'.repeat(37) } as UserProfile,
        '',
        '',
      ),
    );
    expect(err.status_code).toBe(400);
    expect(err.server_error_id).toBe('model.user.is_valid.pwd_max_length.app_error');
  });

  it('accepts the Token header scheme and BEARER in any case', async () => {
    for (const scheme of ['Bearer', 'BEARER', 'bearer', 'Token']) {
      const res = await fetch(`${server.url}/api/v4/users/me`, {
        headers: { Authorization: `${scheme} ${alice.token}` },
      });
      expect(res.status).toBe(200);
    }
    const res = await fetch(`${server.url}/api/v4/users/me`, {
      headers: { Authorization: `Bearer nottoken` },
    });
    expect(res.status).toBe(401);
  });
});

describe('cookies and CSRF', () => {
  async function cookieLogin() {
    const res = await fetch(`${server.url}/api/v4/users/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
      body: JSON.stringify({ login_id: 'alice', password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    const cookies = res.headers.getSetCookie();
    const jar = Object.fromEntries(cookies.map((c) => c.split(';')[0]!.split('=') as [string, string]));
    return {
      cookies,
      jar,
      cookie: Object.entries(jar)
        .map(([k, v]) => `${k}=${v}`)
        .join('; '),
    };
  }

  it('sets HttpOnly session cookie and readable CSRF cookie', async () => {
    const { cookies, jar } = await cookieLogin();
    const auth = cookies.find((c) => c.startsWith('MMAUTHTOKEN='))!;
    expect(auth).toMatch(/HttpOnly/i);
    expect(auth).toMatch(/SameSite=Lax/i);
    expect(cookies.find((c) => c.startsWith('MMCSRF='))).not.toMatch(/HttpOnly/i);
    expect(jar.MMUSERID).toBe(alice.user.id);
  });

  it('refuses cookie-authenticated writes without the right X-CSRF-Token', async () => {
    const { jar, cookie } = await cookieLogin();
    const body = JSON.stringify({ nickname: 'csrf' });
    const put = (headers: Record<string, string>) =>
      fetch(`${server.url}/api/v4/users/me/patch`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Cookie: cookie, ...headers },
        body,
      });
    expect((await put({})).status).toBe(401);
    expect((await put({ 'X-CSRF-Token': 'wrong' })).status).toBe(401);
    expect((await alice.client.getMe()).nickname).toBe('');
    expect((await put({ 'X-CSRF-Token': jar.MMCSRF! })).status).toBe(200);
    const get = await fetch(`${server.url}/api/v4/users/me`, { headers: { Cookie: cookie } });
    expect(get.status).toBe(200);
  });

  it('logout ends the session and clears the cookies', async () => {
    const { jar, cookie } = await cookieLogin();
    const res = await fetch(`${server.url}/api/v4/users/logout`, {
      method: 'POST',
      headers: { Cookie: cookie, 'X-CSRF-Token': jar.MMCSRF! },
    });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('MMAUTHTOKEN=;'))).toBe(true);
    const after = await fetch(`${server.url}/api/v4/users/me`, { headers: { Cookie: cookie } });
    expect(after.status).toBe(401);
  });
});

describe('first visit', () => {
  it('tells clients when the server has no accounts yet', async () => {
    const fresh = await getTestServer();
    try {
      expect((await fresh.client().getClientConfig()).NoAccounts).toBe('true');
      await fresh.persona('admin');
      expect((await fresh.client().getClientConfig()).NoAccounts).toBe('false');
    } finally {
      await fresh.close();
    }
  });
});
