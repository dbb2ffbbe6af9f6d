/**
 * getTestServer(): the real app on a free port with a fresh database, plus logged-in Client4
 * instances for named personas.
 */
import { Client4 } from '@mattermost/client';
import type { UserProfile } from '@mattermost/types/users';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface TestServer {
  url: string;
  built: BuiltApp;
  config: Config;
  db: TestDatabase;
  /** A Client4 pointed at the server, not logged in. */
  client(): Client4;
  /** Signs up (as the admin when needed) and logs in a persona. */
  persona(name: string, opts?: { password?: string }): Promise<Persona>;
  close(): Promise<void>;
}

export interface Persona {
  user: UserProfile;
  client: Client4;
  password: string;
  token: string;
}

export const PASSWORD = 'correct horse battery';

export async function getTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const db = await createTestDatabase();
  const config = loadConfig({
    PARLEY_DATA_DIR: db.dataDir,
    PARLEY_BCRYPT_COST: '10',
    PORT: '0',
    HOST: '127.0.0.1',
    ...env,
  });
  const built = await buildApp({ config, database: db.handle });
  await built.app.listen({ port: 0, host: '127.0.0.1' });
  const addr = built.app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  const url = `http://127.0.0.1:${addr.port}`;

  let admin: Persona | undefined;
  const client = () => {
    const c = new Client4();
    c.setUrl(url);
    return c;
  };

  const login = async (username: string, password: string): Promise<Persona> => {
    const c = client();
    const user = await c.login(username, password);
    return { user, client: c, password, token: c.getToken() };
  };

  const server: TestServer = {
    url,
    built,
    config,
    db,
    client,
    async persona(name, opts = {}) {
      const password = opts.password ?? PASSWORD;
      // The first account on an empty server becomes the system admin; later ones are created by it.
      if (!admin) {
        await client().createUser(
          { username: 'admin', email: 'admin@example.com', password: PASSWORD } as UserProfile,
          '',
          '',
        );
        admin = await login('admin', PASSWORD);
      }
      if (name === 'admin') return admin;
      await admin.client.createUser(
        {
          username: name,
          email: `${name}@example.com`,
          password,
          first_name: name[0]!.toUpperCase() + name.slice(1),
        } as UserProfile,
        '',
        '',
      );
      return login(name, password);
    },
    async close() {
      // The tests are over: drop keep-alive connections (a finished download's, say) instead of
      // waiting for their timeout.
      const closing = built.app.close();
      built.app.server.closeAllConnections();
      await closing;
      await built.shutdown();
      await db.destroy();
    },
  };
  return server;
}

/** Calls fn and returns the error it throws (failing when it does not). */
export async function expectError(
  fn: () => Promise<unknown>,
): Promise<{ status_code: number; server_error_id: string; message: string }> {
  try {
    await fn();
  } catch (err) {
    return err as { status_code: number; server_error_id: string; message: string };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
