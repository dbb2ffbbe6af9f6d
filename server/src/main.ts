/**
 * Start-up: configuration → database → app → listen. SIGTERM/SIGINT stop accepting, let requests in
 * flight finish, close the database and exit 0.
 */
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase, type DatabaseHandle } from './db/connection.js';
import { buildApp, type BuiltApp } from './app.js';
import { bootstrapAdmin } from './bootstrap.js';

/** Requests in flight get this long to finish after SIGTERM/SIGINT before their connections are cut. */
const SHUTDOWN_GRACE_MS = 30_000;

function exitWithConfigError(err: ConfigError): never {
  process.stderr.write(`parley: configuration error: ${err.message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) exitWithConfigError(err);
    throw err;
  }

  let database: DatabaseHandle | undefined;
  let built: BuiltApp | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    built?.app.log.info({ signal }, 'shutting down');
    try {
      // app.close() stops accepting, answers new requests on open connections with 503, and waits for the
      // requests in flight; only then is the database closed (SQLite checkpoints its WAL on close).
      if (built) {
        const server = built.app.server;
        // server.close() drops the connections idle at that moment; a keep-alive connection whose request
        // was in flight would stay open until its keep-alive timeout. Drop each one as soon as it idles,
        // and everything after a grace period.
        const idle = setInterval(() => server.closeIdleConnections(), 50);
        const deadline = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        idle.unref();
        deadline.unref();
        await built.app.close();
        clearInterval(idle);
        clearTimeout(deadline);
        await built.shutdown();
      } else {
        await database?.close();
      }
      process.exit(0);
    } catch (err) {
      process.stderr.write(`parley: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    }
  };
  // Registered first, so a signal during start-up also closes the database cleanly.
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  try {
    database = openDatabase({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      backgroundCheckpointMs: config.sqliteCheckpointMs,
    });
    built = await buildApp({ config, database, logger: true, warmUp: true });
    await bootstrapAdmin(built.services, config, built.app.log);
    // The first login for an unknown name must cost what any other login costs (the hash was started
    // inside buildApp, so it overlapped the route registration).
    await built.services.auth.warmUp();
    if (stopping) return;
    await built.app.listen({ port: config.port, host: config.host });
  } catch (err) {
    if (built) await built.shutdown().catch(() => {});
    else await database?.close().catch(() => {});
    if (err instanceof ConfigError) exitWithConfigError(err);
    throw err;
  }
  const address = built.app.server.address();
  const port = address && typeof address === 'object' ? address.port : config.port;
  built.app.log.info(
    { database: database.dialect, dataDir: config.dataDir, port },
    `Parley is ready at http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(
    `parley: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
