/**
 * Starting and stopping the servers under test, each pinned to its core with taskset: Parley from its
 * build (server/dist), the baselines from bench/dist. Each run gets its own copy of the seeded database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getStatus, sleep } from './proc.js';

/** B0c and B0w: B0 with a per-connection seq, written as one copied buffer or as three corked writes. */
export type TargetName = 'B0' | 'B2' | 'B0c' | 'B0w' | 'Parley';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REPO_DIR = path.resolve(BENCH_DIR, '..');
const HOST = '127.0.0.1';

export interface RunningServer {
  name: TargetName;
  host: string;
  port: number;
  pid: number;
  /** From spawn to the first answered GET /api/v4/system/ping. */
  startupMs: number;
  dataDir: string;
  proc: ChildProcess;
  stderrTail(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  name: TargetName;
  /** The seeded directory (parley.db + bench.json). */
  seedDir: string;
  cpu: number;
  /** Use the seeded database in place instead of a copy (large databases; Parley's writes stay). */
  inPlace?: boolean;
  nodeArgs?: string[];
  env?: Record<string, string>;
  timeoutMs?: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, HOST, () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Servers still running, stopped if the orchestrator is interrupted. */
const running = new Set<ChildProcess>();
const stopAll = (signal: NodeJS.Signals) => {
  for (const p of running) p.kill('SIGKILL');
  process.exit(signal === 'SIGINT' ? 130 : 143);
};
process.once('SIGINT', stopAll);
process.once('SIGTERM', stopAll);

/**
 * A private copy of a seeded database, synced to disk: otherwise the kernel writes the fresh copy (half
 * a gigabyte at 1 M posts) back during the measurement, beside the server's own writes and fsyncs.
 */
export function copySeed(seedDir: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  const file = path.join(dir, 'parley.db');
  fs.copyFileSync(path.join(seedDir, 'parley.db'), file);
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return dir;
}

export async function startServer(o: StartOptions): Promise<RunningServer> {
  const dataDir = o.inPlace ? o.seedDir : copySeed(o.seedDir);
  const port = await freePort();
  const nodeArgs = o.nodeArgs ?? [];
  let script: string;
  let env: NodeJS.ProcessEnv;
  if (o.name === 'Parley') {
    script = path.join(REPO_DIR, 'server/dist/main.js');
    env = {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST,
      PARLEY_DATA_DIR: dataDir,
      PARLEY_LOG_LEVEL: 'warn',
      PARLEY_BCRYPT_COST: '10',
      ...o.env,
    };
  } else {
    script = path.join(BENCH_DIR, 'dist/servers/baseline.js');
    env = {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST,
      BASELINE_DB: path.join(dataDir, 'parley.db'),
      BASELINE_PERSIST: o.name === 'B2' ? '1' : '0',
      BASELINE_FRAMING: o.name === 'B0c' ? 'copied' : o.name === 'B0w' ? 'corked' : 'shared',
      ...o.env,
    };
  }
  const t0 = performance.now();
  const proc = spawn('taskset', ['-c', String(o.cpu), process.execPath, ...nodeArgs, script], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  let exited = false;
  running.add(proc);
  proc.on('exit', () => {
    exited = true;
    running.delete(proc);
  });
  const deadline = t0 + (o.timeoutMs ?? 60_000);
  let startupMs = NaN;
  while (performance.now() < deadline && !exited) {
    if ((await getStatus(HOST, port, '/api/v4/system/ping', 500)) === 200) {
      startupMs = performance.now() - t0;
      break;
    }
    await sleep(2);
  }
  const stop = async () => {
    if (!exited) {
      proc.kill('SIGTERM');
      for (let i = 0; i < 250 && !exited; i++) await sleep(20);
      if (!exited) proc.kill('SIGKILL');
      for (let i = 0; i < 50 && !exited; i++) await sleep(20);
    }
    if (!o.inPlace) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  if (!Number.isFinite(startupMs)) {
    await stop();
    throw new Error(`${o.name} did not answer /api/v4/system/ping: ${stderr.slice(-1500)}`);
  }
  return {
    name: o.name,
    host: HOST,
    port,
    pid: proc.pid as number,
    startupMs,
    dataDir,
    proc,
    stderrTail: () => stderr,
    stop,
  };
}
