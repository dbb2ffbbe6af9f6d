/**
 * Start-up: configuration → database → app → listen. SIGTERM/SIGINT stop accepting, let requests in
 * flight finish, close the database and exit 0.
 */
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase } from './db/connection.js';
import { buildApp } from './app.js';
import { bootstrapAdmin } from './bootstrap.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`parley: configuration error: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }

  const database = openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const built = await buildApp({ config, database, logger: true });
  const { app } = built;
  await bootstrapAdmin(built.services, config, app.log);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    try {
      await app.close();
      await built.shutdown();
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  app.log.info(
    { database: database.dialect, dataDir: config.dataDir },
    `Parley is ready at http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(
    `parley: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
