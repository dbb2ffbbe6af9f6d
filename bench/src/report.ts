/**
 * The results file's shape and the printed tables: medians over the valid runs of each configuration
 * and target, with Parley's ratios to B0 (latency) and B2 (CPU per delivery, persistence included).
 */
import type { FanoutResult, MixedResult, StormResult } from './lib/protocol.js';
import type { ProfileSummary } from './lib/profile.js';
import { median } from './lib/stats.js';

export interface RunRecord {
  workload: string;
  config: string;
  target: string;
  rep: number;
  result?: FanoutResult | StormResult | MixedResult;
  serverRssKb?: number;
  startupMs?: number;
  /** Memory per idle socket: the second round (warm caches) at the top, the first round inside. */
  memory?: MemoryFigures & { firstRound?: MemoryFigures };
  error?: string;
  stderr?: string;
}

export interface MemoryFigures {
  connections: number;
  /** RSS without forcing a collection: includes garbage and the young generation grown by the burst. */
  rssBeforeKb: number;
  rssAfterKb: number;
  kbPerConnection: number;
  /** After full collections before and after (what the idle connections hold). */
  gcRssBeforeKb: number;
  gcRssAfterKb: number;
  gcKbPerConnection: number;
  heapKbPerConnection: number;
  externalKbPerConnection: number;
  heapCommittedKbPerConnection?: number;
  committedKbPerConnection?: Record<string, number>;
  rssKindKbPerConnection?: Record<string, number>;
}

export interface Report {
  startedAt: string;
  finishedAt?: string;
  options: Record<string, unknown>;
  machine: {
    nproc: number;
    cpuModel: string;
    node: string;
    kernel: string;
    memoryGb: number;
    loadavgBefore: number[];
    loadavgAfter: number[];
    /** Share of all cores busy in the second before the run (others' load). */
    busyPctBefore: number;
    busyPctAfter: number;
    gitCommit: string;
  };
  runs: RunRecord[];
  profiles: (ProfileSummary & { label: string })[];
  /** Parley started once with --cpu-prof (spawn to exit after its first ping): time by package. */
  startupProfile?: ProfileSummary | undefined;
}

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r, i) => {
      const line = r
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
        .join('  ');
      return i === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

const f = (v: number | null, d = 1) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '–');
const ratio = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '–';

export interface FanoutSummary {
  workload: string;
  config: string;
  target: string;
  runs: number;
  valid: number;
  p50: number;
  p99: number;
  cpuUsPerDelivery: number;
  cpuUsPerPost: number;
  genPct: number;
  eventBytes: number;
  apiP99: Record<string, number>;
  apiErrors: number;
  typingReceivedRatio: number;
  /** Events each socket received because sockets connected (presence), and how long until quiet. */
  connectEventsPerSocket: number;
  connectSettleMs: number;
  invalidReasons: string[];
}

