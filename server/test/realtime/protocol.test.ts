import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTestServer, type Persona, type TestServer } from '../helpers/server.js';
import {
  RawSocket,
  connect,
  expectContiguousSeqs,
  silenceClientLogs,
  sync,
  wsUrl,
  type TestSocket,
} from '../helpers/ws.js';

let server: TestServer;
let alice: Persona;
let bob: Persona;
const open: (TestSocket | RawSocket)[] = [];
const track = <T extends TestSocket | RawSocket>(s: T): T => {
  open.push(s);
  return s;
};

beforeAll(async () => {
  silenceClientLogs();
  server = await getTestServer();
  alice = await server.persona('alice');
  bob = await server.persona('bob');
});
afterAll(async () => {
  for (const s of open) s.close();
  await server.close();
});

describe('connecting', () => {
  it('sends hello first with seq 0, a 26-character connection_id and the server version', async () => {
    const s = track(await connect(server, alice));
    const hello = s.events[0]!;
    expect(hello.event).toBe('hello');
    expect(hello.seq).toBe(0);
    expect(hello.data.connection_id).toMatch(/^[a-z0-9]{26}$/);
    expect(hello.data.server_version).toMatch(/^\d+\.\d+\.\d+\.0\.[0-9a-f]{8}\.false$/);
    expect(hello.broadcast.user_id).toBe(alice.user.id);
  });

  it('gives every connection its own connection_id', async () => {
    const a = track(await connect(server, alice));
    const b = track(await connect(server, alice));
    expect(a.connectionId).not.toBe(b.connectionId);
  });

  it('numbers events without gaps on each connection', async () => {
    const s = track(await connect(server, alice));
    for (let i = 0; i < 5; i++) {
      await alice.client.savePreferences(alice.user.id, [
        { user_id: alice.user.id, category: 'seq_test', name: `n${i}`, value: String(i) },
      ]);
    }
    await sync(server, s);
    expect(s.named('preferences_changed')).toHaveLength(5);
    expectContiguousSeqs(s);
    expect(s.events.map((e) => e.seq)).toEqual(s.events.map((_, i) => i));
  });

  it('authenticates by the Authorization header on the upgrade', async () => {
    const s = track(await connect(server, bob, { auth: 'header' }));
    expect(s.events[0]!.event).toBe('hello');
    expect(s.events[0]!.broadcast.user_id).toBe(bob.user.id);
  });

  it('authenticates by the session cookie from the same origin, or without an Origin', async () => {
    const sameOrigin = track(await connect(server, bob, { auth: 'cookie', headers: { Origin: server.url } }));
    expect(sameOrigin.events[0]!.broadcast.user_id).toBe(bob.user.id);
    const noOrigin = track(await connect(server, bob, { auth: 'cookie' }));
    expect(noOrigin.events[0]!.event).toBe('hello');
  });

  it('refuses a cookie-authenticated upgrade from a foreign Origin', async () => {
    for (const origin of ['https://evil.example', 'null', `http://127.0.0.1.evil.example`]) {
      const raw = track(
        RawSocket.open(wsUrl(server), { Cookie: `MMAUTHTOKEN=${bob.token}`, Origin: origin }),
      );
      await expect(raw.opened).rejects.toThrow('HTTP 403');
    }
  });

  it('authenticates by the authentication_challenge action and answers it with seq_reply', async () => {
    const raw = track(RawSocket.open(wsUrl(server)));
    await raw.opened;
    raw.send({ seq: 1, action: 'authentication_challenge', data: { token: alice.token } });
    const reply = await raw.waitFor((m) => m.seq_reply === 1);
    expect(reply.status).toBe('OK');
    const hello = await raw.waitFor((m) => m.event === 'hello');
    expect(hello.seq).toBe(0);
  });

  it('answers a wrong challenge with FAIL and stays unauthenticated', async () => {
    const raw = track(RawSocket.open(wsUrl(server)));
    await raw.opened;
    raw.send({ seq: 1, action: 'authentication_challenge', data: { token: 'x'.repeat(26) } });
    raw.send({ seq: 2, action: 'authentication_challenge', data: { token: { $ne: null } } });
    raw.send({ seq: 3, action: 'ping' });
    expect((await raw.waitFor((m) => m.seq_reply === 1)).status).toBe('FAIL');
    expect((await raw.waitFor((m) => m.seq_reply === 2)).status).toBe('FAIL');
    const ping = await raw.waitFor((m) => m.seq_reply === 3);
    expect(ping.status).toBe('FAIL');
    expect((ping.error as { id: string }).id).toBe('api.web_socket_router.not_authenticated.app_error');
    expect(raw.messages.some((m) => m.event === 'hello')).toBe(false);
  });

  it('closes a socket that does not authenticate in time', async () => {
    server.built.realtime.configure({ authTimeoutMs: 200 });
    try {
      const raw = track(RawSocket.open(wsUrl(server)));
      await raw.opened;
      expect(await raw.closed).toBe(1008);
      expect(raw.messages).toEqual([]);
    } finally {
      server.built.realtime.configure({ authTimeoutMs: 5_000 });
    }
  });

  it('accepts a trailing slash and refuses other paths', async () => {
    const slash = track(RawSocket.open(wsUrl(server) + '/', { Authorization: `Bearer ${alice.token}` }));
    await slash.waitFor((m) => m.event === 'hello');
    const other = track(RawSocket.open(server.url.replace('http', 'ws') + '/api/v4/websockets'));
    await expect(other.opened).rejects.toThrow('HTTP 404');
  });

  it('ignores a malformed resume request and starts a fresh connection', async () => {
    const raw = track(
      RawSocket.open(`${wsUrl(server)}?connection_id=nonsense&sequence_number=-4`, {
        Authorization: `Bearer ${alice.token}`,
      }),
    );
    const hello = await raw.waitFor((m) => m.event === 'hello');
    expect(hello.seq).toBe(0);
  });
});

