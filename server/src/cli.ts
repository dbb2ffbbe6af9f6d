#!/usr/bin/env node
/**
 * parleyctl: the operator's local tool (like Mattermost's mmctl --local). It opens the same database
 * the server uses (same environment variables) and calls the same services.
 *
 * Exit codes: 0 done, 1 the command failed (bad value, unknown user, database error), 2 usage error.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/connection.js';
import { migrateToLatest } from './db/migrate.js';
import { Store } from './store/store.js';
import { InProcessBus } from './realtime/bus.js';
import { createServices } from './services/index.js';
import { AppError } from './lib/errors.js';

const USAGE = `Usage: parleyctl <command> [options]

Commands:
  user create --username NAME --email EMAIL --password PASSWORD [--system-admin]
  user reset-password --username NAME --password PASSWORD   (ends the user's sessions)
  user deactivate --username NAME                            (ends the user's sessions)
  user activate --username NAME
  db migrate

The database is the one the server uses: DATABASE_URL, or the SQLite file under PARLEY_DATA_DIR.
`;

/** A mistake in how parleyctl was called (exit code 2, usage shown). */
class UsageError extends Error {}

type Field = 'username' | 'email' | 'password';
const COMMANDS: Record<string, { needs: Field[]; flags?: 'system-admin'[] }> = {
  'user create': { needs: ['username', 'email', 'password'], flags: ['system-admin'] },
  'user reset-password': { needs: ['username', 'password'] },
  'user deactivate': { needs: ['username'] },
  'user activate': { needs: ['username'] },
  'db migrate': { needs: [] },
};

async function run(argv: string[]): Promise<void> {
  const [group, command, ...rest] = argv;
  if (!group || group === '--help' || group === '-h' || group === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const name = [group, command].filter(Boolean).join(' ');
  const spec = COMMANDS[name];
  if (!spec) throw new UsageError(`unknown command "${name}"`);
  let values: Partial<Record<Field, string>> & { 'system-admin'?: boolean };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        username: { type: 'string' },
        email: { type: 'string' },
        password: { type: 'string' },
        'system-admin': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  for (const k of spec.needs) {
    if (values[k] === undefined || values[k] === '') throw new UsageError(`--${k} is required for "${name}"`);
  }
  const allowed = new Set<string>([...spec.needs, ...(spec.flags ?? [])]);
  for (const [k, v] of Object.entries(values)) {
    if (v !== undefined && v !== false && !allowed.has(k)) {
      throw new UsageError(`--${k} does not apply to "${name}"`);
    }
  }
  const arg = (k: Field) => values[k] as string;

  const config = loadConfig();
  const database = openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    const applied = await migrateToLatest(database.db);
    if (name === 'db migrate') {
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
      return;
    }
    const services = createServices({
      store: new Store(database.db, database.dialect),
      // Sessions are ended in the database; a running server refuses them at their next request.
      bus: new InProcessBus(),
      config,
      log: { info: () => {}, warn: () => {}, error: (o) => console.error(o) },
      now: Date.now,
    });
    if (name === 'user create') {
      const admin = values['system-admin'] === true;
      const u = await services.users.createUserAsOperator(
        { username: arg('username'), email: arg('email'), password: arg('password') },
        admin,
      );
      process.stdout.write(`created user ${u.username} (${u.id})${admin ? ' as system admin' : ''}\n`);
    } else if (name === 'user reset-password') {
      await services.users.resetPasswordAsOperator(arg('username'), arg('password'));
      process.stdout.write(`password reset for ${arg('username')}; their sessions were ended\n`);
    } else {
      const activate = name === 'user activate';
      const u = await services.users.getUserByUsername(arg('username'));
      await services.users.setActive(undefined, u.id, activate);
      process.stdout.write(
        `${activate ? 'activated' : 'deactivated'} user ${u.username}${activate ? '' : '; their sessions were ended'}\n`,
      );
    }
  } finally {
    await database.close();
  }
}

run(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    let code = 1;
    let msg: string;
    if (err instanceof UsageError) {
      code = 2;
      msg = `parleyctl: ${err.message}\n\n${USAGE}`;
    } else if (err instanceof ConfigError) {
      msg = `parleyctl: configuration error: ${err.message}`;
    } else if (err instanceof AppError) {
      msg = `parleyctl: ${err.message}`;
    } else {
      msg = `parleyctl: ${err instanceof Error ? err.message : String(err)}`;
    }
    process.stderr.write(msg.endsWith('\n') ? msg : msg + '\n');
    process.exit(code);
  },
);
