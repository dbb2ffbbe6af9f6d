import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UserStatus } from '@mattermost/types/users';
import { ConfigError, loadConfig } from '../../src/config.js';
import { defaultLimits } from '../../src/realtime/limits.js';
import { getTestServer, expectError, type TestServer } from '../helpers/server.js';
import { createFixture, rawApi, UNKNOWN_ID, type Fixture } from '../helpers/fixtures.js';
import { connect, silenceClientLogs, sync, until, type Msg, type TestSocket } from '../helpers/ws.js';

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
  // Mallory stays off the team: she shares no channel with anyone, the stranger of these tests.
  f = await createFixture(server, { malloryOnTeam: false });
});
afterEach(async () => {
  for (const s of open.splice(0)) s.close();
  const { realtime, services } = server.built;
  await until(() => realtime.hub.attachedCount === 0, 'sockets to close');
  realtime.configure(defaultLimits(server.config.presenceAwayMs));
  // Everyone back to automatic offline, with no presence work left over for the next test.
  for (const p of [f.alice, f.bob, f.carol, f.mallory]) {
    await p.client.updateStatus({ user_id: p.user.id, status: 'online' } as UserStatus);
  }
  await services.presence.shutdown();
  await services.presence.resetOnStart();
});
afterAll(() => server.close());

const statusOf = (userId: string) => (m: Msg) => m.event === 'status_change' && m.data.user_id === userId;
const statusesOf = (s: TestSocket, userId: string) =>
  s.events.filter(statusOf(userId)).map((m) => m.data.status);

/** Fast presence: quick sweeps, a short grace and a short idle time, and a short coalescing window. */
function fastPresence(awayAfterMs = 60_000) {
  server.built.realtime.configure({
    sweepIntervalMs: 20,
    offlineGraceMs: 100,
    awayAfterMs,
    presenceBatchMs: 10,
  });
}

describe('automatic presence', () => {
  it('a connecting user is online, announced to channel-sharers but not to strangers', async () => {
    const bob = track(await connect(server, f.bob));
    const mallory = track(await connect(server, f.mallory));
    const from = bob.events.length;
    track(await connect(server, f.alice));
    const change = await bob.waitFor(statusOf(f.alice.user.id), from);
    expect(change.data).toEqual({ status: 'online', user_id: f.alice.user.id });
    await sync(server, mallory);
    expect(mallory.events.filter(statusOf(f.alice.user.id))).toEqual([]);
    const rest = await f.bob.client.getStatus(f.alice.user.id);
    expect(rest).toMatchObject({ user_id: f.alice.user.id, status: 'online', manual: false });
  });

  it('the user hears their own status changes', async () => {
    const alice = track(await connect(server, f.alice));
    const change = await alice.waitFor(statusOf(f.alice.user.id));
    expect(change.data.status).toBe('online');
  });

  it('goes offline a grace period after the last socket closes, not while another is open', async () => {
    fastPresence();
    const bob = track(await connect(server, f.bob));
    const a1 = await connect(server, f.alice);
    const a2 = await connect(server, f.alice);
    await bob.waitFor(statusOf(f.alice.user.id));
    a1.close();
    // Well past the grace period: still online, a2 is open.
    await new Promise((r) => setTimeout(r, 300));
    await sync(server, bob);
    expect(statusesOf(bob, f.alice.user.id)).toEqual(['online']);
    a2.close();
    await bob.waitFor((m) => statusOf(f.alice.user.id)(m) && m.data.status === 'offline');
    expect((await f.bob.client.getStatus(f.alice.user.id)).status).toBe('offline');
  });

  it('a reconnect within the grace period does not flicker offline', async () => {
    server.built.realtime.configure({ sweepIntervalMs: 20, offlineGraceMs: 1_000, presenceBatchMs: 10 });
    const bob = track(await connect(server, f.bob));
    const a1 = await connect(server, f.alice);
    await bob.waitFor(statusOf(f.alice.user.id));
    a1.close();
    track(await connect(server, f.alice));
    await new Promise((r) => setTimeout(r, 1_200));
    await sync(server, bob);
    expect(statusesOf(bob, f.alice.user.id)).toEqual(['online']);
  });

  it('becomes away when idle and online again on activity', async () => {
    fastPresence(200);
    const bob = track(await connect(server, f.bob));
    const alice = track(await connect(server, f.alice));
    await bob.waitFor((m) => statusOf(f.alice.user.id)(m) && m.data.status === 'away');
    expect((await f.bob.client.getStatus(f.alice.user.id)).status).toBe('away');
    const from = bob.events.length;
    expect(
      (await alice.request('user_update_active_status', { user_is_active: true, manual: false })).status,
    ).toBe('OK');
    await bob.waitFor((m) => statusOf(f.alice.user.id)(m) && m.data.status === 'online', from);
  });

  it('a client reporting its user inactive makes them away at once', async () => {
    const bob = track(await connect(server, f.bob));
    const alice = track(await connect(server, f.alice));
    await bob.waitFor(statusOf(f.alice.user.id));
    await alice.request('user_update_active_status', { user_is_active: false, manual: false });
    await bob.waitFor((m) => statusOf(f.alice.user.id)(m) && m.data.status === 'away');
  });
});