/** Medians per (workload, config, target), from valid runs when there are any. */
export function summarizeFanout(runs: RunRecord[]): FanoutSummary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of runs) {
    if (r.result?.kind !== 'fanout' || !['W1', 'W2', 'W3'].includes(r.workload)) continue;
    const k = `${r.workload}|${r.config}|${r.target}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const out: FanoutSummary[] = [];
  for (const [k, rs] of groups) {
    const [workload, config, target] = k.split('|') as [string, string, string];
    const results = rs.map((r) => r.result as FanoutResult);
    const valid = results.filter((r) => r.valid);
    const use = valid.length ? valid : results;
    const apiP99: Record<string, number> = {};
    for (const ep of use[0]?.api.map((a) => a.endpoint) ?? []) {
      apiP99[ep] = median(use.map((r) => r.api.find((a) => a.endpoint === ep)?.latencyMs.p99 ?? NaN));
    }
    out.push({
      workload,
      config,
      target,
      runs: results.length,
      valid: valid.length,
      p50: median(use.map((r) => r.latencyMs.p50)),
      p99: median(use.map((r) => r.latencyMs.p99)),
      cpuUsPerDelivery: median(use.map((r) => r.cpuUsPerDelivery)),
      cpuUsPerPost: median(use.map((r) => r.cpuUsPerPost)),
      genPct: median(use.map((r) => r.generatorCpuPct)),
      eventBytes: median(use.map((r) => r.eventBytes)),
      apiP99,
      apiErrors: use.reduce((s, r) => s + r.api.reduce((t, a) => t + a.errors, 0), 0),
      typingReceivedRatio: median(
        use.map((r) => (r.typing.probeExpected ? r.typing.probeReceived / r.typing.probeExpected : NaN)),
      ),
      connectEventsPerSocket: median(use.map((r) => r.connectPhase.eventsPerSocket)),
      connectSettleMs: median(use.map((r) => r.connectPhase.connectMs + r.connectPhase.quietAfterMs)),
      invalidReasons: [...new Set(results.flatMap((r) => r.reasons))].slice(0, 3),
    });
  }
  return out;
}

export function printReport(report: Report, print: (s: string) => void): void {
  const m = report.machine;
  print('');
  print(
    `Machine: ${m.nproc} cores, ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, Linux ${m.kernel}; ` +
      `others' load before/after: ${f(m.busyPctBefore, 0)}% / ${f(m.busyPctAfter, 0)}% of all cores` +
      (m.busyPctBefore > 10 || m.busyPctAfter > 10 ? '  ** LOADED MACHINE: numbers are noisy **' : ''),
  );

  const fan = summarizeFanout(report.runs);
  if (fan.length) {
    const rows = [
      [
        'workload',
        'config',
        'target',
        'valid',
        'p50 ms',
        'p99 ms',
        'µs/deliv',
        'µs/post',
        'gen %',
        'p99 ×B0',
        'CPU ×B2',
        'API p99 ms',
      ],
    ];
    for (const s of fan) {
      const b0 = fan.find((x) => x.workload === s.workload && x.config === s.config && x.target === 'B0');
      const b2 = fan.find((x) => x.workload === s.workload && x.config === s.config && x.target === 'B2');
      const api = Object.entries(s.apiP99)
        .map(([, v]) => f(v, 1))
        .join(' / ');
      rows.push([
        s.workload,
        s.config,
        s.target,
        `${s.valid}/${s.runs}`,
        f(s.p50),
        f(s.p99),
        f(s.cpuUsPerDelivery, 2),
        f(s.cpuUsPerPost, 0),
        f(s.genPct, 0),
        s.target === 'B0' ? '' : ratio(s.p99, b0?.p99 ?? NaN),
        s.target === 'B2' ? '' : ratio(s.cpuUsPerDelivery, b2?.cpuUsPerDelivery ?? NaN),
        api,
      ]);
    }
    print('\nFan-out (medians of valid runs; latency from the scheduled post time to delivery at probes)');
    print(table(rows));
    for (const s of fan) {
      print(
        `  ${s.workload} ${s.config} ${s.target}: connecting caused ${f(s.connectEventsPerSocket, 1)} events per socket, ` +
          `settled after ${f(s.connectSettleMs / 1000, 1)} s`,
      );
    }
    const typing = fan.filter((s) => Number.isFinite(s.typingReceivedRatio));
    for (const s of typing)
      print(
        `  ${s.workload} ${s.target}: probes got ${f(s.typingReceivedRatio * 100, 0)}% of typing events sent`,
      );
    for (const s of fan.filter((x) => x.valid < x.runs)) {
      print(`  invalid ${s.workload} ${s.config} ${s.target}: ${s.invalidReasons.join('; ')}`);
    }
    const apiRows = fan.filter((s) => Object.keys(s.apiP99).length);
    for (const s of apiRows) {
      print(
        `  API during ${s.workload} (${s.target}): ` +
          Object.entries(s.apiP99)
            .map(([k, v]) => `${k} p99 ${f(v, 1)} ms`)
            .join(', ') +
          `, errors ${s.apiErrors}`,
      );
    }
  }

  const perTarget = (workload: string, value: (r: RunRecord) => number) => {
    const targets = [...new Set(report.runs.filter((r) => r.workload === workload).map((r) => r.target))];
    return targets.map((t) => ({
      target: t,
      value: median(
        report.runs.filter((r) => r.workload === workload && r.target === t && !r.error).map(value),
      ),
      runs: report.runs.filter((r) => r.workload === workload && r.target === t).length,
    }));
  };

  const storm = perTarget('W4', (r) => (r.result as StormResult).ms99);
  const memCold = perTarget('memory', (r) => r.memory?.firstRound?.gcKbPerConnection ?? NaN);
  const mem = perTarget('memory', (r) => r.memory?.gcKbPerConnection ?? NaN);
  const memRaw = perTarget('memory', (r) => r.memory?.kbPerConnection ?? NaN);
  const memHeap = perTarget('memory', (r) => r.memory?.heapKbPerConnection ?? NaN);
  const start = perTarget('startup', (r) => r.startupMs ?? NaN);
  const other: string[][] = [['figure', 'target', 'median', 'runs', '×B0']];
  const add = (label: string, xs: { target: string; value: number; runs: number }[], digits: number) => {
    const b0 = xs.find((x) => x.target === 'B0')?.value ?? NaN;
    for (const x of xs)
      other.push([
        label,
        x.target,
        f(x.value, digits),
        String(x.runs),
        x.target === 'B0' ? '' : ratio(x.value, b0),
      ]);
  };
  add('W4 reconnect storm: ms until 99% resumed', storm, 0);
  add('memory per idle socket, first round (RSS after GC), KB', memCold, 1);
  add('memory per idle socket, second round (RSS after GC), KB', mem, 1);
  add('  of which JS heap, KB', memHeap, 1);
  add('  RSS without forcing GC, KB', memRaw, 1);
  add('start-up to first answered ping, ms', start, 0);
  if (other.length > 1) {
    print('\nStorm, memory and start-up');
    print(table(other));
  }

  for (const r of report.runs.filter((x) => x.workload === 'mixed')) {
    if (r.error) {
      print(`\nMixed users: FAILED ${r.error}`);
      continue;
    }
    const x = r.result as MixedResult;
    print(`\nMixed users (Mattermost's action mix and thresholds), ${r.config}`);
    print(
      `  supported users: ${x.supportedUsers} (reached ${x.maxUsersReached}; tripped by: ${x.trippedBy})`,
    );
    if (x.unsupported.length)
      print(`  actions the server does not implement (left out): ${x.unsupported.join(', ')}`);
    const rows = [['action', 'count', 'errors', 'mean ms', 'p99 ms']];
    for (const [k, v] of Object.entries(x.actions))
      rows.push([k, String(v.count), String(v.errors), f(v.mean), f(v.p99)]);
    print(table(rows));
    if (!x.valid) print(`  INVALID: ${x.reasons.join('; ')}`);
  }

  for (const p of report.profiles) {
    print(
      `\nProfile of Parley under ${p.label} (self time; busy ${f(p.busyMs / 1000, 2)} s of ${f(p.totalMs / 1000, 2)} s)`,
    );
    print(
      table([
        ['area', 'self ms', '% of busy'],
        ...p.areas.map((a) => [a.area, f(a.selfMs, 0), f(a.pctOfBusy, 1)]),
      ]),
    );
    print(
      table([
        ['function', 'where', 'self ms', '% of busy'],
        ...p.top.slice(0, 15).map((t) => [t.name, t.where, f(t.selfMs, 0), f(t.pctOfBusy, 1)]),
      ]),
    );
  }
  if (report.startupProfile) {
    const p = report.startupProfile;
    print(
      `\nParley start-up by package (self time, ${f(p.busyMs, 0)} ms busy until the first ping and exit)`,
    );
    print(
      table([
        ['package', 'self ms', '% of busy'],
        ...p.packages.slice(0, 12).map((x) => [x.name, f(x.selfMs, 0), f(x.pctOfBusy, 1)]),
      ]),
    );
  }
  const failed = report.runs.filter((r) => r.error);
  for (const r of failed) print(`FAILED ${r.workload} ${r.config} ${r.target}: ${r.error?.slice(0, 300)}`);
}
