/**
 * CPU profiles and memory figures of a running server through its inspector (started with
 * `--inspect=127.0.0.1:0`): only the measured window is profiled, not start-up or the connection phase,
 * and memory can be read after a full garbage collection. Uses the DevTools protocol (Profiler,
 * HeapProfiler, Runtime) over the inspector's WebSocket.
 */
import fs from 'node:fs';
import WebSocket from 'ws';

export interface Inspector {
  startProfile(samplingIntervalUs?: number): Promise<void>;
  /** Runs full garbage collections (twice, so that weakly held and finalised objects go too). */
  collectGarbage(): Promise<void>;
  /** The server's `process.memoryUsage()`, in bytes. */
  memoryUsage(): Promise<NodeJS.MemoryUsage>;
  /** Bytes V8 has committed per heap space (`v8.getHeapSpaceStatistics()`'s `physical_space_size`). */
  heapSpaces(): Promise<Record<string, number>>;
  /** Writes a heap snapshot (`.heapsnapshot`, for Chrome DevTools' Memory panel) to `file`. */
  heapSnapshot(file: string): Promise<void>;
  /** Stops the profiler and returns the .cpuprofile JSON. */
  stopProfile(): Promise<unknown>;
  close(): void;
}

/** The inspector URL Node prints on stderr ("Debugger listening on ws://…"). */
export function inspectorUrl(stderr: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(stderr)?.[1];
}

export async function attachInspector(url: string): Promise<Inspector> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let chunks: string[] | undefined;
  ws.on('message', (data: Buffer) => {
    const msg = JSON.parse(data.toString('utf8')) as {
      id?: number;
      method?: string;
      params?: { chunk?: string };
      result?: unknown;
      error?: { message: string };
    };
    if (msg.method === 'HeapProfiler.addHeapSnapshotChunk' && chunks) chunks.push(msg.params?.chunk ?? '');
    if (msg.id === undefined) return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(msg.error.message));
    else p.resolve(msg.result);
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    async startProfile(samplingIntervalUs = 500) {
      await call('Profiler.enable');
      await call('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
      await call('Profiler.start');
    },
    async collectGarbage() {
      await call('HeapProfiler.collectGarbage');
      await call('HeapProfiler.collectGarbage');
    },
    async memoryUsage() {
      const r = (await call('Runtime.evaluate', {
        expression: 'JSON.stringify(process.memoryUsage())',
        returnByValue: true,
      })) as { result: { value: string } };
      return JSON.parse(r.result.value) as NodeJS.MemoryUsage;
    },
    async heapSpaces() {
      // The command-line API gives the evaluated expression `require`, also in an ES module process.
      const r = (await call('Runtime.evaluate', {
        expression:
          "JSON.stringify(Object.fromEntries(require('v8').getHeapSpaceStatistics()" +
          '.map((s) => [s.space_name, s.physical_space_size])))',
        includeCommandLineAPI: true,
        returnByValue: true,
      })) as { result: { value: string } };
      return JSON.parse(r.result.value) as Record<string, number>;
    },
    async heapSnapshot(file: string) {
      chunks = [];
      await call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      fs.writeFileSync(file, chunks.join(''));
      chunks = undefined;
    },
    async stopProfile() {
      const r = (await call('Profiler.stop')) as { profile: unknown };
      return r.profile;
    },
    close: () => ws.close(),
  };
}
