/**
 * The hub's fan-out costs: presence coalesced per recipient (one write per socket per window, the
 * latest status of each user only, no presence through channels above the size cap) and channel
 * members kept in memory, right after every kind of membership change.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { UserStatus } from '@mattermost/types/users';
import { Connection } from '../../src/realtime/connection.js';
import type { EncodedEvent } from '../../src/realtime/frames.js';
import { defaultLimits } from '../../src/realtime/limits.js';
import { createFixture, type Fixture } from '../helpers/fixtures.js';
import { getTestServer, type Persona, type TestServer } from '../helpers/server.js';
import {
  connect,
  expectContiguousSeqs,
  silenceClientLogs,
  sync,
  until,
  type Msg,
  type TestSocket,
} from '../helpers/ws.js';

let server: TestServer;
let f: Fixture;
const open: TestSocket[] = [];
const track = (s: TestSocket): TestSocket => {
  open.push(s);
  return s;
};

beforeAll(async () => {
  silenceClientLogs();
  server = await getTestServer();
  f = await createFixture(server);
});
afterEach(async () => {
  vi.restoreAllMocks();
  silenceClientLogs();
  for (const s of open.splice(0)) s.close();
  const { realtime, services } = server.built;
  await until(() => realtime.hub.attachedCount === 0, 'sockets to close');
  realtime.configure(defaultLimits(server.config.presenceAwayMs));
  for (const p of [f.alice, f.bob, f.carol, f.mallory]) {
    await p.client.updateStatus({ user_id: p.user.id, status: 'online' } as UserStatus);
  }
  await services.presence.shutdown();
  await services.presence.resetOnStart();
});
afterAll(() => server.close());

const statusOf = (userId: string) => (m: Msg) => m.event === 'status_change' && m.data.user_id === userId;
const statusesOf = (s: TestSocket, userId: string, from = 0) =>
  s.events
    .slice(from)
    .filter(statusOf(userId))
    .map((m) => m.data.status);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('presence is coalesced', () => {
  it('online then away within one window reaches a sharer as one status_change: away', async () => {
    server.built.realtime.configure({ presenceBatchMs: 1_500 });
    const bob = track(await connect(server, f.bob));
    await bob.waitFor(statusOf(f.bob.user.id));
    const from = bob.events.length;
    const alice = track(await connect(server, f.alice));
    expect((await alice.request('user_update_active_status', { user_is_active: false })).status).toBe('OK');
    await until(
      async () => (await f.bob.client.getStatus(f.alice.user.id)).status === 'away',
      'alice away in the database',
    );
    await bob.waitFor(statusOf(f.alice.user.id), from);
    // Nothing more is coming for her: past another window, still one.
    await wait(1_700);
    await sync(server, bob);
    expect(statusesOf(bob, f.alice.user.id, from)).toEqual(['away']);
    expectContiguousSeqs(bob);
  });

  it('K members of one channel connecting cost each socket one presence write per window', async () => {
    server.built.realtime.configure({ presenceBatchMs: 1_000 });
    const k = 12;
    const people: Persona[] = [];
    for (let i = 0; i < k; i++) {
      const p = await server.persona(`crowd${i}`);
      await f.admin.client.addToTeam(f.team.id, p.user.id);
      people.push(p);
    }
    const ids = new Set(people.map((p) => p.user.id));
    const writes = new Map<Connection, number>();
    const count = (conn: Connection, evs: readonly EncodedEvent[]) => {
      if (!ids.has(conn.userId)) return;
      if (evs.some((e) => e.name === 'status_change')) writes.set(conn, (writes.get(conn) ?? 0) + 1);
    };
    const deliver = Connection.prototype.deliver;
    const deliverDroppable = Connection.prototype.deliverDroppable;
    vi.spyOn(Connection.prototype, 'deliver').mockImplementation(function (this: Connection, ev) {
      count(this, [ev]);
      return deliver.call(this, ev);
    });
    vi.spyOn(Connection.prototype, 'deliverDroppable').mockImplementation(function (this: Connection, evs) {
      count(this, evs);
      return deliverDroppable.call(this, evs);
    });

    const sockets = await Promise.all(people.map(async (p) => track(await connect(server, p))));
    // Each hears every one of them online (town square), itself included.
    for (const s of sockets) {
      await until(
        () => [...ids].every((id) => statusesOf(s, id).includes('online')),
        'every status at every socket',
      );
    }
    await wait(1_200);
    await sync(server, ...sockets);
    for (const s of sockets) {
      for (const id of ids) expect(statusesOf(s, id)).toEqual(['online']);
      expectContiguousSeqs(s);
    }
    // Connecting took at most a few windows; one write each (uncoalesced it was up to k per socket).
    expect(writes.size).toBe(k);
    for (const n of writes.values()) expect(n).toBeLessThanOrEqual(3);
  });

  it('channels above presenceMaxChannelMembers carry no presence; smaller shared channels do', async () => {
    // Town square and off-topic have 5 members, the private channel 3 (alice, bob, carol).
    server.built.realtime.configure({ presenceBatchMs: 20, presenceMaxChannelMembers: 3 });
    const bob = track(await connect(server, f.bob));
    const mallory = track(await connect(server, f.mallory));
    const fromBob = bob.events.length;
    const fromMallory = mallory.events.length;
    const alice = track(await connect(server, f.alice));
    await bob.waitFor(statusOf(f.alice.user.id), fromBob);
    await alice.waitFor(statusOf(f.alice.user.id));
    await wait(100);
    await sync(server, mallory);
    expect(statusesOf(mallory, f.alice.user.id, fromMallory)).toEqual([]);

    // The control: with the cap above the team's size, mallory hears alice go away.
    server.built.realtime.configure({ presenceMaxChannelMembers: 500 });
    await alice.request('user_update_active_status', { user_is_active: false });
    await mallory.waitFor(statusOf(f.alice.user.id), fromMallory);
    expect(statusesOf(mallory, f.alice.user.id, fromMallory)).toEqual(['away']);
  });
});

describe('channel members kept in memory', () => {
  const cached = (channelId: string) => {
    const set = server.built.realtime.hub.cachedMembers(channelId);
    return set ? [...set].sort() : undefined;
  };
  const members = async (channelId: string) =>
    (await f.admin.client.getChannelMembers(channelId, 0, 200)).map((m) => m.user_id).sort();

  /** Posts (which loads the cache), then checks the cache and who received the post. */
  async function postAndCheck(channelId: string, sockets: TestSocket[], expected: boolean[]) {
    const from = sockets.map((s) => s.events.length);
    const post = await f.admin.client.createPost({ channel_id: channelId, message: 'check' } as Post);
    await sync(server, ...sockets);
    expect(cached(channelId)).toEqual(await members(channelId));
    const got = sockets.map((s, i) =>
      s.events.slice(from[i]).some((m) => m.event === 'posted' && String(m.data.post).includes(post.id)),
    );
    expect(got).toEqual(expected);
  }

  it('stays right after add, remove, leave, team leave, archive and restore', async () => {
    const ch = await f.admin.client.createChannel({
      team_id: f.team.id,
      name: 'cache-check',
      display_name: 'Cache check',
      type: 'P',
    } as Channel);
    await f.admin.client.addToChannel(f.bob.user.id, ch.id);
    const bob = track(await connect(server, f.bob));
    const carol = track(await connect(server, f.carol));
    const sockets = [bob, carol];
    await postAndCheck(ch.id, sockets, [true, false]);

    await f.admin.client.addToChannel(f.carol.user.id, ch.id);
    await postAndCheck(ch.id, sockets, [true, true]);

    await f.admin.client.removeFromChannel(f.bob.user.id, ch.id);
    await postAndCheck(ch.id, sockets, [false, true]);

    await f.carol.client.removeFromChannel(f.carol.user.id, ch.id); // leave
    await postAndCheck(ch.id, sockets, [false, false]);

    await f.admin.client.addToChannel(f.bob.user.id, ch.id);
    await f.admin.client.addToChannel(f.carol.user.id, ch.id);
    await postAndCheck(ch.id, sockets, [true, true]);

    // Leaving the team takes carol out of the team's channels.
    await f.carol.client.removeFromTeam(f.team.id, f.carol.user.id);
    await postAndCheck(ch.id, sockets, [true, false]);
    await f.admin.client.addToTeam(f.team.id, f.carol.user.id);

    // Archived channels keep their members (and take no posts): the cache still matches.
    await f.admin.client.deleteChannel(ch.id);
    const archived = await until(() => (cached(ch.id) ? true : undefined), 'cache kept').then(() =>
      cached(ch.id),
    );
    expect(archived).toEqual(await members(ch.id));
    await f.admin.client.unarchiveChannel(ch.id);
    await postAndCheck(ch.id, sockets, [true, false]);
  });

  it('the channel’s cached connections follow sockets that connect and connections that end', async () => {
    const dora = await server.persona('dora');
    await f.admin.client.addToTeam(f.team.id, dora.user.id);
    const ch = await f.admin.client.createChannel({
      team_id: f.team.id,
      name: 'cache-conns',
      display_name: 'Cache conns',
      type: 'P',
    } as Channel);
    await f.admin.client.addToChannel(f.bob.user.id, ch.id);
    await f.admin.client.addToChannel(dora.user.id, ch.id);
    const bob = track(await connect(server, f.bob));
    // The first post builds the channel's list of connections: dora has none yet.
    await postAndCheck(ch.id, [bob], [true]);
    const d1 = track(await connect(server, dora));
    const d2 = track(await connect(server, dora));
    await postAndCheck(ch.id, [bob, d1, d2], [true, true, true]);
    const hub = server.built.realtime.hub;
    const doraIds = [d1.connectionId, d2.connectionId];
    expect(doraIds.map((id) => hub.connectionState(id))).toEqual(['attached', 'attached']);
    // Connections ended for good (the session revoked) leave the list; bob's stays.
    await dora.client.logout();
    await Promise.all([d1.waitForClose(), d2.waitForClose()]);
    d1.close();
    d2.close();
    await until(
      () => doraIds.every((id) => hub.connectionState(id) === undefined),
      'dora’s connections to end',
    );
    await postAndCheck(ch.id, [bob], [true]);
    expect(hub.connectionState(bob.connectionId)).toBe('attached');
    expectContiguousSeqs(bob);
  });

  it('a public channel’s joiner hears their own join and what follows; a channel is loaded once', async () => {
    const ch = await f.admin.client.createChannel({
      team_id: f.team.id,
      name: 'cache-public',
      display_name: 'Cache public',
      type: 'O',
    } as Channel);
    const mallory = track(await connect(server, f.mallory));
    const bob = track(await connect(server, f.bob));
    await postAndCheck(ch.id, [mallory, bob], [false, false]);
    const loads = vi.spyOn(server.built.services.deps.store.channels, 'memberIds');
    const from = mallory.events.length;
    await f.mallory.client.addToChannel(f.mallory.user.id, ch.id);
    await mallory.waitFor((m) => m.event === 'user_added' && m.broadcast.channel_id === ch.id, from);
    await postAndCheck(ch.id, [mallory, bob], [true, false]);
    await postAndCheck(ch.id, [mallory, bob], [true, false]);
    await postAndCheck(ch.id, [mallory, bob], [true, false]);
    // Once after the join, then from memory (no query per event).
    expect(loads.mock.calls.filter(([id]) => id === ch.id).length).toBe(1);
  });
});
