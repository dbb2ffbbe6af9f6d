/**
 * The load generator: a child process (pinned to its own core by the orchestrator) that receives one job
 * over IPC, runs it against a server and sends back the result. Open loop: posts and requests go out on
 * a fixed schedule whatever the server does, and latency is measured from the scheduled time.
 */
import {
  connect,
  connectAll,
  drainerOf,
  Rest,
  type Conn,
  type ConnectOptions,
  type WireMessage,
} from './lib/clients.js';
import type {
  ApiResult,
  FanoutJob,
  FanoutResult,
  IdleJob,
  Job,
  StormJob,
  StormResult,
} from './lib/protocol.js';
import { cpuMs, cpuSplitMs, sleep } from './lib/proc.js';
import { CpuWindow, loadManifest, send, validity } from './lib/gencommon.js';
import { summarize } from './lib/stats.js';
import type { Manifest } from './seed.js';
import { runMixed } from './mixed.js';

const CONNECT_PARALLEL = 64;

function connectOptions(job: Job, m: Manifest, events?: ConnectOptions['events']): ConnectOptions[] {
  return job.users.map((u, i) => ({
    host: job.target.host,
    port: job.target.port,
    token: (m.users[u] as { token: string }).token,
    userIdx: u,
    probe: i % job.probeEvery === 0,
    checksSeq: job.target.checksSeq,
    events,
  }));
}

/**
 * Waits until no socket has received anything for `quietMs` (or `maxMs` passed): the events that
 * connecting itself causes (presence) must be over before a measurement starts. Returns how long that
 * took and how many events per socket arrived since each socket's hello (connect-time traffic).
 */
async function waitQuiet(
  conns: Conn[],
  probeEvents: () => number,
  quietMs = 1000,
  maxMs = 180_000,
): Promise<{ ms: number; eventsPerSocket: number }> {
  const drainers = conns.map(drainerOf).filter((d) => d !== undefined);
  const count = () => drainers.reduce((s, d) => s + d.frames, 0) + probeEvents();
  const t0 = performance.now();
  let last = count();
  let lastChange = t0;
  while (performance.now() - t0 < maxMs) {
    await sleep(100);
    const c = count();
    if (c !== last) {
      last = c;
      lastChange = performance.now();
    } else if (performance.now() - lastChange >= quietMs) break;
  }
  return { ms: lastChange - t0, eventsPerSocket: last / Math.max(1, conns.length) };
}

/** Runs `fn(i)` at t0 + i / rate for i < count; returns a promise for the end of the schedule. */
function schedule(
  t0: number,
  rate: number,
  count: number,
  fn: (i: number, scheduledAt: number) => void,
): Promise<void> {
  if (count <= 0 || rate <= 0) return Promise.resolve();
  const interval = 1000 / rate;
  let i = 0;
  return new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (i < count && t0 + i * interval <= now) {
        fn(i, t0 + i * interval);
        i++;
      }
      if (i >= count) return resolve();
      setTimeout(tick, Math.max(0, Math.min(20, t0 + i * interval - performance.now())));
    };
    setTimeout(tick, Math.max(0, t0 - performance.now()));
  });
}

