/**
 * Configuration: every variable's default, and a bad value for each that stops start-up with a
 * ConfigError naming the variable.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const ADMIN = {
  PARLEY_ADMIN_USERNAME: 'root',
  PARLEY_ADMIN_EMAIL: 'root@example.com',
  PARLEY_ADMIN_PASSWORD: 'a good password',
};

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig defaults', () => {
  it('gives every documented default for an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8065);
    expect(c.host).toBe('0.0.0.0');
    expect(c.dataDir).toBe(path.resolve('./data'));
    expect(c.databaseUrl).toBeUndefined();
    expect(c.siteUrl).toBe('');
    expect(c.enableOpenServer).toBe(false);
    expect(c.showEmailAddress).toBe(false);
    expect(c.bcryptCost).toBe(12);
    expect(c.sessionLengthMs).toBe(30 * 24 * 3600 * 1000);
    expect(c.admin).toBeUndefined();
    expect(c.logLevel).toBe('info');
  });

  it('treats empty strings as unset', () => {
    const c = loadConfig({ PORT: '', HOST: '', DATABASE_URL: '', PARLEY_ENABLE_OPEN_SERVER: '' });
    expect(c.port).toBe(8065);
    expect(c.host).toBe('0.0.0.0');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.enableOpenServer).toBe(false);
  });

  it('reads good values', () => {
    const c = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      PARLEY_DATA_DIR: '/tmp/parley-x',
      DATABASE_URL: 'postgres://u@db:5432/parley',
      PARLEY_SITE_URL: 'https://chat.example.com/',
      PARLEY_ENABLE_OPEN_SERVER: 'true',
      PARLEY_BCRYPT_COST: '10',
      PARLEY_SESSION_LENGTH_DAYS: '2',
      PARLEY_LOG_LEVEL: 'warn',
      ...ADMIN,
    });
    expect(c).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      dataDir: '/tmp/parley-x',
      databaseUrl: 'postgres://u@db:5432/parley',
      siteUrl: 'https://chat.example.com',
      enableOpenServer: true,
      bcryptCost: 10,
      sessionLengthMs: 2 * 24 * 3600 * 1000,
      logLevel: 'warn',
      admin: { username: 'root', email: 'root@example.com', password: 'a good password' },
    });
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@db/p' }).databaseUrl).toBe('postgresql://u@db/p');
    expect(loadConfig({ PARLEY_ENABLE_OPEN_SERVER: 'FALSE' }).enableOpenServer).toBe(false);
  });
});

describe('loadConfig refuses bad values', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['PORT not a number', { PORT: 'abc' }, /PORT/],
    ['PORT out of range', { PORT: '70000' }, /PORT.*65535/],
    ['PORT negative', { PORT: '-1' }, /PORT/],
    ['DATABASE_URL of another database', { DATABASE_URL: 'mysql://u@db/p' }, /DATABASE_URL.*postgres/],
    ['DATABASE_URL not a URL', { DATABASE_URL: 'not a url' }, /DATABASE_URL/],
    ['PARLEY_SITE_URL not http', { PARLEY_SITE_URL: 'ftp://x' }, /PARLEY_SITE_URL/],
    ['PARLEY_SITE_URL not a URL', { PARLEY_SITE_URL: 'chat' }, /PARLEY_SITE_URL/],
    ['PARLEY_ENABLE_OPEN_SERVER=maybe', { PARLEY_ENABLE_OPEN_SERVER: 'maybe' }, /PARLEY_ENABLE_OPEN_SERVER/],
    ['PARLEY_SHOW_EMAIL_ADDRESS=2', { PARLEY_SHOW_EMAIL_ADDRESS: '2' }, /PARLEY_SHOW_EMAIL_ADDRESS/],
    ['PARLEY_BCRYPT_COST below 10', { PARLEY_BCRYPT_COST: '9' }, /PARLEY_BCRYPT_COST.*10/],
    ['PARLEY_BCRYPT_COST not a number', { PARLEY_BCRYPT_COST: '12.5' }, /PARLEY_BCRYPT_COST/],
    ['PARLEY_BCRYPT_COST above 31', { PARLEY_BCRYPT_COST: '32' }, /PARLEY_BCRYPT_COST/],
    ['PARLEY_SESSION_LENGTH_DAYS zero', { PARLEY_SESSION_LENGTH_DAYS: '0' }, /PARLEY_SESSION_LENGTH_DAYS/],
    ['PARLEY_LOG_LEVEL unknown', { PARLEY_LOG_LEVEL: 'loud' }, /PARLEY_LOG_LEVEL/],
    [
      'only the admin username',
      { PARLEY_ADMIN_USERNAME: 'root' },
      /PARLEY_ADMIN_USERNAME, PARLEY_ADMIN_EMAIL and PARLEY_ADMIN_PASSWORD must be set together/,
    ],
    [
      'admin without password',
      { PARLEY_ADMIN_USERNAME: 'root', PARLEY_ADMIN_EMAIL: 'root@example.com' },
      /must be set together/,
    ],
    ['admin with a bad username', { ...ADMIN, PARLEY_ADMIN_USERNAME: '1 bad name' }, /PARLEY_ADMIN_USERNAME/],
    ['admin with a bad e-mail', { ...ADMIN, PARLEY_ADMIN_EMAIL: 'nope' }, /PARLEY_ADMIN_EMAIL/],
    ['admin with a short password', { ...ADMIN, PARLEY_ADMIN_PASSWORD: 'short' }, /PARLEY_ADMIN_PASSWORD/],
    [
      'admin with a password over 72 bytes',
      { ...ADMIN, PARLEY_ADMIN_PASSWORD: 'é'.repeat(37) },
      /PARLEY_ADMIN_PASSWORD.*72/,
    ],
  ];
  for (const [name, env, message] of cases) {
    it(name, () => {
      expect(configError(env)).toMatch(message);
    });
  }
});
