import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client4 } from '@mattermost/client';
import { defaultLimits } from '../../src/realtime/limits.js';
import { getTestServer, PASSWORD, type Persona, type TestServer } from '../helpers/server.js';
import { connect, silenceClientLogs, sync, type TestSocket } from '../helpers/ws.js';

let server: TestServer;
let admin: Persona;
const open: TestSocket[] = [];
const track = (s: TestSocket): TestSocket => {
  open.push(s);
  return s;
};

beforeAll(async () => {
  silenceClientLogs();
  server = await getTestServer();
  admin = await server.persona('admin');
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  server.built.realtime.configure(defaultLimits(server.config.presenceAwayMs));
});
afterAll(() => server.close());

/** Another session of an existing user. */
async function login(username: string, password = PASSWORD): Promise<Persona> {
  const c = new Client4();
  c.setUrl(server.url);
  const user = await c.login(username, password);
  return { user, client: c, password, token: c.getToken() };
}

describe('a session that ends closes its sockets', () => {
  it('on logout: that session’s sockets close, not the user’s other sessions', async () => {
    const first = await server.persona('lena');
    const second = await login('lena');
    const a = track(await connect(server, first));
    const b = track(await connect(server, second));
    await second.client.logout();
    expect(await b.waitForClose()).toBe(4401);
    expect(server.built.realtime.hub.connectionState(b.connectionId)).toBeUndefined();
    await sync(server, a);
    expect(a.closeCodes).toEqual([]);
  });

  it('on a password change: the other sessions’ sockets close, the changer’s stays', async () => {
    const mine = await server.persona('paula');
    const other = await login('paula');
    const a = track(await connect(server, mine));
    const b = track(await connect(server, other));
    await mine.client.updateUserPassword(mine.user.id, PASSWORD, 'another good password');
    expect(await b.waitForClose()).toBe(4401);
    await sync(server, a);
    expect(a.closeCodes).toEqual([]);
  });

  it('on deactivation by an admin', async () => {
    const dave = await server.persona('dave');
    const s = track(await connect(server, dave));
    await admin.client.updateUserActive(dave.user.id, false);
    expect(await s.waitForClose()).toBe(4401);
  });

  it('on revoking all of a user’s sessions', async () => {
    const erin = await server.persona('erin');
    const s = track(await connect(server, erin, { auth: 'header' }));
    await admin.client.revokeAllSessionsForUser(erin.user.id);
    expect(await s.waitForClose()).toBe(4401);
  });

  it('when the session disappears without a message (expired, or ended on another node)', async () => {
    const fay = await server.persona('fay');
    const s = track(await connect(server, fay));
    await server.db.handle.db.deleteFrom('sessions').where('user_id', '=', fay.user.id).execute();
    server.built.realtime.configure({ sessionCheckMs: 50 });
    expect(await s.waitForClose()).toBe(4401);
  });

  it('a closed session’s socket cannot come back', async () => {
    await server.persona('gus');
    const other = await login('gus');
    const s = track(await connect(server, other));
    server.built.realtime.configure({ authTimeoutMs: 100 });
    await other.client.logout();
    expect(await s.waitForClose()).toBe(4401);
    // The client reconnects on its own; its token no longer authenticates, so no hello comes and the
    // socket is closed again for not authenticating.
    expect(await s.waitForClose(2)).toBe(1008);
    expect(s.named('hello')).toHaveLength(1);
    expect(server.built.realtime.hub.connectionState(s.connectionId)).toBeUndefined();
  });
});