describe('manual statuses', () => {
  it('dnd is announced, survives idling, closing and reconnecting, until the user picks online', async () => {
    const bob = track(await connect(server, f.bob));
    const a1 = await connect(server, f.alice);
    await bob.waitFor(statusOf(f.alice.user.id));
    const set = await f.alice.client.updateStatus({ user_id: f.alice.user.id, status: 'dnd' } as UserStatus);
    expect(set).toMatchObject({ user_id: f.alice.user.id, status: 'dnd', manual: true });
    await bob.waitFor((m) => statusOf(f.alice.user.id)(m) && m.data.status === 'dnd');
    // From now on idling and disconnecting happen fast; none of it may override dnd.
    fastPresence(100);

    a1.close();
    await new Promise((r) => setTimeout(r, 300)); // past idle time and grace period
    const a2 = track(await connect(server, f.alice));
    await new Promise((r) => setTimeout(r, 300));
    await sync(server, bob, a2);
    expect(statusesOf(bob, f.alice.user.id)).toEqual(['online', 'dnd']);
    expect(await f.bob.client.getStatus(f.alice.user.id)).toMatchObject({ status: 'dnd', manual: true });

    const from = bob.events.length;
    await f.alice.client.updateStatus({ user_id: f.alice.user.id, status: 'online' } as UserStatus);
    await bob.waitFor((m) => statusOf(f.alice.user.id)(m) && m.data.status === 'online', from);
    expect(await f.bob.client.getStatus(f.alice.user.id)).toMatchObject({ status: 'online', manual: false });
  });

  it('a manual status survives a restart; automatic ones are reset', async () => {
    track(await connect(server, f.alice));
    track(await connect(server, f.bob));
    await until(
      async () => (await f.alice.client.getStatus(f.bob.user.id)).status === 'online',
      'bob online',
    );
    await f.alice.client.updateStatus({ user_id: f.alice.user.id, status: 'dnd' } as UserStatus);
    await server.built.services.presence.resetOnStart();
    const statuses = await f.carol.client.getStatusesByIds([f.alice.user.id, f.bob.user.id]);
    expect(statuses.map((s) => [s.user_id, s.status])).toEqual([
      [f.alice.user.id, 'dnd'],
      [f.bob.user.id, 'offline'],
    ]);
  });

  it('refuses to set another user’s status, and bad values, without changing anything', async () => {
    const other = await expectError(() =>
      f.bob.client.updateStatus({ user_id: f.alice.user.id, status: 'offline' } as UserStatus),
    );
    expect(other.status_code).toBe(403);
    for (const body of [
      { user_id: f.alice.user.id, status: 'busy' },
      { user_id: f.alice.user.id, status: { $ne: null } },
      { user_id: f.bob.user.id, status: 'dnd' },
      { user_id: f.alice.user.id },
      ['dnd'],
    ]) {
      const r = await rawApi(server, f.alice, 'PUT', `/users/${f.alice.user.id}/status`, body);
      expect(r.status).toBe(400);
    }
    const unknown = await rawApi(server, f.admin, 'PUT', `/users/${UNKNOWN_ID}/status`, {
      user_id: UNKNOWN_ID,
      status: 'dnd',
    });
    expect(unknown.status).toBe(404);
    expect((await f.bob.client.getStatus(f.alice.user.id)).status).toBe('offline');
  });

  it('lets an admin set someone’s status', async () => {
    const s = await f.admin.client.updateStatus({ user_id: f.carol.user.id, status: 'away' } as UserStatus);
    expect(s).toMatchObject({ user_id: f.carol.user.id, status: 'away', manual: true });
  });
});