async function runFanout(job: FanoutJob): Promise<FanoutResult> {
  const m = loadManifest(job.manifestFile);
  const { target } = job;
  const rest = new Rest(target.host, target.port);

  const warmupPosts = Math.round(job.rate * job.warmupS);
  const measuredPosts = Math.round(job.rate * job.durationS);
  const totalPosts = warmupPosts + measuredPosts;
  const scheduledAt = new Float64Array(totalPosts);
  const latencies: number[] = [];
  const sendLag: number[] = [];
  let probeReceived = 0;
  let probeTyping = 0;
  let eventBytes = 0;
  const observedSizes: number[] = [];
  let probeEventCount = 0;
  let measuring = false;
  const probeEventTypes: Record<string, number> = {};

  const events = {
    onEvent(msg: WireMessage, bytes: number, at: number) {
      probeEventCount++;
      if (measuring) {
        const k = msg.event ?? (msg.seq_reply !== undefined ? 'reply' : 'other');
        probeEventTypes[k] = (probeEventTypes[k] ?? 0) + 1;
      }
      if (msg.event === 'posted') {
        const raw = msg.data?.post;
        if (typeof raw !== 'string') return;
        const post = JSON.parse(raw) as { message?: string };
        const n = Number(post.message?.slice(6));
        if (!(post.message ?? '').startsWith('bench ') || !(n >= 0 && n < totalPosts)) return;
        eventBytes ||= bytes;
        if (observedSizes.length < 1000) observedSizes.push(bytes);
        if (n >= warmupPosts) {
          probeReceived++;
          latencies.push(at - (scheduledAt[n] as number));
        }
      } else if (msg.event === 'typing') probeTyping++;
    },
  };

  const opts = connectOptions(job, m, events);
  const tConnect = performance.now();
  const { conns, failed, firstError } = await connectAll(opts, CONNECT_PARALLEL);
  const connectMs = performance.now() - tConnect;
  if (failed > 0) throw new Error(`${failed} of ${opts.length} sockets failed to connect: ${firstError}`);
  const connByUser = new Map<number, Conn>();
  for (const c of conns) connByUser.set(c.userIdx, c);

  // Expected deliveries per channel, split into probes and drainers.
  const plan = job.channels.map((ch) => {
    let probes = 0;
    let drainers = 0;
    for (const u of ch.members) {
      const c = connByUser.get(u);
      if (!c) continue;
      if (c.probe) probes++;
      else drainers++;
    }
    return { ...ch, probes, drainers };
  });

  let seed = 1;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

  let probeExpected = 0;
  let drainExpected = 0;
  let deliveriesMeasured = 0;
  let postErrors = 0;
  let postErrorSample = '';
  let typingSent = 0;
  let typingProbeExpected = 0;
  let presenceSent = 0;

  const quiet = await waitQuiet(conns, () => probeEventCount);
  const drainersAll = conns.map(drainerOf).filter((d) => d !== undefined);
  const framesBase = drainersAll.reduce((s, d) => s + d.frames, 0);
  const bytesBase = drainersAll.reduce((s, d) => s + d.payloadBytes, 0);
  const t0 = performance.now() + 50;
  const tMeasure = t0 + (warmupPosts * 1000) / job.rate;
  let cpuAtMeasure = 0;
  let sysAtMeasure = 0;
  let gen: CpuWindow | undefined;
  const startMeasure = () => {
    measuring = true;
    if (job.syncPhases) send({ type: 'phase', phase: 'measure-start' });
    cpuAtMeasure = cpuMs(target.pid);
    sysAtMeasure = cpuSplitMs(target.pid).system;
    gen = new CpuWindow();
  };
  const measureTimer = setTimeout(startMeasure, Math.max(0, tMeasure - performance.now()));

  const posting = schedule(t0, job.rate, totalPosts, (n, at) => {
    scheduledAt[n] = at;
    sendLag.push(performance.now() - at);
    const ch = pick(plan);
    const author = pick(ch.members);
    drainExpected += ch.drainers;
    if (n >= warmupPosts) {
      probeExpected += ch.probes;
      deliveriesMeasured += ch.probes + ch.drainers;
    }
    const token = (m.users[author] as { token: string }).token;
    void rest
      .request('POST', '/api/v4/posts', token, { channel_id: ch.id, message: `bench ${n}` })
      .then((r) => {
        if (r.status < 200 || r.status >= 300) {
          postErrors++;
          postErrorSample ||= `${r.status} ${r.body.slice(0, 200)}`;
        }
      });
  });

  const runS = job.warmupS + job.durationS;
  const typing = schedule(t0, job.typingRate, Math.round(job.typingRate * runS), () => {
    const ch = pick(plan);
    const who = pick(ch.members);
    const c = connByUser.get(who);
    if (!c) return;
    c.send(
      JSON.stringify({
        action: 'user_typing',
        seq: c.actionSeq++,
        data: { channel_id: ch.id, parent_id: '' },
      }),
    );
    typingSent++;
    typingProbeExpected += ch.probes - (c.probe ? 1 : 0);
  });
  const presence = schedule(t0, job.presenceRate, Math.round(job.presenceRate * runS), (i) => {
    const c = pick(conns);
    c.send(
      JSON.stringify({
        action: 'user_update_active_status',
        seq: c.actionSeq++,
        data: { user_is_active: i % 2 === 0, manual: false },
      }),
    );
    presenceSent++;
  });

  const api: { endpoint: string; lat: number[]; errors: number }[] = [];
  let apiRun: Promise<void> = Promise.resolve();
  if (job.api && job.api.rate > 0) {
    const history = { endpoint: 'GET /channels/{id}/posts (60)', lat: [] as number[], errors: 0 };
    const unread = { endpoint: 'GET /users/me/teams/unread', lat: [] as number[], errors: 0 };
    api.push(history, unread);
    const apiJob = job.api;
    apiRun = schedule(tMeasure, apiJob.rate, Math.round(apiJob.rate * job.durationS), (i, at) => {
      const ch = pick(plan);
      const user = m.users[pick(ch.members)] as { token: string };
      const which = i % 2 === 0 ? history : unread;
      const path =
        which === history
          ? `/api/v4/channels/${ch.id}/posts?page=0&per_page=60`
          : `/api/v4/users/me/teams/unread`;
      void rest.request('GET', path, user.token).then((r) => {
        if (r.status !== 200) which.errors++;
        which.lat.push(performance.now() - at);
      });
    });
  }

  await Promise.all([posting, typing, presence, apiRun]);
  clearTimeout(measureTimer);
  if (!gen) startMeasure();

  // Drain: wait until every probe and drainer has what it should, or the timeout.
  const drainers = drainersAll;
  const drainedFrames = () => drainers.reduce((s, d) => s + d.frames, 0) - framesBase;
  const deadline = performance.now() + job.drainTimeoutS * 1000;
  while (performance.now() < deadline) {
    if (probeReceived >= probeExpected && drainedFrames() >= drainExpected) break;
    await sleep(20);
  }
  await sleep(100);
  const windowS = (performance.now() - tMeasure) / 1000;
  const serverCpu = cpuMs(target.pid) - cpuAtMeasure;
  const serverSys = cpuSplitMs(target.pid).system - sysAtMeasure;
  const genPct = (gen as CpuWindow).pct();

  if (job.syncPhases) {
    send({ type: 'phase', phase: 'measure-end' });
    await new Promise<void>((resolve) => process.once('message', () => resolve()));
  }
  const seqErrors = conns.reduce((s, c) => s + c.seqErrors, 0);
  const frames = drainedFrames();
  const payloadBytes = drainers.reduce((s, d) => s + d.payloadBytes, 0) - bytesBase;
  const meanSize = observedSizes.length ? observedSizes.reduce((a, b) => a + b, 0) / observedSizes.length : 0;
  for (const c of conns) c.close();
  rest.close();

  const reasons: string[] = [];
  if (probeReceived < probeExpected)
    reasons.push(`probes received ${probeReceived} of ${probeExpected} posts`);
  if (job.typingRate === 0 && job.presenceRate === 0 && frames < drainExpected) {
    reasons.push(`drainers received ${frames} of ${drainExpected} frames`);
  }
  if (postErrors > 0) reasons.push(`${postErrors} post requests failed (${postErrorSample})`);
  if (seqErrors > 0) reasons.push(`${seqErrors} seq gaps at probes`);

  const apiResults: ApiResult[] = api.map((a) => ({
    endpoint: a.endpoint,
    latencyMs: summarize(a.lat),
    errors: a.errors,
  }));
  return {
    kind: 'fanout',
    ...validity(genPct, reasons),
    posts: measuredPosts,
    deliveries: deliveriesMeasured,
    latencyMs: summarize(latencies),
    sendLagMs: summarize(sendLag),
    probe: {
      expected: probeExpected,
      received: probeReceived,
      ratio: probeExpected ? probeReceived / probeExpected : NaN,
    },
    drain: {
      framesExpected: drainExpected,
      frames,
      payloadBytes,
      payloadBytesExpected: Math.round(drainExpected * meanSize),
    },
    postErrors,
    postErrorSample,
    seqErrors,
    typing: { sent: typingSent, probeReceived: probeTyping, probeExpected: typingProbeExpected },
    presence: { sent: presenceSent },
    serverCpuMs: serverCpu,
    serverSystemCpuMs: serverSys,
    windowS,
    cpuUsPerDelivery: (serverCpu * 1000) / Math.max(1, deliveriesMeasured),
    cpuUsPerPost: (serverCpu * 1000) / Math.max(1, measuredPosts),
    api: apiResults,
    eventBytes,
    connectPhase: { connectMs, quietAfterMs: quiet.ms, eventsPerSocket: quiet.eventsPerSocket },
    probeEventTypes,
  };
}

