/** Jobs the orchestrator sends to the generator process, and what comes back (over the IPC channel). */
import type { Summary } from './stats.js';

export interface Target {
  name: string;
  host: string;
  port: number;
  /** The server's pid, for CPU accounting from /proc. */
  pid: number;
  /** Parley numbers every event per connection (`seq`); the baselines do not. */
  checksSeq: boolean;
}

export interface ChannelPlan {
  id: string;
  /** Indices into the manifest's users. */
  members: number[];
}

interface JobBase {
  target: Target;
  manifestFile: string;
  /** Users (manifest indices) that hold one socket each. */
  users: number[];
  /** Every k-th socket is a probe. */
  probeEvery: number;
}

export interface FanoutJob extends JobBase {
  kind: 'fanout';
  channels: ChannelPlan[];
  /** Posts per second, over all channels. */
  rate: number;
  warmupS: number;
  durationS: number;
  drainTimeoutS: number;
  /** W3: typing notifications per second (sent over members' sockets, random channel). */
  typingRate: number;
  /** W3: active-status changes per second (random users). */
  presenceRate: number;
  /** Announce the measured window to the orchestrator and wait for its go before closing sockets. */
  syncPhases?: boolean;
  /** REST reads at a fixed rate during the run (history page, unread counts). */
  api?: { rate: number; teamId: string };
}

export interface StormJob extends JobBase {
  kind: 'storm';
  /** Reconnects are spread uniformly over this many ms (0: all at once). */
  spreadMs: number;
  timeoutS: number;
}

export interface IdleJob extends JobBase {
  kind: 'idle';
}

export interface MixedJob extends JobBase {
  kind: 'mixed';
  teamId: string;
  /** Users added per second while ramping. */
  rampPerS: number;
  maxUsers: number;
  /** Mean idle time between a user's actions (exponential). */
  idleMeanS: number;
  /** The health window over which thresholds are checked. */
  windowS: number;
  maxDurationS: number;
}

export type Job = FanoutJob | StormJob | IdleJob | MixedJob;

export interface Validity {
  valid: boolean;
  reasons: string[];
  generatorCpuPct: number;
}

export interface ApiResult {
  endpoint: string;
  latencyMs: Summary;
  errors: number;
}

export interface FanoutResult extends Validity {
  kind: 'fanout';
  posts: number;
  deliveries: number;
  latencyMs: Summary;
  /** How late the generator sent posts against their schedule (its own lag). */
  sendLagMs: Summary;
  probe: { expected: number; received: number; ratio: number };
  drain: {
    framesExpected: number;
    frames: number;
    payloadBytes: number;
    payloadBytesExpected: number;
  };
  postErrors: number;
  postErrorSample: string;
  seqErrors: number;
  typing: { sent: number; probeReceived: number; probeExpected: number };
  presence: { sent: number };
  serverCpuMs: number;
  /** The part of serverCpuMs spent in the kernel (socket writes). */
  serverSystemCpuMs: number;
  windowS: number;
  cpuUsPerDelivery: number;
  cpuUsPerPost: number;
  api: ApiResult[];
  eventBytes: number;
  /** Events that connecting caused (presence), before the measurement started. */
  connectPhase: { connectMs: number; quietAfterMs: number; eventsPerSocket: number };
  /** Event names the probes received during the measurement. */
  probeEventTypes: Record<string, number>;
}

export interface StormResult extends Validity {
  kind: 'storm';
  connections: number;
  ms99: number;
  ms100: number;
  /** Came back on their old connection id (events replayed, no refetch). */
  resumed: number;
  /** Came back under a new connection id (a real client refetches its state over REST). */
  restarted: number;
  failed: number;
  /** Each successful reconnect, from its own attempt to the 101 answer. */
  handshakeMs: Summary;
  serverCpuMs: number;
}

export interface IdleResult {
  kind: 'idle';
  connections: number;
  connectMs: number;
  quietAfterMs: number;
  eventsPerSocket: number;
}

export interface MixedResult extends Validity {
  kind: 'mixed';
  /** Users held while every threshold was still met. */
  supportedUsers: number;
  maxUsersReached: number;
  trippedBy: string;
  actions: Record<string, { count: number; errors: number; p99: number; mean: number }>;
  unsupported: string[];
  errorSample: string;
  windows: { users: number; avgMs: number; p99Ms: number; errorPct: number; requests: number }[];
}

export type JobResult = FanoutResult | StormResult | IdleResult | MixedResult;

export type GeneratorMessage =
  | { type: 'ready'; result: IdleResult }
  | { type: 'result'; result: JobResult }
  | { type: 'error'; message: string }
  | { type: 'log'; message: string }
  | { type: 'phase'; phase: 'measure-start' | 'measure-end' };