describe('liveness', () => {
  it('drops a socket that stops answering server pings, keeping its connection resumable', async () => {
    const mute = track(
      RawSocket.open(wsUrl(server), { Authorization: `Bearer ${alice.token}` }, { autoPong: false }),
    );
    const hello = await mute.waitFor((m) => m.event === 'hello');
    const id = (hello.data as { connection_id: string }).connection_id;
    const lively = track(await connect(server, bob));
    server.built.realtime.configure({ pingIntervalMs: 50 });
    try {
      expect(await mute.closed).toBe(1006);
      expect(server.built.realtime.hub.connectionState(id)).toBe('detached');
      // A socket that answers pings is left alone.
      await sync(server, lively);
      expect(lively.closeCodes).toEqual([]);
      expect(server.built.realtime.hub.connectionState(lively.connectionId)).toBe('attached');
    } finally {
      server.built.realtime.configure({ pingIntervalMs: 30_000 });
    }
  });
});

describe('actions', () => {
  it('answers ping with pong, the version, the server time and the node id', async () => {
    const s = track(await connect(server, alice));
    const before = Date.now();
    const reply = await s.request('ping', undefined);
    expect(reply.status).toBe('OK');
    const data = reply.data as Record<string, unknown>;
    expect(data.text).toBe('pong');
    expect(data.version).toBe(server.config.version);
    expect(data.node_id).toBe(server.built.realtime.hub.nodeId);
    expect(data.server_time).toBeGreaterThanOrEqual(before - 1000);
  });

  it('answers unknown actions and bad parameters with FAIL, not a closed socket', async () => {
    const s = track(await connect(server, alice));
    const unknown = await s.request('make_coffee', {});
    expect(unknown.status).toBe('FAIL');
    expect(unknown.error?.id).toBe('api.web_socket_router.bad_action.app_error');
    for (const bad of [{}, { user_ids: 'x' }, { user_ids: [{ $ne: null }] }, null]) {
      const r = await s.request('get_statuses_by_ids', bad);
      expect(r.status).toBe('FAIL');
    }
    const typing = await s.request('user_typing', { channel_id: 42 });
    expect(typing.status).toBe('FAIL');
    const ok = await s.request('ping', undefined);
    expect(ok.status).toBe('OK');
  });

  it('closes a socket that sends something other than JSON text', async () => {
    const raw = track(RawSocket.open(wsUrl(server), { Authorization: `Bearer ${alice.token}` }));
    await raw.waitFor((m) => m.event === 'hello');
    raw.send('{not json');
    expect(await raw.closed).toBe(1003);
  });

  it('closes a socket that floods the server', async () => {
    server.built.realtime.configure({ maxMessagesPer10s: 20 });
    try {
      const raw = track(RawSocket.open(wsUrl(server), { Authorization: `Bearer ${alice.token}` }));
      await raw.waitFor((m) => m.event === 'hello');
      for (let i = 1; i <= 50; i++) raw.send({ seq: i, action: 'ping' });
      expect(await raw.closed).toBe(1008);
    } finally {
      server.built.realtime.configure({ maxMessagesPer10s: 300 });
    }
  });
});
