/**
 * Mixed users: simulated users following the action mix of Mattermost's own load test, ramped up until a
 * health threshold trips (Mattermost's: average request time over 100 ms, p99 over 2 s, errors over
 * 0.025%). The number of users held while healthy is Parley's "supported users" in Mattermost's terms.
 *
 * Each user holds one socket (a drainer) and, after an exponential idle time (mean 20 s), picks an action
 * by weight. Actions whose route the server does not have (404 from the router, 405, 501) are reported as
 * unsupported and dropped from the mix rather than counted as errors.
 */
import { connect, Rest, type Conn } from './lib/clients.js';
import type { MixedJob, MixedResult } from './lib/protocol.js';
import { summarize } from './lib/stats.js';
import { CpuWindow, loadManifest, log, validity } from './lib/gencommon.js';
import type { Manifest } from './seed.js';

interface Sample {
  at: number;
  ms: number;
  error: boolean;
}

/** Socket handshakes are reported but, as in Mattermost's agent, only REST requests count for health. */
const NOT_FOR_HEALTH = new Set(['websocket connect', 'websocket reconnect']);

type ActionName =
  | 'switch_channel'
  | 'scroll_channel'
  | 'create_post'
  | 'unread_check'
  | 'open_dm'
  | 'view_threads'
  | 'view_thread'
  | 'reconnect'
  | 'add_reaction'
  | 'search';

const WEIGHTS: Record<ActionName, number> = {
  switch_channel: 6.5,
  scroll_channel: 2.0,
  create_post: 1.0,
  unread_check: 1.0,
  open_dm: 1.0,
  view_threads: 0.6,
  view_thread: 0.3,
  reconnect: 0.14,
  add_reaction: 0.13,
  search: 0.02,
};

/** Search terms over the seed's vocabulary: a word, a prefix, two words, a phrase, an exclusion. */
const SEARCHES = ['deploy', 'lat*', 'review release', '"looks good"', 'customer feedback', 'broken -fixed'];

const THRESHOLD_AVG_MS = 100;
const THRESHOLD_P99_MS = 2000;
const THRESHOLD_ERROR_PCT = 0.025;

interface User {
  idx: number;
  id: string;
  token: string;
  channels: string[];
  current: string;
  page: number;
  recentPosts: string[];
  conn: Conn | undefined;
  stopped: boolean;
}

function notImplemented(status: number, body: string): boolean {
  return status === 405 || status === 501 || (status === 404 && body.includes('api.context.404.app_error'));
}