async function runStorm(job: StormJob): Promise<StormResult> {
  const m = loadManifest(job.manifestFile);
  const opts = connectOptions(job, m);
  const first = await connectAll(opts, CONNECT_PARALLEL);
  if (first.failed > 0) throw new Error(`${first.failed} sockets failed to connect: ${first.firstError}`);
  await waitQuiet(first.conns, () => 0);

  const cpu0 = cpuMs(job.target.pid);
  const gen = new CpuWindow();
  const t0 = performance.now();
  for (const c of first.conns) c.close();
  const done: number[] = [];
  let failed = 0;
  const attemptMs: number[] = [];
  const optsByUser = new Map(opts.map((x) => [x.userIdx, x]));
  const again: Conn[] = [];
  const resumedFrom = new Map<Conn, string>();
  const n = first.conns.length;
  await Promise.all(
    first.conns.map(async (c, i) => {
      const delay = job.spreadMs > 0 ? (job.spreadMs * i) / n : 0;
      if (delay > 0) await sleep(delay);
      const o = optsByUser.get(c.userIdx) as ConnectOptions;
      // Like Mattermost's client: reconnect asking to resume the old connection from the next seq it
      // expects (drainers: hello is seq 0 and every frame since was one event). Retry while refused.
      const d = drainerOf(c);
      const sequenceNumber = d ? d.frames + 1 : c.nextSeq;
      for (let attempt = 0; attempt < 20; attempt++) {
        if (performance.now() - t0 > job.timeoutS * 1000) break;
        const tAttempt = performance.now();
        try {
          const back = await connect({ ...o, resume: { connectionId: c.connectionId, sequenceNumber } });
          attemptMs.push(performance.now() - tAttempt);
          again.push(back);
          resumedFrom.set(back, c.connectionId);
          done.push(performance.now() - t0);
          return;
        } catch {
          await sleep(100 + Math.random() * 400);
        }
      }
      failed++;
    }),
  );
  const serverCpu = cpuMs(job.target.pid) - cpu0;
  const genPct = gen.pct();
  await sleep(500);
  // A connection that got a hello under a new id was not resumed: its client would refetch its state.
  let fresh = 0;
  for (const [c, old] of resumedFrom) if (c.connectionId !== old) fresh++;
  for (const c of again) c.close();
  done.sort((a, b) => a - b);
  const at = (q: number) => (done.length >= Math.ceil(q * n) ? (done[Math.ceil(q * n) - 1] as number) : NaN);
  const reasons: string[] = [];
  if (failed > 0) reasons.push(`${failed} sockets did not come back`);
  return {
    kind: 'storm',
    ...validity(genPct, reasons),
    connections: n,
    ms99: at(0.99),
    ms100: at(1),
    resumed: done.length - fresh,
    restarted: fresh,
    failed,
    handshakeMs: summarize(attemptMs),
    serverCpuMs: serverCpu,
  };
}

