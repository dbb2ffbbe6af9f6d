#!/usr/bin/env node
/**
 * parleyctl: the operator's local tool (like Mattermost's mmctl --local). It opens the same database
 * the server uses (same environment variables) and calls the same services.
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
  user reset-password --username NAME --password PASSWORD
  user deactivate --username NAME
  user activate --username NAME
  db migrate

The database is the one the server uses: DATABASE_URL, or the SQLite file under PARLEY_DATA_DIR.
`;

function fail(msg: string, code = 1): never {
  process.stderr.write(msg.endsWith('\n') ? msg : msg + '\n');
  process.exit(code);
}

async function run(argv: string[]): Promise<void> {
  const [group, command, ...rest] = argv;
  if (!group || group === '--help' || group === '-h' || group === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      username: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      'system-admin': { type: 'boolean', default: false },
    },
    strict: true,
  });

  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(`parleyctl: configuration error: ${err.message}`);
    throw err;
  }
  const database = openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    const applied = await migrateToLatest(database.db);
    if (group === 'db' && command === 'migrate') {
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
      return;
    }
    const services = createServices({
      store: new Store(database.db, database.dialect),
      bus: new InProcessBus(),
      config,
      log: { info: () => {}, warn: () => {}, error: (o) => console.error(o) },
      now: Date.now,
    });
    const need = (k: 'username' | 'email' | 'password') =>
      values[k] ?? fail(`parleyctl: --${k} is required\n\n${USAGE}`);
    if (group === 'user' && command === 'create') {
      const u = await services.users.createUserAsOperator(
        { username: need('username'), email: need('email'), password: need('password') },
        values['system-admin'] === true,
      );
      process.stdout.write(
        `created user ${u.username} (${u.id})${values['system-admin'] ? ' as system admin' : ''}\n`,
      );
    } else if (group === 'user' && command === 'reset-password') {
      await services.users.resetPasswordAsOperator(need('username'), need('password'));
      process.stdout.write(`password reset for ${values.username}; their sessions were ended\n`);
    } else if (group === 'user' && (command === 'deactivate' || command === 'activate')) {
      const u = await services.users.getUserByUsername(need('username'));
      await services.users.setActive(undefined, u.id, command === 'activate');
      process.stdout.write(`${command}d user ${u.username}\n`);
    } else {
      fail(`parleyctl: unknown command "${[group, command].filter(Boolean).join(' ')}"\n\n${USAGE}`, 2);
    }
  } finally {
    await database.close();
  }
}

run(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof AppError) fail(`parleyctl: ${err.message}`);
  if (
    err instanceof Error &&
    'code' in err &&
    String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')
  ) {
    fail(`parleyctl: ${err.message}\n\n${USAGE}`, 2);
  }
  fail(`parleyctl: ${err instanceof Error ? err.message : String(err)}`);
});
