import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../src/realtime/events.js';
import { defaultLimits } from '../../src/realtime/limits.js';
import { getTestServer, type Persona, type TestServer } from '../helpers/server.js';
import {
  RawSocket,
  connect,
  expectContiguousSeqs,
  silenceClientLogs,
  until,
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
  server.built.realtime.configure(limits());
});
/** Presence is coalesced over a window; here it must not land at a random place among the tested seqs. */
const limits = () => ({ ...defaultLimits(server.config.presenceAwayMs), presenceBatchMs: 0 });
afterEach(() => {
  server.built.realtime.configure(limits());
});
afterAll(async () => {
  for (const s of open) s.close();
  await server.close();
});

/** Publishes a numbered test event to these users, as a service would after a commit. */
function bulk(userIds: string[], i: number, payload = ''): void {
  const event: ServerEvent = {
    event: 'parley_test_bulk',
    data: { i, payload },
    broadcast: { omit_users: null, user_id: '', channel_id: '', team_id: '' },
    audience: { kind: 'users', userIds },
  };
  server.built.bus.publish({ type: 'event', event });
}

const bulkNumbers = (s: { events: { event: string; data: Record<string, unknown> }[] }) =>
  s.events.filter((e) => e.event === 'parley_test_bulk').map((e) => e.data.i);

async function disconnect(s: TestSocket): Promise<string> {
  const id = s.connectionId;
  s.close();
  await until(() => server.built.realtime.hub.connectionState(id) === 'detached', 'the server to notice');
  return id;
}

describe('resume', () => {
  it('replays exactly the missed events, in order, on the same connection', async () => {
    const s = track(await connect(server, alice));
    const save = (name: string) =>
      alice.client.savePreferences(alice.user.id, [
        { user_id: alice.user.id, category: 'resume', name, value: name },
      ]);
    await save('before');
    await s.waitFor('preferences_changed');
    const id = await disconnect(s);

    await save('missed-1');
    await save('missed-2');
    await alice.client.patchMe({ nickname: 'missed-3' });
    s.open();
    await s.waitFor('user_updated');

    expect(s.named('hello')).toHaveLength(1);
    expect(s.connectionId).toBe(id);
    expect(s.missed).toBe(0);
    const names = s
      .named('preferences_changed')
      .map((e) => (JSON.parse(e.data.preferences as string) as { name: string }[])[0]!.name);
    expect(names).toEqual(['before', 'missed-1', 'missed-2']);
    // (Her own status_change to online came right after hello.)
    expect(s.received.filter((e) => e.event !== 'status_change').map((e) => e.event)).toEqual([
      'preferences_changed',
      'preferences_changed',
      'preferences_changed',
      'user_updated',
    ]);
    expectContiguousSeqs(s);
    expect(server.built.realtime.hub.connectionState(id)).toBe('attached');
  });

  it('keeps at least the last 1,000 events of a dropped connection', async () => {
    const s = track(await connect(server, alice));
    await disconnect(s);
    for (let i = 0; i < 1000; i++) bulk([alice.user.id], i);
    s.open();
    await s.waitFor((m) => m.event === 'parley_test_bulk' && m.data.i === 999);
    expect(bulkNumbers(s)).toEqual([...Array(1000).keys()]);
    expect(s.named('hello')).toHaveLength(1);
    expect(s.missed).toBe(0);
    expectContiguousSeqs(s);
  });

  it('beyond what it kept, starts a new connection_id so the client refetches', async () => {
    const s = track(await connect(server, alice));
    const id = await disconnect(s);
    for (let i = 0; i < 1001; i++) bulk([alice.user.id], i);
    s.open();
    await s.waitFor((m) => m.event === 'hello' && m.data.connection_id !== id);
    expect(s.missed).toBe(1);
    const hello = s.named('hello')[1]!;
    expect(hello.seq).toBe(0);
    expect(bulkNumbers(s)).toEqual([]);
    bulk([alice.user.id], 5000);
    await s.waitFor((m) => m.event === 'parley_test_bulk');
    expect(bulkNumbers(s)).toEqual([5000]);
    expectContiguousSeqs(s);
  });

  it('past the resume window, starts a new connection_id', async () => {
    server.built.realtime.configure({ resumeWindowMs: 100, sweepIntervalMs: 20 });
    const s = track(await connect(server, alice));
    const id = await disconnect(s);
    bulk([alice.user.id], 1);
    await until(() => server.built.realtime.hub.connectionState(id) === undefined, 'the window to pass');
    s.open();
    await s.waitFor((m) => m.event === 'hello' && m.data.connection_id !== id);
    expect(s.missed).toBe(1);
    expect(bulkNumbers(s)).toEqual([]);
  });

  it('never resumes another user’s connection', async () => {
    const s = track(await connect(server, alice));
    const id = await disconnect(s);
    bulk([alice.user.id], 7);
    const raw = track(
      RawSocket.open(`${wsUrl(server)}?connection_id=${id}&sequence_number=1`, {
        Authorization: `Bearer ${bob.token}`,
      }),
    );
    const hello = await raw.waitFor((m) => m.event === 'hello');
    expect((hello.data as { connection_id: string }).connection_id).not.toBe(id);
    expect(raw.messages.some((m) => m.event === 'parley_test_bulk')).toBe(false);
    // Alice can still resume hers.
    s.open();
    await s.waitFor('parley_test_bulk');
    expect(s.connectionId).toBe(id);
  });

  it('a socket resuming a connection that is still attached takes it over', async () => {
    const first = track(RawSocket.open(wsUrl(server), { Authorization: `Bearer ${alice.token}` }));
    const hello = await first.waitFor((m) => m.event === 'hello');
    const id = (hello.data as { connection_id: string }).connection_id;
    bulk([alice.user.id], 1);
    await first.waitFor((m) => m.event === 'parley_test_bulk');
    // The client lost the event with seq 1 (as far as it knows) and comes back asking for it.
    const second = track(
      RawSocket.open(`${wsUrl(server)}?connection_id=${id}&sequence_number=1`, {
        Authorization: `Bearer ${alice.token}`,
      }),
    );
    const replayed = await second.waitFor((m) => m.event === 'parley_test_bulk');
    expect(replayed.seq).toBe(1);
    expect(second.messages.some((m) => m.event === 'hello')).toBe(false);
    expect(await first.closed).toBe(4002);
    bulk([alice.user.id], 2);
    const next = await second.waitFor(
      (m) => m.event === 'parley_test_bulk' && (m.data as { i: number }).i === 2,
    );
    expect(next.seq).toBe(2);
  });
});

