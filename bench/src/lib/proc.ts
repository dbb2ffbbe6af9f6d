/**
 * Process accounting from /proc, so that no server needs a change to be measured: CPU time (utime +
 * stime, all threads) and resident memory of any pid.
 */
import fs from 'node:fs';
import http from 'node:http';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these ticks (100 on every mainstream kernel). */
const TICKS_PER_SECOND = 100;

/** CPU time of a process (user + system, all threads) in milliseconds. */
export function cpuMs(pid: number): number {
  const { user, system } = cpuSplitMs(pid);
  return user + system;
}

/** User and system CPU time of a process (all threads) in milliseconds. */
export function cpuSplitMs(pid: number): { user: number; system: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name may contain spaces and parentheses: fields are counted after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of the full line (utime, stime) are 11 and 12 after the state field.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return { user: (utime * 1000) / TICKS_PER_SECOND, system: (stime * 1000) / TICKS_PER_SECOND };
}

/** Resident set size and its peak, in KB. */
export function memoryKb(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const get = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: get('VmRSS'), hwm: get('VmHWM') };
}

/**
 * Resident KB by kind of mapping (`/proc/PID/smaps`): `brk` (the C allocator's main heap), `anon`
 * (anonymous mappings: V8's heap spaces, large or per-thread allocations), `file` (code and mapped files
 * such as SQLite's shared memory). Tells memory the C allocator keeps apart from the JS heap.
 */
export function rssByKindKb(pid: number): Record<'brk' | 'anon' | 'file', number> {
  const out = { brk: 0, anon: 0, file: 0 };
  let kind: keyof typeof out = 'anon';
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const name = header[1] ?? '';
      kind = name === '[heap]' ? 'brk' : name === '' || name.startsWith('[') ? 'anon' : 'file';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[kind] += Number(rss[1]);
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** One GET, resolving with the status code (0 when the connection fails). */
export function getStatus(host: string, port: number, path: string, timeoutMs = 1000): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => {
      req.destroy();
      resolve(0);
    });
  });
}