export async function runMixed(job: MixedJob): Promise<MixedResult> {
  const m: Manifest = loadManifest(job.manifestFile);
  const { target } = job;
  const rest = new Rest(target.host, target.port);
  const samples: Sample[] = [];
  const perAction = new Map<string, { lat: number[]; errors: number }>();
  const unsupported = new Set<ActionName>();
  let errorSample = '';

  const w1Members = new Set(m.w1.members);
  const channelsOf = new Map<number, string[]>();
  for (const ch of [...m.w2, ...m.dms]) {
    for (const u of ch.members) {
      const list = channelsOf.get(u) ?? [];
      list.push(ch.id);
      channelsOf.set(u, list);
    }
  }

  const record = (name: string, t0: number, status: number, body: string): boolean => {
    const ms = performance.now() - t0;
    const error = status === 0 || status >= 400;
    if (!NOT_FOR_HEALTH.has(name)) samples.push({ at: performance.now(), ms, error });
    let a = perAction.get(name);
    if (!a) perAction.set(name, (a = { lat: [], errors: 0 }));
    a.lat.push(ms);
    if (error) {
      a.errors++;
      errorSample ||= `${name}: ${status} ${body.slice(0, 160)}`;
    }
    return !error;
  };

  /** One REST call; an unimplemented route disables the action instead of counting as an error. */
  const call = async (
    action: ActionName,
    label: string,
    method: string,
    path: string,
    u: User,
    body?: unknown,
    keepBody = false,
  ): Promise<string | undefined> => {
    const t0 = performance.now();
    const r = await rest.request(method, path, u.token, body, keepBody);
    if (notImplemented(r.status, r.body)) {
      if (!unsupported.has(action)) log(`mixed: ${action} unsupported (${method} ${path} → ${r.status})`);
      unsupported.add(action);
      return undefined;
    }
    return record(label, t0, r.status, r.body) ? r.body : undefined;
  };

  const loadChannel = async (u: User, page: number, action: ActionName) => {
    const body = await call(
      action,
      'GET /channels/{id}/posts',
      'GET',
      `/api/v4/channels/${u.current}/posts?page=${page}&per_page=60`,
      u,
      undefined,
      true,
    );
    if (!body) return;
    try {
      const list = JSON.parse(body) as { order?: string[] };
      if (list.order?.length) u.recentPosts = list.order.slice(0, 20);
    } catch {
      // counted as a success: the server answered 200
    }
  };

  const actions: Record<ActionName, (u: User) => Promise<void>> = {
    switch_channel: async (u) => {
      u.current = u.channels[Math.floor(Math.random() * u.channels.length)] ?? u.current;
      u.page = 0;
      await loadChannel(u, 0, 'switch_channel');
      await call(
        'switch_channel',
        'POST /channels/members/me/view',
        'POST',
        '/api/v4/channels/members/me/view',
        u,
        {
          channel_id: u.current,
        },
      );
    },
    scroll_channel: async (u) => {
      u.page++;
      await loadChannel(u, u.page, 'scroll_channel');
    },
    create_post: async (u) => {
      await call('create_post', 'POST /posts', 'POST', '/api/v4/posts', u, {
        channel_id: u.current,
        message: `mixed ${u.idx} ${Date.now()}`,
      });
    },
    unread_check: async (u) => {
      await call('unread_check', 'GET /users/me/teams/unread', 'GET', '/api/v4/users/me/teams/unread', u);
    },
    open_dm: async (u) => {
      const other = m.users[Math.floor(Math.random() * m.users.length)] as { id: string };
      if (other.id === u.id) return;
      const body = await call(
        'open_dm',
        'POST /channels/direct',
        'POST',
        '/api/v4/channels/direct',
        u,
        [u.id, other.id],
        true,
      );
      if (!body) return;
      const ch = JSON.parse(body) as { id?: string };
      if (typeof ch.id === 'string') {
        if (!u.channels.includes(ch.id)) u.channels.push(ch.id);
        u.current = ch.id;
        u.page = 0;
        await loadChannel(u, 0, 'open_dm');
      }
    },
    view_threads: async (u) => {
      await call(
        'view_threads',
        'GET /users/me/teams/{id}/threads',
        'GET',
        `/api/v4/users/me/teams/${job.teamId}/threads?per_page=25`,
        u,
      );
    },
    view_thread: async (u) => {
      const id = u.recentPosts[Math.floor(Math.random() * u.recentPosts.length)];
      if (!id) return;
      await call('view_thread', 'GET /posts/{id}/thread', 'GET', `/api/v4/posts/${id}/thread`, u);
    },
    reconnect: async (u) => {
      u.conn?.close();
      const t0 = performance.now();
      try {
        u.conn = await connect({
          host: target.host,
          port: target.port,
          token: u.token,
          userIdx: u.idx,
          probe: false,
          checksSeq: false,
        });
        record('websocket reconnect', t0, 101, '');
      } catch (err) {
        record('websocket reconnect', t0, 0, err instanceof Error ? err.message : String(err));
      }
    },
    add_reaction: async (u) => {
      const id = u.recentPosts[Math.floor(Math.random() * u.recentPosts.length)];
      if (!id) return;
      await call('add_reaction', 'POST /reactions', 'POST', '/api/v4/reactions', u, {
        user_id: u.id,
        post_id: id,
        emoji_name: ['+1', 'smile', 'tada', 'eyes'][Math.floor(Math.random() * 4)],
        create_at: 0,
      });
    },
    search: async (u) => {
      await call(
        'search',
        'POST /teams/{id}/posts/search',
        'POST',
        `/api/v4/teams/${job.teamId}/posts/search`,
        u,
        {
          terms: SEARCHES[Math.floor(Math.random() * SEARCHES.length)],
          is_or_search: false,
          page: 0,
          per_page: 20,
        },
      );
    },
  };

  const names = Object.keys(WEIGHTS) as ActionName[];
  const pickAction = (): ActionName | undefined => {
    const live = names.filter((n) => !unsupported.has(n));
    const total = live.reduce((s, n) => s + WEIGHTS[n], 0);
    let x = Math.random() * total;
    for (const n of live) {
      x -= WEIGHTS[n];
      if (x <= 0) return n;
    }
    return live[live.length - 1];
  };
  const idle = () => -Math.log(1 - Math.random()) * job.idleMeanS * 1000;

  const users: User[] = [];
  const live = async (u: User) => {
    // Start-up like a client: the socket, then the first channel.
    const t0 = performance.now();
    try {
      u.conn = await connect({
        host: target.host,
        port: target.port,
        token: u.token,
        userIdx: u.idx,
        probe: false,
        checksSeq: false,
      });
      record('websocket connect', t0, 101, '');
    } catch (err) {
      record('websocket connect', t0, 0, err instanceof Error ? err.message : String(err));
    }
    await call('switch_channel', 'GET /users/me', 'GET', '/api/v4/users/me', u);
    for (let i = 0; i < 3 && u.channels.length === 0 && !u.stopped; i++) await actions.open_dm(u);
    await actions.switch_channel(u);
    while (!u.stopped) {
      await new Promise((r) => setTimeout(r, idle()));
      if (u.stopped) break;
      const a = pickAction();
      if (a) await actions[a](u);
    }
  };

  const gen = new CpuWindow();
  const tStart = performance.now();
  const windows: MixedResult['windows'] = [];
  let supported = 0;
  let trippedBy = '';
  const loops: Promise<void>[] = [];
  let added = 0;
  const pool = job.users;

  while (performance.now() - tStart < job.maxDurationS * 1000) {
    // Add this second's users.
    const target_ = Math.min(
      job.maxUsers,
      pool.length,
      Math.floor(((performance.now() - tStart) / 1000 + 1) * job.rampPerS),
    );
    while (added < target_) {
      const idx = pool[added] as number;
      const mu = m.users[idx] as { id: string; token: string };
      const chans = [...(channelsOf.get(idx) ?? [])];
      // A user in no seeded channel but W1's posts there; one in none at all first opens a DM
      // (in live()), never a channel they do not belong to.
      if (chans.length === 0 && w1Members.has(idx)) chans.push(m.w1.id);
      const u: User = {
        idx,
        id: mu.id,
        token: mu.token,
        channels: chans,
        current: chans[0] ?? '',
        page: 0,
        recentPosts: [],
        conn: undefined,
        stopped: false,
      };
      users.push(u);
      loops.push(live(u));
      added++;
    }
    await new Promise((r) => setTimeout(r, 1000));

    const now = performance.now();
    const win = samples.filter((s) => s.at >= now - job.windowS * 1000);
    if (win.length >= 20 && now - tStart >= job.windowS * 1000) {
      const st = summarize(win.map((s) => s.ms));
      const errPct = (win.filter((s) => s.error).length / win.length) * 100;
      windows.push({
        users: users.length,
        avgMs: st.mean,
        p99Ms: st.p99,
        errorPct: errPct,
        requests: win.length,
      });
      const trip =
        st.mean > THRESHOLD_AVG_MS
          ? `average ${st.mean.toFixed(0)} ms > ${THRESHOLD_AVG_MS} ms`
          : st.p99 > THRESHOLD_P99_MS
            ? `p99 ${st.p99.toFixed(0)} ms > ${THRESHOLD_P99_MS} ms`
            : errPct > THRESHOLD_ERROR_PCT
              ? `errors ${errPct.toFixed(3)}% > ${THRESHOLD_ERROR_PCT}% (${errorSample})`
              : '';
      if (trip) {
        trippedBy = trip;
        break;
      }
      supported = users.length;
      if (users.length >= Math.min(job.maxUsers, pool.length) && windows.length >= 3) break;
    }
  }
  const genPct = gen.pct();
  for (const u of users) {
    u.stopped = true;
    u.conn?.close();
  }
  rest.close();

  const actionsOut: MixedResult['actions'] = {};
  for (const [k, v] of perAction) {
    const s = summarize(v.lat);
    actionsOut[k] = { count: s.count, errors: v.errors, p99: s.p99, mean: s.mean };
  }
  return {
    kind: 'mixed',
    ...validity(genPct, []),
    supportedUsers: supported,
    maxUsersReached: users.length,
    trippedBy: trippedBy || 'none (ran out of users or time)',
    actions: actionsOut,
    unsupported: [...unsupported],
    errorSample,
    windows,
  };
}
