/**
 * SQLite WAL checkpoints on a thread of their own.
 *
 * In WAL mode a commit only appends to the `-wal` file (with `synchronous = NORMAL`, without an fsync);
 * copying those pages back into the database file and syncing it is the checkpoint. By default SQLite
 * runs one inside whichever commit pushes the WAL past 1,000 pages: on Parley's single event loop that
 * commit then waits for megabytes of writes and two fsyncs (11–20 ms, about every 0.6 s while 100 posts
 * a second arrive; docs/PERFORMANCE.md, finding 3), and so does every request queued behind it. Here the
 * server's own connection checkpoints only as a backstop (a far larger WAL), and a worker thread with its
 * own connection to the same file runs a PASSIVE checkpoint every `intervalMs`: PASSIVE never waits for
 * a lock, and the server's readers and writers carry on while it copies.
 */
import { Worker } from 'node:worker_threads';

/** What the worker reports after a checkpoint while the WAL held frames. */
export interface CheckpointResult {
  /** Frames in the WAL when it ran. */
  walFrames: number;
  /** Frames of those now in the database file. */
  checkpointed: number;
}

export interface CheckpointerOptions {
  /** The database file (not ":memory:"). */
  file: string;
  /** Absolute path of the better-sqlite3 module, resolved by the caller. */
  driver: string;
  intervalMs: number;
  onError(err: Error): void;
}

/** WAL pages at which the server's own connection still checkpoints, should the worker fall behind. */
export const BACKSTOP_WAL_PAGES = 10_000;

// Plain JavaScript, run as the worker's script: a worker can load neither the server's TypeScript (the
// tests run it from source) nor a module inside the bundle, and this needs nothing but the driver.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('cache_size = -256');
const run = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (r && r.log > 0) parentPort.postMessage({ walFrames: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ error: String((err && err.message) || err) });
  }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export class Checkpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private readonly listeners = new Set<(r: CheckpointResult) => void>();

  constructor(o: CheckpointerOptions) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file: o.file, driver: o.driver, intervalMs: o.intervalMs },
      // A checkpointer needs no more than a small heap.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('error', (err) => o.onError(err));
    this.worker.on('message', (m: CheckpointResult | { error: string }) => {
      if ('error' in m) {
        o.onError(new Error(`background checkpoint failed: ${m.error}`));
        return;
      }
      for (const l of this.listeners) l(m);
    });
  }

  /** Calls `listener` after each checkpoint while the WAL held frames; returns the unsubscribe. */
  onCheckpoint(listener: (r: CheckpointResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the worker after its current checkpoint, its connection closed. */
  async close(): Promise<void> {
    // Unreferenced, the worker would not keep the process alive until it has exited: awaiting its exit
    // would end the process there (exit code 0, nothing after the await run).
    this.worker.ref();
    this.worker.postMessage('close');
    await this.exited;
  }
}
