/**
 * The web client's hosting: built files, the SPA fallback for deep links, security headers, and the
 * API's JSON 404 kept under /api.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/app-1a2b.js"></script></head></html>';

async function start(webRoot: string): Promise<{ built: BuiltApp; db: TestDatabase }> {
  const db = await createTestDatabase();
  const config = loadConfig({ PARLEY_DATA_DIR: db.dataDir, PARLEY_BCRYPT_COST: '10' });
  const built = await buildApp({ config, database: db.handle, webRoot });
  return { built, db };
}

describe('web client hosting', () => {
  let root: string;
  let built: BuiltApp;
  let db: TestDatabase;
  let auth: Record<string, string>;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-web-'));
    fs.mkdirSync(path.join(root, 'assets'));
    fs.writeFileSync(path.join(root, 'index.html'), INDEX);
    fs.writeFileSync(path.join(root, 'assets', 'app-1a2b.js'), 'console.log(1)');
    fs.writeFileSync(path.join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    // A file beside the build directory that must never be served.
    fs.writeFileSync(path.join(root, '..', `secret-${path.basename(root)}.txt`), 'secret');
    ({ built, db } = await start(root));
    const user = { username: 'alice', email: 'alice@example.com', password: 'correct horse battery' };
    await built.app.inject({ method: 'POST', url: '/api/v4/users', payload: user });
    const login = await built.app.inject({
      method: 'POST',
      url: '/api/v4/users/login',
      payload: { login_id: 'alice', password: user.password },
    });
    auth = { authorization: `Bearer ${String(login.headers.token)}` };
  });

  afterAll(async () => {
    await built.app.close();
    await built.shutdown();
    await db.destroy();
    fs.rmSync(path.join(root, '..', `secret-${path.basename(root)}.txt`), { force: true });
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html at / with a CSP that forbids inline script and framing', async () => {
    const res = await built.app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toBe(INDEX);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it.each([
    '/myteam/channels/town-square',
    '/myteam/messages/@john.doe',
    '/myteam/pl/abcdefghijklmnopqrstuvwxyz',
    '/login',
  ])('answers the deep link %s with the app', async (url) => {
    const res = await built.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(INDEX);
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });

  it('serves hashed assets as immutable with their type', async () => {
    const res = await built.app.inject({ method: 'GET', url: '/assets/app-1a2b.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toContain('immutable');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toBe('console.log(1)');
  });

  it('answers a missing asset with 404, not the app', async () => {
    const res = await built.app.inject({ method: 'GET', url: '/assets/old-build.js' });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('<html');
  });

  it('keeps the JSON 404 under /api', async () => {
    for (const url of ['/api/v4/no-such-route', '/api', '/api/v3/users']) {
      const res = await built.app.inject({ method: 'GET', url, headers: auth });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.json()).toMatchObject({ id: 'api.context.404.app_error', status_code: 404 });
    }
  });

  it('never serves a file outside the build directory', async () => {
    const secret = `secret-${path.basename(root)}.txt`;
    for (const url of [
      `/../${secret}`,
      `/%2e%2e/${secret}`,
      `/assets/%2e%2e/%2e%2e/${secret}`,
      `/%2e%2e%2f${secret}`,
    ]) {
      const res = await built.app.inject({ method: 'GET', url });
      expect(res.body).not.toContain('secret');
    }
  });

  it('does not serve index.html for writes', async () => {
    const res = await built.app.inject({
      method: 'POST',
      url: '/myteam/channels/town-square',
      payload: {},
      headers: auth,
    });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toBe(INDEX);
  });
});

describe('web client not built', () => {
  it('explains how to build it, and picks the build up once it exists', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-web-missing-'));
    const { built, db } = await start(root);
    try {
      const res = await built.app.inject({ method: 'GET', url: '/team/channels/x' });
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('has not been built');
      expect(res.body).not.toContain('<script');
      expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");

      fs.writeFileSync(path.join(root, 'index.html'), INDEX);
      const again = await built.app.inject({ method: 'GET', url: '/team/channels/x' });
      expect(again.statusCode).toBe(200);
      expect(again.body).toBe(INDEX);
    } finally {
      await built.app.close();
      await built.shutdown();
      await db.destroy();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
