/** Runs one generator job in its own process, pinned to the generator's core, over an IPC channel. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { BENCH_DIR } from './servers.js';
import type { GeneratorMessage, IdleResult, Job, JobResult } from './protocol.js';

export interface GeneratorHandle {
  /**
   * For idle jobs: resolves when every socket is open. `release()` lets the generator close its sockets
   * (idle jobs, and fan-out jobs with syncPhases after 'measure-end').
   */
  ready: Promise<IdleResult>;
  result: Promise<JobResult | undefined>;
  release(): void;
}

export function startGenerator(
  job: Job,
  cpu: number,
  onLog: (s: string) => void,
  onPhase?: (phase: 'measure-start' | 'measure-end') => void,
): GeneratorHandle {
  const child = spawn(
    'taskset',
    ['-c', String(cpu), process.execPath, '--import', 'tsx', path.join(BENCH_DIR, 'src/generator.ts')],
    { cwd: BENCH_DIR, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  let readyResolve: (r: IdleResult) => void = () => {};
  let fail: (e: Error) => void = () => {};
  const ready = new Promise<IdleResult>((res, rej) => {
    readyResolve = res;
    fail = rej;
  });
  const result = new Promise<JobResult | undefined>((resolve, reject) => {
    let got: JobResult | undefined;
    child.on('message', (m: GeneratorMessage) => {
      if (m.type === 'log') onLog(m.message);
      else if (m.type === 'phase') onPhase?.(m.phase);
      else if (m.type === 'ready') readyResolve(m.result);
      else if (m.type === 'result') got = m.result;
      else if (m.type === 'error') {
        const err = new Error(`generator: ${m.message}`);
        fail(err);
        reject(err);
      }
    });
    child.on('exit', (code) => {
      if (got || job.kind === 'idle') resolve(got);
      else {
        const err = new Error(`generator exited with ${code} without a result`);
        fail(err);
        reject(err);
      }
    });
  });
  ready.catch(() => {});
  child.send(job);
  return {
    ready,
    result,
    release: () => {
      if (child.connected) child.send({ kind: 'release' });
    },
  };
}