async function runIdle(job: IdleJob): Promise<void> {
  const m = loadManifest(job.manifestFile);
  const t = performance.now();
  const { conns, failed, firstError } = await connectAll(connectOptions(job, m), CONNECT_PARALLEL);
  if (failed > 0) throw new Error(`${failed} sockets failed to connect: ${firstError}`);
  const quiet = await waitQuiet(conns, () => 0);
  send({
    type: 'ready',
    result: {
      kind: 'idle',
      connections: conns.length,
      connectMs: performance.now() - t,
      quietAfterMs: quiet.ms,
      eventsPerSocket: quiet.eventsPerSocket,
    },
  });
  // Held until the orchestrator has measured the server and says so.
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  for (const c of conns) c.close();
}

// Without its orchestrator a generator has nobody to report to.
process.on('disconnect', () => process.exit(1));

process.once('message', (job: Job) => {
  const run = async () => {
    switch (job.kind) {
      case 'fanout':
        return send({ type: 'result', result: await runFanout(job) });
      case 'storm':
        return send({ type: 'result', result: await runStorm(job) });
      case 'idle':
        return runIdle(job);
      case 'mixed':
        return send({ type: 'result', result: await runMixed(job) });
    }
  };
  run()
    .catch((err: unknown) =>
      send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    )
    .finally(() => setTimeout(() => process.exit(0), 50));
});
