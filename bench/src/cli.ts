/**
 * `npm run bench`: builds Parley and the baselines, seeds the databases it needs (cached under
 * bench/results/), runs the selected workloads with B0, B2 and Parley interleaved (A B C A B C …), prints
 * a table and writes every run as JSON under bench/results/. `--help` lists the options.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureSeeded, specKey, type Manifest, type SeedSpec } from './seed.js';
import { BENCH_DIR, REPO_DIR, startServer, type RunningServer, type TargetName } from './lib/servers.js';
import { startGenerator } from './lib/runner.js';
import { memoryKb, rssByKindKb, sleep } from './lib/proc.js';
import { summarizeProfile } from './lib/profile.js';
import { attachInspector, inspectorUrl } from './lib/inspector.js';
import type { FanoutJob, FanoutResult, Job, MixedResult, StormResult, Target } from './lib/protocol.js';
import { printReport, type Report, type RunRecord } from './report.js';

const USAGE = `Usage: npm run bench -- [options]

  --size small|full        small (default): a few minutes; full: the sizes of docs/PERFORMANCE.md
  --workloads LIST         comma list of w1,w2,w3,w4,memory,startup,mixed,profile (default: all)
  --targets LIST           comma list of b0,b2,parley (default) and the framing experiments b0c
                           (B0 + per-socket seq, one copied buffer) and b0w (B0 + seq, three corked writes)
  --repeat R               runs per target and configuration, interleaved (small 2, full 5)
  --w1 LIST                W1 configurations as N@rate, e.g. 1000@20,5000@4
  --w2 N@rate              W2 users and posts per second (channels: N/10 of 10–50 members)
  --api-rate R             history + unread requests per second during W2 (Parley only)
  --api-posts P            posts in the W2/API/start-up database (small 100000, full 1000000)
  --duration S --warmup S  measured and warm-up seconds per run
  --storm N --memory N     sizes for W4 and the idle-memory test
  --mixed-max U            most simulated users in the mixed workload
  --mixed-ramp U           simulated users added per second
  --mixed-duration S       longest mixed run (small 45, full 900)
  --mixed-window S         health window over which the thresholds are checked (small 10, full 30)
  --probe-every K          every K-th socket is a probe (default 10)
  --server-cpu C --gen-cpu C   cores for taskset (default 0 and 1)
  --no-build               use the existing server/dist and bench/dist
  --reseed                 rebuild the cached seed databases
  --heap-snapshots         memory: write a heap snapshot of each target holding the idle sockets
  --out FILE               results JSON (default bench/results/bench-<time>.json)
`;

interface Options {
  size: 'small' | 'full';
  workloads: Set<string>;
  targets: TargetName[];
  repeat: number;
  w1: { n: number; rate: number }[];
  w2: { n: number; rate: number };
  apiRate: number;
  apiPosts: number;
  duration: number;
  warmup: number;
  storm: number;
  memory: number;
  mixedMax: number;
  mixedRamp: number;
  mixedWindow: number;
  mixedDuration: number;
  probeEvery: number;
  serverCpu: number;
  genCpu: number;
  build: boolean;
  reseed: boolean;
  heapSnapshots: boolean;
  out: string;
}

/**
 * Memory: between the two rounds, long enough for Parley to forget the first round's connections (a 1 s
 * resume window, a 2 s sweep) and users (10 s before they show offline).
 */
const MEMORY_SETTLE_MS = 15_000;