describe('slow consumers', () => {
  it('cuts a socket that stopped reading, keeps the others flowing, and lets it resume', async () => {
    server.built.realtime.configure({ softBufferBytes: 64 * 1024, hardBufferBytes: 512 * 1024 });
    const slow = track(RawSocket.open(wsUrl(server), { Authorization: `Bearer ${bob.token}` }));
    const slowHello = await slow.waitFor((m) => m.event === 'hello');
    const slowId = (slowHello.data as { connection_id: string }).connection_id;
    const fastBob = track(await connect(server, bob));
    const fastAlice = track(await connect(server, alice));
    slow.ws.pause();

    const payload = 'x'.repeat(256 * 1024);
    let sent = 0;
    while (server.built.realtime.hub.connectionState(slowId) === 'attached') {
      if (sent >= 400) throw new Error('the stalled socket was never cut');
      for (let k = 0; k < 10; k++) bulk([alice.user.id, bob.user.id], sent++, payload);
      await fastBob.waitFor((m) => m.event === 'parley_test_bulk' && m.data.i === sent - 1);
    }
    for (let k = 0; k < 3; k++) bulk([alice.user.id, bob.user.id], sent++, payload);
    const all = [...Array(sent).keys()];
    await fastAlice.waitFor((m) => m.event === 'parley_test_bulk' && m.data.i === sent - 1);
    await fastBob.waitFor((m) => m.event === 'parley_test_bulk' && m.data.i === sent - 1);
    expect(bulkNumbers(fastAlice)).toEqual(all);
    expect(bulkNumbers(fastBob)).toEqual(all);
    expectContiguousSeqs(fastBob);

    slow.ws.resume();
    expect(await slow.closed).toBe(4008);
    const got = slow.messages.filter((m) => m.event === 'parley_test_bulk');
    expect(got.length).toBeLessThan(sent);
    expect(got.map((m) => (m.data as { i: number }).i)).toEqual(all.slice(0, got.length));

    // It comes back asking for what it missed and gets exactly that.
    const nextSeq = (slow.messages[slow.messages.length - 1]!.seq as number) + 1;
    const back = track(
      RawSocket.open(`${wsUrl(server)}?connection_id=${slowId}&sequence_number=${nextSeq}`, {
        Authorization: `Bearer ${bob.token}`,
      }),
    );
    await back.waitFor((m) => m.event === 'parley_test_bulk' && (m.data as { i: number }).i === sent - 1);
    expect(back.messages.some((m) => m.event === 'hello')).toBe(false);
    const rest = back.messages.filter((m) => m.event === 'parley_test_bulk');
    expect(rest.map((m) => (m.data as { i: number }).i)).toEqual(all.slice(got.length));
    expect(rest[0]!.seq).toBe(nextSeq);
  });
});
