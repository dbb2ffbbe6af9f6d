/**
 * The only reader of process.env. Every setting is parsed and validated here, once; a bad value
 * stops start-up with a message naming the variable (main.ts turns ConfigError into exit code 1).
 */
import path from 'node:path';
import { checkEmail, checkUsername } from './lib/validate.js';
import { checkPassword } from './services/passwords.js';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** undefined: SQLite file in the data directory. */
  databaseUrl: string | undefined;
  siteUrl: string;
  enableOpenServer: boolean;
  /** Whether users see each other's e-mail addresses (admins and the owner always do). */
  showEmailAddress: boolean;
  bcryptCost: number;
  sessionLengthMs: number;
  /** Bootstrap administrator, created at start-up when all three are set and the name is free. */
  admin: { username: string; email: string; password: string } | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Reported in X-Version-Id and /config/client. */
  version: string;
  /** A connected user shows as away after this long without activity (PARLEY_PRESENCE_AWAY_SECONDS). */
  presenceAwayMs: number;
  /**
   * A dropped WebSocket connection may resume (same connection_id, missed events replayed) for this
   * long; what it was sent is kept that long (PARLEY_WS_RESUME_SECONDS).
   */
  wsResumeWindowMs: number;
  /**
   * SQLite: a worker thread checkpoints the WAL this often; 0 leaves it to SQLite, inside the commit
   * that fills the WAL (PARLEY_SQLITE_CHECKPOINT_MS).
   */
  sqliteCheckpointMs: number;
  /** Largest accepted upload in bytes (PARLEY_MAX_FILE_SIZE). */
  maxFileSize: number;
  /** Where uploads live: `<dataDir>/files` (default) or an S3-compatible bucket. */
  fileStorage: FileStorageConfig;
}

export type FileStorageConfig =
  | { kind: 'local' }
  | {
      kind: 's3';
      /** undefined: the provider's default endpoint for the region. */
      endpoint: string | undefined;
      bucket: string;
      region: string;
      accessKeyId: string;
      secretAccessKey: string;
      forcePathStyle: boolean;
    };

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function readInt(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const n = Number(raw.trim());
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function readBool(env: Env, name: string, def: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/** The bootstrap administrator must be a valid account, or start-up would fail later and less clearly. */
function checkAdmin(username: string, email: string, password: string): NonNullable<Config['admin']> {
  const check = <T>(name: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw new ConfigError(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const u = check('PARLEY_ADMIN_USERNAME', () => checkUsername(username));
  const e = check('PARLEY_ADMIN_EMAIL', () => checkEmail(email));
  check('PARLEY_ADMIN_PASSWORD', () => checkPassword(password));
  return { username: u, email: e, password };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: Env = process.env): Config {
  const port = readInt(env, 'PORT', 8065, 0, 65535);
  const host = (env.HOST ?? '').trim() || '0.0.0.0';
  const dataDir = path.resolve((env.PARLEY_DATA_DIR ?? '').trim() || './data');

  const rawDb = (env.DATABASE_URL ?? '').trim();
  let databaseUrl: string | undefined;
  if (rawDb !== '') {
    let u: URL;
    try {
      u = new URL(rawDb);
    } catch {
      throw new ConfigError(`DATABASE_URL is not a valid URL`);
    }
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
      throw new ConfigError(`DATABASE_URL must start with postgres:// (unset it to use SQLite)`);
    }
    databaseUrl = rawDb;
  }

  const rawSite = (env.PARLEY_SITE_URL ?? '').trim();
  let siteUrl = '';
  if (rawSite !== '') {
    let u: URL;
    try {
      u = new URL(rawSite);
    } catch {
      throw new ConfigError(`PARLEY_SITE_URL is not a valid URL: "${rawSite}"`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new ConfigError(`PARLEY_SITE_URL must be an http:// or https:// URL`);
    }
    siteUrl = rawSite.replace(/\/+$/, '');
  }

  const bcryptCost = readInt(env, 'PARLEY_BCRYPT_COST', 12, 10, 31);
  const sessionDays = readInt(env, 'PARLEY_SESSION_LENGTH_DAYS', 30, 1, 3650);

  const au = (env.PARLEY_ADMIN_USERNAME ?? '').trim();
  const ae = (env.PARLEY_ADMIN_EMAIL ?? '').trim();
  const ap = env.PARLEY_ADMIN_PASSWORD ?? '';
  const set = [au, ae, ap].filter((v) => v !== '').length;
  if (set !== 0 && set !== 3) {
    throw new ConfigError(
      'PARLEY_ADMIN_USERNAME, PARLEY_ADMIN_EMAIL and PARLEY_ADMIN_PASSWORD must be set together',
    );
  }
  const admin = set === 3 ? checkAdmin(au, ae, ap) : undefined;

  const rawLevel = (env.PARLEY_LOG_LEVEL ?? '').trim() || 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(rawLevel)) {
    throw new ConfigError(`PARLEY_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }

  return {
    port,
    host,
    dataDir,
    databaseUrl,
    siteUrl,
    enableOpenServer: readBool(env, 'PARLEY_ENABLE_OPEN_SERVER', false),
    showEmailAddress: readBool(env, 'PARLEY_SHOW_EMAIL_ADDRESS', false),
    bcryptCost,
    sessionLengthMs: sessionDays * 24 * 3600 * 1000,
    admin,
    logLevel: rawLevel as Config['logLevel'],
    version: '10.0.0',
    presenceAwayMs: readInt(env, 'PARLEY_PRESENCE_AWAY_SECONDS', 300, 1, 86_400) * 1000,
    wsResumeWindowMs: readInt(env, 'PARLEY_WS_RESUME_SECONDS', 300, 1, 86_400) * 1000,
    sqliteCheckpointMs: readInt(env, 'PARLEY_SQLITE_CHECKPOINT_MS', 1000, 0, 60_000),
    maxFileSize: readInt(env, 'PARLEY_MAX_FILE_SIZE', 100 * 1024 * 1024, 1, 2 ** 40),
    fileStorage: readFileStorage(env),
  };
}

function readFileStorage(env: Env): FileStorageConfig {
  const kind = (env.PARLEY_FILE_STORAGE ?? '').trim() || 'local';
  if (kind === 'local') return { kind };
  if (kind !== 's3') throw new ConfigError(`PARLEY_FILE_STORAGE must be local or s3, got "${kind}"`);
  const need = (name: string): string => {
    const v = (env[name] ?? '').trim();
    if (v === '') throw new ConfigError(`${name} must be set when PARLEY_FILE_STORAGE=s3`);
    return v;
  };
  const rawEndpoint = (env.PARLEY_S3_ENDPOINT ?? '').trim();
  if (rawEndpoint !== '') {
    let u: URL;
    try {
      u = new URL(rawEndpoint);
    } catch {
      throw new ConfigError(`PARLEY_S3_ENDPOINT is not a valid URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new ConfigError(`PARLEY_S3_ENDPOINT must be an http:// or https:// URL`);
    }
  }
  return {
    kind,
    endpoint: rawEndpoint || undefined,
    bucket: need('PARLEY_S3_BUCKET'),
    region: (env.PARLEY_S3_REGION ?? '').trim() || 'us-east-1',
    accessKeyId: need('PARLEY_S3_ACCESS_KEY_ID'),
    secretAccessKey: need('PARLEY_S3_SECRET_ACCESS_KEY'),
    forcePathStyle: readBool(env, 'PARLEY_S3_FORCE_PATH_STYLE', false),
  };
}