describe('reading statuses', () => {
  it('answers POST /users/status/ids in order, unknown users offline, bad bodies 400', async () => {
    track(await connect(server, f.alice));
    await until(async () => (await f.bob.client.getStatus(f.alice.user.id)).status === 'online', 'online');
    const list = await f.bob.client.getStatusesByIds([f.alice.user.id, UNKNOWN_ID, f.carol.user.id]);
    expect(list.map((s) => [s.user_id, s.status])).toEqual([
      [f.alice.user.id, 'online'],
      [UNKNOWN_ID, 'offline'],
      [f.carol.user.id, 'offline'],
    ]);
    for (const body of [{}, 'x', [42], [{ $ne: null }]]) {
      expect((await rawApi(server, f.bob, 'POST', '/users/status/ids', body)).status).toBe(400);
    }
    expect((await rawApi(server, f.bob, 'GET', `/users/${UNKNOWN_ID}/status`)).status).toBe(404);
    expect((await rawApi(server, undefined, 'GET', `/users/${f.alice.user.id}/status`)).status).toBe(401);
  });

  it('answers get_statuses with the users one shares a channel with, and get_statuses_by_ids', async () => {
    const alice = track(await connect(server, f.alice));
    track(await connect(server, f.mallory));
    await until(async () => (await f.bob.client.getStatus(f.mallory.user.id)).status === 'online', 'online');
    await until(async () => (await f.bob.client.getStatus(f.alice.user.id)).status === 'online', 'online');
    const all = await alice.request('get_statuses', null);
    expect(all.status).toBe('OK');
    const map = all.data as Record<string, string>;
    expect(map[f.alice.user.id]).toBe('online');
    expect(map[f.bob.user.id]).toBe('offline');
    expect(map[f.carol.user.id]).toBe('offline');
    expect(f.mallory.user.id in map).toBe(false);
    const some = await alice.request('get_statuses_by_ids', { user_ids: [f.mallory.user.id, f.bob.user.id] });
    expect(some.data).toEqual({ [f.mallory.user.id]: 'online', [f.bob.user.id]: 'offline' });
    expect(Object.keys(some.data as object).sort()).toEqual([f.mallory.user.id, f.bob.user.id].sort());
  });
});

describe('configuration', () => {
  it('reads the away time from PARLEY_PRESENCE_AWAY_SECONDS (default five minutes)', () => {
    expect(loadConfig({}).presenceAwayMs).toBe(300_000);
    expect(loadConfig({ PARLEY_PRESENCE_AWAY_SECONDS: '120' }).presenceAwayMs).toBe(120_000);
    for (const bad of ['0', '-5', 'soon', '100000']) {
      expect(() => loadConfig({ PARLEY_PRESENCE_AWAY_SECONDS: bad })).toThrow(ConfigError);
    }
    expect(server.built.realtime.limits.awayAfterMs).toBe(server.config.presenceAwayMs);
  });

  it('reads the resume window from PARLEY_WS_RESUME_SECONDS (default five minutes)', () => {
    expect(loadConfig({}).wsResumeWindowMs).toBe(300_000);
    expect(loadConfig({ PARLEY_WS_RESUME_SECONDS: '30' }).wsResumeWindowMs).toBe(30_000);
    for (const bad of ['0', '-5', 'soon', '100000']) {
      expect(() => loadConfig({ PARLEY_WS_RESUME_SECONDS: bad })).toThrow(ConfigError);
    }
  });

  it('gives the hub the configured resume window', async () => {
    const other = await getTestServer({ PARLEY_WS_RESUME_SECONDS: '42' });
    try {
      expect(other.built.realtime.limits.resumeWindowMs).toBe(42_000);
    } finally {
      await other.close();
    }
  });
});
