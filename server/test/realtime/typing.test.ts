import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultLimits } from '../../src/realtime/limits.js';
import { getTestServer, type TestServer } from '../helpers/server.js';
import { createFixture, UNKNOWN_ID, type Fixture } from '../helpers/fixtures.js';
import { connect, silenceClientLogs, sync, type TestSocket } from '../helpers/ws.js';

let server: TestServer;
let f: Fixture;
let alice: TestSocket;
let bob: TestSocket;
let carol: TestSocket;
let mallory: TestSocket;

beforeAll(async () => {
  silenceClientLogs();
  server = await getTestServer();
  f = await createFixture(server);
  alice = await connect(server, f.alice);
  bob = await connect(server, f.bob);
  carol = await connect(server, f.carol);
  mallory = await connect(server, f.mallory);
});
afterEach(() => server.built.realtime.configure(defaultLimits(server.config.presenceAwayMs)));
afterAll(async () => {
  for (const s of [alice, bob, carol, mallory]) s.close();
  await server.close();
});

const typingIn = (s: TestSocket, channelId: string) =>
  s.named('typing').filter((m) => m.broadcast.channel_id === channelId);

describe('typing', () => {
  it('reaches the private channel’s other members, not the typist, not outsiders', async () => {
    const reply = await alice.request('user_typing', { channel_id: f.privateChannel.id, parent_id: '' });
    expect(reply.status).toBe('OK');
    const got = await bob.waitFor(
      (m) => m.event === 'typing' && m.broadcast.channel_id === f.privateChannel.id,
    );
    expect(got.data).toEqual({ user_id: f.alice.user.id, parent_id: '' });
    expect(got.broadcast.omit_users).toEqual({ [f.alice.user.id]: true });
    await sync(server, alice, carol, mallory);
    expect(typingIn(alice, f.privateChannel.id)).toEqual([]);
    expect(typingIn(carol, f.privateChannel.id)).toEqual([]);
    expect(typingIn(mallory, f.privateChannel.id)).toEqual([]);
  });

  it('carries the thread’s parent_id, and reaches group members', async () => {
    const parent = 'p'.repeat(26);
    await bob.request('user_typing', { channel_id: f.group.id, parent_id: parent });
    const got = await carol.waitFor((m) => m.event === 'typing' && m.broadcast.channel_id === f.group.id);
    expect(got.data).toEqual({ user_id: f.bob.user.id, parent_id: parent });
    const atAlice = await alice.waitFor((m) => m.event === 'typing' && m.broadcast.channel_id === f.group.id);
    expect(atAlice.data.user_id).toBe(f.bob.user.id);
    await sync(server, mallory);
    expect(typingIn(mallory, f.group.id)).toEqual([]);
  });

  it('refuses an outsider typing into a private channel exactly as into an unknown one', async () => {
    const intoPrivate = await mallory.request('user_typing', { channel_id: f.privateChannel.id });
    const intoUnknown = await mallory.request('user_typing', { channel_id: UNKNOWN_ID });
    const intoDirect = await mallory.request('user_typing', { channel_id: f.direct.id });
    expect(intoPrivate.status).toBe('FAIL');
    expect(intoPrivate.error).toEqual(intoUnknown.error);
    expect(intoDirect.error).toEqual(intoUnknown.error);
    await sync(server, alice, bob);
    expect(bob.named('typing').filter((m) => m.data.user_id === f.mallory.user.id)).toEqual([]);
    expect(alice.named('typing').filter((m) => m.data.user_id === f.mallory.user.id)).toEqual([]);
  });

  it('checks a socket’s typing against the user’s current roles, and tells the user of a change', async () => {
    server.built.realtime.configure({ typingThrottleMs: 0 });
    const erin = await server.persona('erin');
    await f.admin.client.addToTeam(f.team.id, erin.user.id);
    const s = await connect(server, erin);
    try {
      const typeIntoPrivate = () => s.request('user_typing', { channel_id: f.privateChannel.id });
      expect((await typeIntoPrivate()).status).toBe('FAIL');

      // A system admin may act in any channel: the open socket takes the new roles at once.
      await f.admin.client.updateUserRoles(erin.user.id, 'system_user system_admin');
      const promoted = await s.waitFor((m) => m.event === 'user_role_updated');
      expect(promoted.data).toEqual({ user_id: erin.user.id, roles: 'system_user system_admin' });
      expect((await typeIntoPrivate()).status).toBe('OK');
      await bob.waitFor((m) => m.event === 'typing' && m.data.user_id === erin.user.id);

      // Demoted, the same socket is refused again (it does not keep the roles it connected with).
      await f.admin.client.updateUserRoles(erin.user.id, 'system_user');
      await s.waitFor((m) => m.event === 'user_role_updated' && m.data.roles === 'system_user');
      expect((await typeIntoPrivate()).status).toBe('FAIL');
      await sync(server, alice, bob, carol, mallory);
      expect(bob.named('typing').filter((m) => m.data.user_id === erin.user.id)).toHaveLength(1);
      // Nobody else hears of erin's roles.
      for (const other of [alice, bob, carol, mallory]) expect(other.named('user_role_updated')).toEqual([]);
    } finally {
      s.close();
    }
  });

  it('reaches an outsider of private channels in a channel she is in', async () => {
    await alice.request('user_typing', { channel_id: f.townSquare.id, parent_id: '' });
    const got = await mallory.waitFor(
      (m) => m.event === 'typing' && m.broadcast.channel_id === f.townSquare.id,
    );
    expect(got.data.user_id).toBe(f.alice.user.id);
  });

  it('is throttled per user and channel', async () => {
    const before = typingIn(bob, f.publicChannel.id).length;
    for (let i = 0; i < 5; i++) {
      expect((await alice.request('user_typing', { channel_id: f.publicChannel.id })).status).toBe('OK');
    }
    // Another channel is not throttled by the first.
    await alice.request('user_typing', { channel_id: f.direct.id });
    await bob.waitFor((m) => m.event === 'typing' && m.broadcast.channel_id === f.direct.id);
    await sync(server, bob);
    expect(typingIn(bob, f.publicChannel.id).length - before).toBe(1);

    server.built.realtime.configure({ typingThrottleMs: 0 });
    await alice.request('user_typing', { channel_id: f.publicChannel.id });
    await sync(server, bob);
    expect(typingIn(bob, f.publicChannel.id).length - before).toBe(2);
  });

  it('never numbers typing into a gap', async () => {
    await sync(server, alice, bob, carol, mallory);
    for (const s of [alice, bob, carol, mallory]) {
      expect(s.events.map((e) => e.seq)).toEqual(s.events.map((_, i) => i));
    }
  });
});
