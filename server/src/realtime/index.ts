/**
 * The real-time layer of one node: the gateway (sockets), the hub (connections and fan-out), typing,
 * and the timers that keep them honest. app.ts creates it, routes the HTTP server's upgrades to it and
 * closes it before the server stops.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Services } from '../services/index.js';
import { Gateway } from './gateway.js';
import { Hub } from './hub.js';
import { defaultLimits, type RealtimeLimits } from './limits.js';
import { TypingNotifier } from './typing.js';

export interface Realtime {
  readonly hub: Hub;
  readonly limits: Readonly<RealtimeLimits>;
  /** The HTTP server's 'upgrade' listener. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  start(): Promise<void>;
  /** Changes limits at run time (tests shorten windows and intervals); timers are re-armed. */
  configure(patch: Partial<RealtimeLimits>): void;
  close(): Promise<void>;
}

export function createRealtime(
  services: Services,
  opts: { versionId: string; limits?: Partial<RealtimeLimits> },
): Realtime {
  const { deps, presence } = services;
  const limits: RealtimeLimits = {
    ...defaultLimits(deps.config.presenceAwayMs),
    resumeWindowMs: deps.config.wsResumeWindowMs,
    ...opts.limits,
  };
  const hub = new Hub(deps, deps.bus, presence, limits);
  const typing = new TypingNotifier(deps, () => limits.typingThrottleMs);
  const gateway = new Gateway({ deps, services, hub, typing, limits, versionId: opts.versionId });

  let timers: NodeJS.Timeout[] = [];
  let running = false;
  const logFailure = (what: string) => (err: unknown) => deps.log.warn({ err }, `${what} failed`);

  const arm = () => {
    for (const t of timers) clearInterval(t);
    timers = [
      setInterval(() => {
        hub.sweep();
        presence.tick(limits);
        typing.sweep();
      }, limits.sweepIntervalMs),
      setInterval(() => hub.ping(), limits.pingIntervalMs),
      setInterval(() => void hub.checkSessions().catch(logFailure('session check')), limits.sessionCheckMs),
    ];
    for (const t of timers) t.unref();
  };

  return {
    hub,
    limits,
    handleUpgrade: gateway.handleUpgrade,
    async start() {
      if (running) return;
      running = true;
      await presence.resetOnStart();
      hub.start();
      arm();
    },
    configure(patch) {
      Object.assign(limits, patch);
      if (running) arm();
    },
    async close() {
      if (!running) return;
      running = false;
      for (const t of timers) clearInterval(t);
      timers = [];
      hub.stop();
      await gateway.close();
      await presence.shutdown();
    },
  };
}