function parseNAtRate(s: string): { n: number; rate: number } {
  const m = /^(\d+)@(\d+(?:\.\d+)?)$/.exec(s.trim());
  if (!m) throw new Error(`expected N@rate, got "${s}"`);
  return { n: Number(m[1]), rate: Number(m[2]) };
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      size: { type: 'string', default: 'small' },
      workloads: { type: 'string' },
      targets: { type: 'string' },
      repeat: { type: 'string' },
      w1: { type: 'string' },
      w2: { type: 'string' },
      'api-rate': { type: 'string' },
      'api-posts': { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      storm: { type: 'string' },
      memory: { type: 'string' },
      'mixed-max': { type: 'string' },
      'mixed-ramp': { type: 'string' },
      'mixed-duration': { type: 'string' },
      'mixed-window': { type: 'string' },
      'probe-every': { type: 'string', default: '10' },
      'server-cpu': { type: 'string', default: '0' },
      'gen-cpu': { type: 'string', default: '1' },
      'no-build': { type: 'boolean', default: false },
      reseed: { type: 'boolean', default: false },
      'heap-snapshots': { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const full = values.size === 'full';
  if (values.size !== 'small' && values.size !== 'full') throw new Error('--size must be small or full');
  const num = (v: string | undefined, small: number, big: number) =>
    v === undefined ? (full ? big : small) : Number(v);
  const all = ['w1', 'w2', 'w3', 'w4', 'memory', 'startup', 'mixed', 'profile'];
  const workloads = new Set((values.workloads ?? all.join(',')).split(',').map((s) => s.trim()));
  for (const w of workloads) if (!all.includes(w)) throw new Error(`unknown workload "${w}"`);
  const targetNames: Record<string, TargetName> = {
    b0: 'B0',
    b2: 'B2',
    b0c: 'B0c',
    b0w: 'B0w',
    parley: 'Parley',
  };
  const targets = (values.targets ?? 'b0,b2,parley').split(',').map((t) => {
    const name = targetNames[t.trim().toLowerCase()];
    if (!name) throw new Error(`unknown target "${t}"`);
    return name;
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return {
    size: full ? 'full' : 'small',
    workloads,
    targets,
    repeat: num(values.repeat, 2, 5),
    w1: (values.w1 ?? (full ? '1000@4,1000@20,1000@100,5000@4,5000@20' : '1000@20'))
      .split(',')
      .map(parseNAtRate),
    w2: parseNAtRate(values.w2 ?? (full ? '5000@100' : '1000@50')),
    apiRate: num(values['api-rate'], 20, 50),
    apiPosts: num(values['api-posts'], 100_000, 1_000_000),
    duration: num(values.duration, 5, 15),
    warmup: num(values.warmup, 2, 3),
    storm: num(values.storm, 1000, 5000),
    memory: num(values.memory, 1000, 5000),
    mixedMax: num(values['mixed-max'], 600, 8000),
    mixedRamp: num(values['mixed-ramp'], 20, 10),
    mixedWindow: num(values['mixed-window'], 10, 30),
    mixedDuration: num(values['mixed-duration'], 45, 900),
    probeEvery: Number(values['probe-every']),
    serverCpu: Number(values['server-cpu']),
    genCpu: Number(values['gen-cpu']),
    build: !values['no-build'],
    reseed: values.reseed,
    heapSnapshots: values['heap-snapshots'],
    out: values.out ?? path.join(BENCH_DIR, 'results', `bench-${stamp}.json`),
  };
}

/** Share of all cores busy over `ms`, from /proc/stat: how loaded the machine is by others. */
async function machineBusyPct(ms = 1000): Promise<number> {
  const read = () => {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] as string;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const total = v.reduce((a, b) => a + b, 0);
    return { idle, total };
  };
  const a = read();
  await sleep(ms);
  const b = read();
  return (1 - (b.idle - a.idle) / Math.max(1, b.total - a.total)) * 100;
}

function build(): void {
  process.stdout.write('bench: building server/dist and bench/dist …\n');
  try {
    execFileSync('npm', ['run', 'build', '-w', '@parley/server'], { cwd: REPO_DIR, stdio: 'pipe' });
  } catch (err) {
    // tsc still emits when other files have type errors; what matters is that the build exists.
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? '';
    process.stdout.write(`bench: warning: the server build reported errors:\n${out.slice(-1500)}\n`);
  }
  if (!fs.existsSync(path.join(REPO_DIR, 'server/dist/main.js')))
    throw new Error('server/dist/main.js is missing');
  execFileSync(
    process.execPath,
    [path.join(REPO_DIR, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: BENCH_DIR,
      stdio: 'inherit',
    },
  );
}

function seedDir(spec: SeedSpec): string {
  return path.join(BENCH_DIR, 'results', 'seed', specKey(spec));
}

async function seeded(spec: SeedSpec, reseed: boolean): Promise<{ dir: string; manifest: Manifest }> {
  const dir = seedDir(spec);
  const manifest = await ensureSeeded(dir, spec, { reseed, log: (s) => process.stdout.write(`  ${s}\n`) });
  return { dir, manifest };
}

function fanoutSpec(n: number): SeedSpec {
  return {
    users: n,
    w1Members: n,
    w2Channels: Math.floor(n / 10),
    w2Min: 10,
    w2Max: 50,
    dms: 0,
    posts: 5000,
    replyRatio: 0.1,
    w1Share: 0.1,
  };
}

function targetOf(s: RunningServer): Target {
  return {
    name: s.name,
    host: s.host,
    port: s.port,
    pid: s.pid,
    checksSeq: s.name !== 'B0' && s.name !== 'B2',
  };
}

/** Numbers cross the IPC channel as JSON, where NaN becomes null. */
function fmt(v: number | null, digits = 1): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–';
}

function log(s: string): void {
  process.stdout.write(s + '\n');
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  fs.mkdirSync(path.dirname(o.out), { recursive: true });
  const busyBefore = await machineBusyPct();
  if (o.build) build();

  const report: Report = {
    startedAt: new Date().toISOString(),
    options: { ...o, workloads: [...o.workloads] },
    machine: {
      nproc: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      kernel: os.release(),
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      loadavgBefore: os.loadavg(),
      busyPctBefore: busyBefore,
      busyPctAfter: NaN,
      loadavgAfter: [],
      gitCommit: gitCommit(),
    },
    runs: [],
    profiles: [],
    startupProfile: undefined,
  };
  const save = () => {
    fs.writeFileSync(o.out, JSON.stringify(report, null, 1));
    fs.writeFileSync(path.join(path.dirname(o.out), 'latest.json'), JSON.stringify(report, null, 1));
  };
  const record = (r: RunRecord) => {
    report.runs.push(r);
    save();
  };

  const fanoutTargets = o.targets;
  const runFanout = async (
    workload: string,
    config: string,
    seed: { dir: string; manifest: Manifest },
    make: (t: Target, manifestFile: string) => FanoutJob,
    repeat = o.repeat,
  ) => {
    for (let rep = 0; rep < repeat; rep++) {
      for (const name of fanoutTargets) {
        const server = await startServer({ name, seedDir: seed.dir, cpu: o.serverCpu });
        try {
          const job = make(targetOf(server), path.join(seed.dir, 'bench.json'));
          if (name !== 'Parley') delete job.api;
          const result = (await startGenerator(job, o.genCpu, (s) => log(`  [gen] ${s}`))
            .result) as FanoutResult;
          const mem = memoryKb(server.pid);
          record({
            workload,
            config,
            target: name,
            rep,
            result,
            serverRssKb: mem.rss,
            startupMs: server.startupMs,
          });
          log(
            `  ${workload} ${config} ${name} #${rep + 1}: p50 ${fmt(result.latencyMs.p50)} ms, p99 ${fmt(result.latencyMs.p99)} ms, ` +
              `${fmt(result.cpuUsPerDelivery, 2)} µs/delivery, gen ${fmt(result.generatorCpuPct, 0)}%` +
              (result.valid ? '' : `  INVALID: ${result.reasons.join('; ')}`),
          );
        } catch (err) {
          log(
            `  ${workload} ${config} ${name} #${rep + 1}: FAILED ${err instanceof Error ? err.message : String(err)}`,
          );
          record({ workload, config, target: name, rep, error: String(err), stderr: server.stderrTail() });
        } finally {
          await server.stop();
        }
      }
    }
  };

  const fanoutJob = (
    t: Target,
    manifestFile: string,
    users: number[],
    channels: { id: string; members: number[] }[],
    rate: number,
    extra: Partial<FanoutJob> = {},
  ): FanoutJob => ({
    kind: 'fanout',
    target: t,
    manifestFile,
    users,
    probeEvery: o.probeEvery,
    channels,
    rate,
    warmupS: o.warmup,
    durationS: o.duration,
    drainTimeoutS: 5,
    typingRate: 0,
    presenceRate: 0,
    ...extra,
  });
  const allUsers = (m: Manifest) => m.users.map((_, i) => i);

  if (o.workloads.has('w1')) {
    for (const { n, rate } of o.w1) {
      log(`W1: one channel of ${n}, ${rate} posts/s`);
      const seed = await seeded(fanoutSpec(n), o.reseed);
      await runFanout('W1', `${n}@${rate}`, seed, (t, f) =>
        fanoutJob(t, f, allUsers(seed.manifest), [seed.manifest.w1], rate),
      );
    }
  }

  const apiSpec: SeedSpec = {
    users: o.w2.n,
    w1Members: o.w2.n,
    w2Channels: Math.floor(o.w2.n / 10),
    w2Min: 10,
    w2Max: 50,
    dms: Math.floor(o.w2.n / 5),
    posts: o.apiPosts,
    replyRatio: 0.1,
    w1Share: 0.1,
  };
  if (o.workloads.has('w2')) {
    log(
      `W2: ${o.w2.n} users in ${apiSpec.w2Channels} channels, ${o.w2.rate} posts/s, ${o.apiPosts} posts stored, API ${o.apiRate}/s`,
    );
    const seed = await seeded(apiSpec, o.reseed);
    await runFanout('W2', `${o.w2.n}@${o.w2.rate}`, seed, (t, f) =>
      fanoutJob(t, f, allUsers(seed.manifest), seed.manifest.w2, o.w2.rate, {
        api: { rate: o.apiRate, teamId: seed.manifest.teamId },
      }),
    );
  }

  if (o.workloads.has('w3')) {
    const { n, rate } = o.w1[0] ?? { n: 1000, rate: 20 };
    const typingRate = rate * 2;
    const presenceRate = Math.round(n / 60);
    log(`W3: W1 ${n}@${rate} with ${typingRate} typing/s and ${presenceRate} status changes/s`);
    const seed = await seeded(fanoutSpec(n), o.reseed);
    await runFanout(
      'W3',
      `${n}@${rate} +typing ${typingRate}/s +presence ${presenceRate}/s`,
      seed,
      (t, f) =>
        fanoutJob(t, f, allUsers(seed.manifest), [seed.manifest.w1], rate, { typingRate, presenceRate }),
      o.size === 'full' ? o.repeat : 1,
    );
  }

  if (o.workloads.has('w4')) {
    log(`W4: reconnect storm, ${o.storm} sockets`);
    const seed = await seeded(fanoutSpec(o.storm), o.reseed);
    for (let rep = 0; rep < Math.max(1, Math.ceil(o.repeat / 2)); rep++) {
      for (const name of o.targets) {
        const server = await startServer({ name, seedDir: seed.dir, cpu: o.serverCpu });
        try {
          const job: Job = {
            kind: 'storm',
            target: targetOf(server),
            manifestFile: path.join(seed.dir, 'bench.json'),
            users: allUsers(seed.manifest),
            probeEvery: o.probeEvery,
            spreadMs: 0,
            timeoutS: 60,
          };
          const result = (await startGenerator(job, o.genCpu, log).result) as StormResult;
          record({ workload: 'W4', config: `${o.storm}`, target: name, rep, result });
          log(
            `  W4 ${name} #${rep + 1}: 99% back in ${fmt(result.ms99, 0)} ms, all in ${fmt(result.ms100, 0)} ms`,
          );
        } catch (err) {
          log(`  W4 ${name}: FAILED ${String(err)}`);
          record({
            workload: 'W4',
            config: `${o.storm}`,
            target: name,
            rep,
            error: String(err),
            stderr: server.stderrTail(),
          });
        } finally {
          await server.stop();
        }
      }
    }
  }

  if (o.workloads.has('memory')) {
    log(`Memory: ${o.memory} idle sockets`);
    const seed = await seeded(fanoutSpec(o.memory), o.reseed);
    for (let rep = 0; rep < Math.max(1, Math.ceil(o.repeat / 2)); rep++) {
      for (const name of o.targets.filter((t) => t === 'B0' || t === 'Parley')) {
        // The inspector forces full collections before each reading, for both targets alike.
        const server = await startServer({
          name,
          seedDir: seed.dir,
          cpu: o.serverCpu,
          nodeArgs: ['--inspect=127.0.0.1:0'],
          env: { PARLEY_WS_RESUME_SECONDS: '1' },
        });
        try {
          const url = inspectorUrl(server.stderrTail());
          if (!url) throw new Error('no inspector URL on the server stderr');
          const inspector = await attachInspector(url);
          /** RSS as it is, then everything after full collections. */
          const reading = async () => {
            const rssKb = memoryKb(server.pid).rss;
            await inspector.collectGarbage();
            return {
              rssKb,
              gcRssKb: memoryKb(server.pid).rss,
              usage: await inspector.memoryUsage(),
              spaces: await inspector.heapSpaces(),
              kinds: rssByKindKb(server.pid),
            };
          };
          type Reading = Awaited<ReturnType<typeof reading>>;
          /** Connects every user's socket and reads the memory while they idle. */
          const round = async (): Promise<{ n: number; after: Reading }> => {
            const g = startGenerator(
              {
                kind: 'idle',
                target: targetOf(server),
                manifestFile: path.join(seed.dir, 'bench.json'),
                users: allUsers(seed.manifest),
                probeEvery: 1_000_000_000,
              },
              o.genCpu,
              log,
            );
            const ready = await g.ready;
            await sleep(2000);
            const after = await reading();
            if (o.heapSnapshots && rep === 0) {
              const dir = path.join(BENCH_DIR, 'results', 'heap');
              fs.mkdirSync(dir, { recursive: true });
              const file = path.join(dir, `${name}-${ready.connections}-idle.heapsnapshot`);
              await inspector.heapSnapshot(file);
              log(`  memory ${name}: heap snapshot with the idle sockets: ${file}`);
            }
            g.release();
            await g.result;
            return { n: ready.connections, after };
          };
          const perConnection = (a: Reading, b: Reading, n: number) => {
            const perConn = (bytes: number) => bytes / 1024 / n;
            return {
              connections: n,
              rssBeforeKb: a.rssKb,
              rssAfterKb: b.rssKb,
              kbPerConnection: (b.rssKb - a.rssKb) / n,
              gcRssBeforeKb: a.gcRssKb,
              gcRssAfterKb: b.gcRssKb,
              gcKbPerConnection: (b.gcRssKb - a.gcRssKb) / n,
              heapKbPerConnection: perConn(b.usage.heapUsed - a.usage.heapUsed),
              externalKbPerConnection: perConn(b.usage.external - a.usage.external),
              heapCommittedKbPerConnection: perConn(b.usage.heapTotal - a.usage.heapTotal),
              // What V8 keeps committed per space, per connection.
              committedKbPerConnection: Object.fromEntries(
                Object.keys(b.spaces).map((k) => [k, perConn((b.spaces[k] ?? 0) - (a.spaces[k] ?? 0))]),
              ),
              rssKindKbPerConnection: {
                brk: (b.kinds.brk - a.kinds.brk) / n,
                anon: (b.kinds.anon - a.kinds.anon) / n,
                file: (b.kinds.file - a.kinds.file) / n,
              },
            };
          };
          await sleep(1000);
          const cold = await reading();
          const first = await round();
          // The sockets are gone, and Parley's resumable connections with them (a 1 s resume window
          // here); then the same users connect again, to caches (SQLite's pages, compiled code) that the
          // first round filled.
          await sleep(MEMORY_SETTLE_MS);
          const warm = await reading();
          const second = await round();
          inspector.close();
          const firstRound = perConnection(cold, first.after, first.n);
          const memory = { ...perConnection(warm, second.after, second.n), firstRound };
          record({ workload: 'memory', config: `${o.memory}`, target: name, rep, memory });
          const kinds = (m: typeof firstRound) =>
            `brk ${fmt(m.rssKindKbPerConnection.brk)}, anon ${fmt(m.rssKindKbPerConnection.anon)}, ` +
            `file ${fmt(m.rssKindKbPerConnection.file)} KB`;
          const spaces = Object.entries(memory.committedKbPerConnection)
            .filter(([, v]) => Math.abs(v) >= 0.05)
            .map(([k, v]) => `${k} ${fmt(v)}`)
            .join(', ');
          log(
            `  memory ${name} #${rep + 1}: first round ${fmt(firstRound.gcKbPerConnection)} KB per idle socket ` +
              `after GC (RSS by mapping: ${kinds(firstRound)}); second round ${fmt(memory.gcKbPerConnection)} KB ` +
              `(heap ${fmt(memory.heapKbPerConnection)} KB used, ${fmt(memory.heapCommittedKbPerConnection)} KB ` +
              `committed [${spaces}], external ${fmt(memory.externalKbPerConnection)} KB; RSS by mapping: ` +
              `${kinds(memory)}; without forcing GC ${fmt(memory.kbPerConnection)} KB: ` +
              `RSS ${memory.rssBeforeKb} → ${memory.rssAfterKb} KB)`,
          );
        } catch (err) {
          log(`  memory ${name}: FAILED ${String(err)}`);
          record({
            workload: 'memory',
            config: `${o.memory}`,
            target: name,
            rep,
            error: String(err),
            stderr: server.stderrTail(),
          });
        } finally {
          await server.stop();
        }
      }
    }
  }

  if (o.workloads.has('startup')) {
    log(`Start-up: first answered ping with ${o.apiPosts} posts stored`);
    const seed = await seeded(apiSpec, o.reseed);
    for (let rep = 0; rep < Math.max(3, o.repeat); rep++) {
      for (const name of o.targets.filter((t) => t === 'B0' || t === 'Parley')) {
        try {
          const server = await startServer({ name, seedDir: seed.dir, cpu: o.serverCpu, inPlace: true });
          await server.stop();
          record({
            workload: 'startup',
            config: `${o.apiPosts} posts`,
            target: name,
            rep,
            startupMs: server.startupMs,
          });
          log(`  start-up ${name} #${rep + 1}: ${fmt(server.startupMs, 0)} ms`);
        } catch (err) {
          record({
            workload: 'startup',
            config: `${o.apiPosts} posts`,
            target: name,
            rep,
            error: String(err),
          });
        }
      }
    }
  }

  if (o.workloads.has('startup') && o.targets.includes('Parley')) {
    // One more start with V8's profiler on, to name what the start-up time is spent on.
    const seed = await seeded(apiSpec, o.reseed);
    const profDir = path.join(BENCH_DIR, 'results', 'profile', 'startup');
    fs.rmSync(profDir, { recursive: true, force: true });
    fs.mkdirSync(profDir, { recursive: true });
    try {
      const server = await startServer({
        name: 'Parley',
        seedDir: seed.dir,
        cpu: o.serverCpu,
        inPlace: true,
        nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=200'],
      });
      await server.stop();
      const file = fs.readdirSync(profDir).find((x) => x.endsWith('.cpuprofile'));
      if (file) {
        report.startupProfile = summarizeProfile(path.join(profDir, file));
        log(`  start-up profile: ${path.join(profDir, file)}`);
      }
    } catch (err) {
      log(`  start-up profile: FAILED ${String(err)}`);
    }
  }

  if (o.workloads.has('mixed') && o.targets.includes('Parley')) {
    log(
      `Mixed users: ramp ${o.mixedRamp}/s up to ${o.mixedMax} (thresholds: avg 100 ms, p99 2 s, errors 0.025%)`,
    );
    const spec = { ...apiSpec, users: Math.max(apiSpec.users, o.mixedMax) };
    const seed = await seeded(spec.users === apiSpec.users ? apiSpec : spec, o.reseed);
    const server = await startServer({ name: 'Parley', seedDir: seed.dir, cpu: o.serverCpu });
    try {
      const result = (await startGenerator(
        {
          kind: 'mixed',
          target: targetOf(server),
          manifestFile: path.join(seed.dir, 'bench.json'),
          users: allUsers(seed.manifest).slice(0, o.mixedMax),
          probeEvery: 1_000_000_000,
          teamId: seed.manifest.teamId,
          rampPerS: o.mixedRamp,
          maxUsers: o.mixedMax,
          idleMeanS: 20,
          windowS: o.mixedWindow,
          maxDurationS: o.mixedDuration,
        },
        o.genCpu,
        (s) => log(`  [gen] ${s}`),
      ).result) as MixedResult;
      record({
        workload: 'mixed',
        config: `ramp ${o.mixedRamp}/s max ${o.mixedMax}`,
        target: 'Parley',
        rep: 0,
        result,
      });
      log(`  mixed: ${result.supportedUsers} users held; tripped by: ${result.trippedBy}`);
    } catch (err) {
      log(`  mixed: FAILED ${String(err)}`);
      record({
        workload: 'mixed',
        config: '',
        target: 'Parley',
        rep: 0,
        error: String(err),
        stderr: server.stderrTail(),
      });
    } finally {
      await server.stop();
    }
  }

  const profileRun = async (
    label: string,
    seed: { dir: string; manifest: Manifest },
    channels: { id: string; members: number[] }[],
    rate: number,
  ) => {
    log(`Profile: Parley under ${label}, V8 sampling profiler over the measured window`);
    const profDir = path.join(BENCH_DIR, 'results', 'profile');
    fs.mkdirSync(profDir, { recursive: true });
    const server = await startServer({
      name: 'Parley',
      seedDir: seed.dir,
      cpu: o.serverCpu,
      nodeArgs: ['--inspect=127.0.0.1:0'],
    });
    try {
      const url = inspectorUrl(server.stderrTail());
      if (!url) throw new Error('no inspector URL on the server stderr');
      const inspector = await attachInspector(url);
      const job = fanoutJob(
        targetOf(server),
        path.join(seed.dir, 'bench.json'),
        allUsers(seed.manifest),
        channels,
        rate,
        {
          syncPhases: true,
        },
      );
      let profile: Promise<unknown> | undefined;
      const g = startGenerator(job, o.genCpu, log, (phase) => {
        if (phase === 'measure-start') void inspector.startProfile();
        else {
          profile = inspector.stopProfile();
          void profile.finally(() => g.release());
        }
      });
      const result = (await g.result) as FanoutResult;
      record({ workload: 'profile', config: label, target: 'Parley', rep: 0, result });
      if (profile) {
        const file = path.join(profDir, `parley-${label.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`);
        fs.writeFileSync(file, JSON.stringify(await profile));
        report.profiles.push({ label, ...summarizeProfile(file) });
        log(`  profile of the measured window: ${file}`);
      }
      inspector.close();
    } catch (err) {
      log(`  profile: FAILED ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      await server.stop();
    }
  };

  if (o.workloads.has('profile') && o.targets.includes('Parley')) {
    const { n } = o.w1[0] ?? { n: 1000 };
    const w1Seed = await seeded(fanoutSpec(n), o.reseed);
    await profileRun(`W1 ${n}@50`, w1Seed, [w1Seed.manifest.w1], 50);
    if (o.workloads.has('w2')) {
      const w2Seed = await seeded(apiSpec, o.reseed);
      await profileRun(`W2 ${o.w2.n}@${o.w2.rate}`, w2Seed, w2Seed.manifest.w2, o.w2.rate);
    }
  }

  report.machine.busyPctAfter = await machineBusyPct();
  report.machine.loadavgAfter = os.loadavg();
  report.finishedAt = new Date().toISOString();
  save();
  printReport(report, (s) => process.stdout.write(s + '\n'));
  log(`\nresults: ${o.out}`);
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_DIR }).toString().trim();
  } catch {
    return '';
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
