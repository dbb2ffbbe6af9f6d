/** Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by area. */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Excluding (idle). */
  busyMs: number;
  top: { name: string; where: string; selfMs: number; pctOfBusy: number }[];
  areas: { area: string; selfMs: number; pctOfBusy: number }[];
  /** Self time by npm package (or Parley / Node core), for start-up profiles. */
  packages: { name: string; selfMs: number; pctOfBusy: number }[];
}

function packageOf(url: string, fn: string): string {
  const i = url.lastIndexOf('/node_modules/');
  if (i >= 0) {
    const rest = url.slice(i + 14).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? 'npm');
  }
  if (url.includes('/server/dist/') || url.includes('/server/src/')) return 'parley';
  if (url.startsWith('node:')) return 'node core';
  return fn.startsWith('(') ? fn : 'native / other';
}

function areaOf(url: string, fn: string): string {
  if (fn === '(idle)') return 'idle';
  if (fn === '(garbage collector)') return 'garbage collector';
  if (fn === '(program)') return 'V8/native (program)';
  if (url.includes('/node_modules/ws/')) return 'ws (WebSocket library)';
  if (
    /\/node_modules\/(fastify|find-my-way|avvio|light-my-request|fast-json-stringify|@fastify|pino)/.test(url)
  )
    return 'fastify (+ router, logger)';
  if (url.includes('/node_modules/kysely/')) return 'kysely (query builder)';
  if (url.includes('/node_modules/better-sqlite3/')) return 'better-sqlite3 (JS side)';
  if (url.includes('/realtime/')) return 'parley realtime';
  if (url.includes('/server/dist/') || url.includes('/server/src/')) return 'parley (other)';
  if (url.includes('/node_modules/')) return 'other npm modules';
  if (url.startsWith('node:') || url === '') return 'node core / native';
  return 'other';
}

function shortUrl(url: string): string {
  const i = url.lastIndexOf('/node_modules/');
  if (i >= 0) return url.slice(i + 14);
  const j = url.indexOf('/server/');
  if (j >= 0) return url.slice(j + 1);
  return url.replace(/^file:\/\//, '');
}

export function summarizeProfile(file: string, topN = 25): ProfileSummary {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  for (const n of p.nodes) byId.set(n.id, n);
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i] as number;
    // timeDeltas[i] is the time before sample i; attributing it to sample i is V8's convention.
    self.set(id, (self.get(id) ?? 0) + ((p.timeDeltas[i] ?? 0) as number) / 1000);
  }
  const fnTotals = new Map<string, { name: string; where: string; ms: number }>();
  const areaTotals = new Map<string, number>();
  const pkgTotals = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, ms] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || '(anonymous)';
    total += ms;
    if (name === '(idle)') {
      idle += ms;
      continue;
    }
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    const key = `${name}@${where}`;
    const e = fnTotals.get(key) ?? { name, where, ms: 0 };
    e.ms += ms;
    fnTotals.set(key, e);
    const pkg = packageOf(url, name);
    pkgTotals.set(pkg, (pkgTotals.get(pkg) ?? 0) + ms);
    const area = areaOf(url, name);
    areaTotals.set(area, (areaTotals.get(area) ?? 0) + ms);
  }
  const busy = total - idle;
  return {
    file,
    totalMs: total,
    busyMs: busy,
    top: [...fnTotals.values()]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, topN)
      .map((e) => ({ name: e.name, where: e.where, selfMs: e.ms, pctOfBusy: (e.ms / busy) * 100 })),
    areas: [...areaTotals.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([area, ms]) => ({ area, selfMs: ms, pctOfBusy: (ms / busy) * 100 })),
    packages: [...pkgTotals.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([name, ms]) => ({ name, selfMs: ms, pctOfBusy: (ms / busy) * 100 })),
  };
}
