/**
 * Running the real server and parleyctl as child processes, the way an operator does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestDatabase } from '../helpers/db.js';

export const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Proc {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when stdout or stderr has printed something matching re. */
  waitForOutput(re: RegExp): Promise<void>;
}

/** Runs `node --import tsx server/src/<script>` with only the given environment (plus PATH and HOME). */
export function runScript(script: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('src', script), ...args], {
    cwd: SERVER_DIR,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.re.test(out) || w.re.test(err)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    check();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    check();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForOutput(re) {
      return new Promise<void>((resolve, reject) => {
        waiters.push({ re, resolve });
        check();
        void exited.then(() => reject(new Error(`process exited before printing ${re}:\n${out}\n${err}`)));
      });
    },
  };
}

/** Runs parleyctl to completion. */
export async function parleyctl(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = runScript('cli.ts', args, env);
  const { code } = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** The environment that points a process at a test database (SQLite file or PostgreSQL schema). */
export function dbEnv(tdb: TestDatabase): Record<string, string> {
  const env: Record<string, string> = { PARLEY_DATA_DIR: tdb.dataDir };
  if (tdb.databaseUrl && tdb.pgSchema) {
    const url = new URL(tdb.databaseUrl);
    url.searchParams.set('options', `-c search_path=${tdb.pgSchema}`);
    env.DATABASE_URL = url.toString();
  }
  return env;
}

export interface RunningServer {
  proc: Proc;
  url: string;
}

/** Starts the real server on a free port and waits for /system/ping to answer 200. */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  const port = await freePort();
  const proc = runScript('main.ts', [], { HOST: '127.0.0.1', PORT: String(port), ...env });
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  void proc.exited.then(() => (exited = true));
  for (let i = 0; i < 300; i++) {
    if (exited) throw new Error(`server exited during start-up:\n${proc.stdout()}\n${proc.stderr()}`);
    try {
      const res = await fetch(`${url}/api/v4/system/ping`);
      if (res.status === 200) return { proc, url };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.child.kill('SIGKILL');
  throw new Error(`server did not become ready:\n${proc.stdout()}\n${proc.stderr()}`);
}
