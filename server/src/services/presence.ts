/**
 * Presence. A user is `online` while one of their sockets is connected and active, `away` after
 * `awayAfterMs` without activity, `offline` once their last socket has been gone for `offlineGraceMs`
 * (so that a reconnect does not flicker). `dnd`, `away` and `offline` chosen with PUT /users/{id}/status
 * are manual: they survive reconnects and restarts (they are stored) until the user picks `online`.
 *
 * Statuses are stored in the `statuses` table, which answers every read. The socket counts and idle
 * timers live in this node's memory: with several nodes, a user connected to two of them would need
 * those counts shared (the clustering issue). At start-up automatic statuses are reset to offline,
 * which is right for one node.
 *
 * Every change is announced as `status_change` to the user and to everyone who shares a channel with
 * them, so clients can show presence without polling. Hubs coalesce these per recipient over
 * `presenceBatchMs` and leave out channels above `presenceMaxChannelMembers` members (whose members
 * poll `POST /users/status/ids`, as Mattermost's clients do).
 */
import { badRequest, forbidden, notFound } from '../lib/errors.js';
import { broadcastOf } from '../realtime/events.js';
import type { StatusRow } from '../store/realtime.js';
import { publish, type Actor, type Deps } from './context.js';

export const STATUSES = ['online', 'away', 'dnd', 'offline'] as const;
export type StatusName = (typeof STATUSES)[number];

export interface UserStatus {
  user_id: string;
  status: string;
  manual: boolean;
  last_activity_at: number;
}

export interface PresenceTiming {
  awayAfterMs: number;
  offlineGraceMs: number;
}

/** This node's view of one user's sockets. */
interface LocalPresence {
  sockets: number;
  lastActivityAt: number;
  /** The away transition has been applied for the current idle period. */
  idle: boolean;
  /** When the last socket closed (meaningful while sockets is 0). */
  closedAt: number;
}

export function presentStatus(userId: string, row: StatusRow | undefined): UserStatus {
  return {
    user_id: userId,
    status: row?.status ?? 'offline',
    manual: row?.manual === 1,
    last_activity_at: row?.last_activity_at ?? 0,
  };
}

export class PresenceService {
  private readonly local = new Map<string, LocalPresence>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: Deps) {}

  // ---- reads -------------------------------------------------------------------------------------

  async getStatus(userId: string): Promise<UserStatus> {
    const user = await this.deps.store.users.findById(userId);
    if (!user) throw notFound('user');
    return presentStatus(userId, await this.deps.store.realtime.findStatus(userId));
  }

  /** Statuses of these users, in the order asked; unknown users read as offline. */
  async getStatuses(userIds: readonly string[]): Promise<UserStatus[]> {
    const rows = new Map((await this.deps.store.realtime.findStatuses(userIds)).map((r) => [r.user_id, r]));
    return userIds.map((id) => presentStatus(id, rows.get(id)));
  }

  /** The statuses a client shows: its own and those of everyone sharing a channel with it. */
  async statusesAround(actor: Actor): Promise<Record<string, string>> {
    const ids = new Set(await this.deps.store.users.idsSharingAChannelWith(actor.userId));
    ids.add(actor.userId);
    const out: Record<string, string> = {};
    for (const s of await this.getStatuses([...ids])) out[s.user_id] = s.status;
    return out;
  }

  // ---- manual changes ----------------------------------------------------------------------------

  async setStatus(actor: Actor, userId: string, input: Record<string, unknown>): Promise<UserStatus> {
    if (actor.userId !== userId && !actor.isSystemAdmin) throw forbidden();
    const { status, user_id } = input;
    if (user_id !== undefined && user_id !== userId) {
      throw badRequest('api.context.invalid_body_param.app_error', 'user_id must match the URL.');
    }
    if (typeof status !== 'string' || !(STATUSES as readonly string[]).includes(status)) {
      throw badRequest(
        'api.context.invalid_body_param.app_error',
        'status must be online, away, dnd or offline.',
      );
    }
    if (!(await this.deps.store.users.findById(userId))) throw notFound('user');
    const now = this.deps.now();
    const row = await this.withLock(userId, () =>
      this.transition(userId, (old) =>
        status === 'online'
          ? { user_id: userId, status, manual: 0, last_activity_at: now }
          : { user_id: userId, status, manual: 1, last_activity_at: old?.last_activity_at ?? now },
      ),
    );
    const l = this.local.get(userId);
    if (l && status === 'online') {
      l.lastActivityAt = now;
      l.idle = false;
    }
    return presentStatus(userId, row);
  }

  // ---- what sockets report (called by this node's hub) -------------------------------------------

  socketOpened(userId: string): void {
    const now = this.deps.now();
    const l = this.local.get(userId);
    if (l) {
      l.sockets++;
      l.lastActivityAt = now;
      l.idle = false;
      l.closedAt = 0;
    } else {
      this.local.set(userId, { sockets: 1, lastActivityAt: now, idle: false, closedAt: 0 });
    }
    this.background(userId, () =>
      this.transition(userId, (old) =>
        old?.manual === 1 || old?.status === 'online'
          ? undefined
          : { user_id: userId, status: 'online', manual: 0, last_activity_at: now },
      ),
    );
  }

  socketClosed(userId: string): void {
    const l = this.local.get(userId);
    if (!l || l.sockets === 0) return;
    l.sockets--;
    if (l.sockets === 0) l.closedAt = this.deps.now();
  }

  /** `user_update_active_status`: the client saw its user act (or go idle). */
  activity(userId: string, active: boolean): void {
    const l = this.local.get(userId);
    if (!l) return;
    const now = this.deps.now();
    if (active) {
      l.lastActivityAt = now;
      if (!l.idle) return;
      l.idle = false;
      this.background(userId, () => this.automatic(userId, 'away', 'online', now));
    } else {
      if (l.idle) return;
      l.idle = true;
      this.background(userId, () => this.automatic(userId, 'online', 'away', now));
    }
  }

  /** Idle sockets become away; users whose last socket closed long enough ago become offline. */
  tick(timing: PresenceTiming): void {
    const now = this.deps.now();
    for (const [userId, l] of this.local) {
      if (l.sockets > 0) {
        if (!l.idle && now - l.lastActivityAt >= timing.awayAfterMs) {
          l.idle = true;
          this.background(userId, () => this.automatic(userId, 'online', 'away', l.lastActivityAt));
        }
      } else if (now - l.closedAt >= timing.offlineGraceMs) {
        this.local.delete(userId);
        this.background(userId, () => this.automatic(userId, undefined, 'offline', now));
      }
    }
  }

  /** Start-up: nobody is connected to this node yet. */
  async resetOnStart(): Promise<void> {
    await this.deps.store.realtime.resetAutomaticStatuses();
  }

  /** Shutdown: everyone connected here goes offline (manual statuses stay). */
  async shutdown(): Promise<void> {
    const now = this.deps.now();
    const users = [...this.local.keys()];
    this.local.clear();
    await Promise.all(
      users.map((u) =>
        this.withLock(u, () => this.automatic(u, undefined, 'offline', now)).catch((err: unknown) =>
          this.deps.log.warn({ err }, 'presence shutdown failed'),
        ),
      ),
    );
    await Promise.all([...this.locks.values()]);
  }

  // ---- internals ---------------------------------------------------------------------------------

  /** An automatic change `from` (any but `to` when undefined) → `to`; manual statuses are left alone. */
  private automatic(userId: string, from: string | undefined, to: StatusName, at: number) {
    return this.transition(userId, (old) => {
      if (old?.manual === 1) return undefined;
      const current = old?.status ?? 'offline';
      if (current === to || (from !== undefined && current !== from)) return undefined;
      return { user_id: userId, status: to, manual: 0, last_activity_at: at };
    });
  }

  /** Reads the row, lets `decide` pick the next one (undefined: no change), stores and announces it. */
  private async transition(
    userId: string,
    decide: (old: StatusRow | undefined) => StatusRow | undefined,
  ): Promise<StatusRow | undefined> {
    const old = await this.deps.store.realtime.findStatus(userId);
    const next = decide(old);
    if (!next) return old;
    await this.deps.store.realtime.putStatus(next);
    if (old?.status !== next.status) this.announce(userId, next.status);
    return next;
  }

  /**
   * Publishes the change for the user and whoever shares a channel with them; each hub resolves and
   * coalesces that audience (realtime/hub.ts), so no query runs here per change.
   */
  private announce(userId: string, status: string): void {
    publish(this.deps, {
      event: 'status_change',
      data: { status, user_id: userId },
      broadcast: broadcastOf({ user_id: userId }),
      audience: { kind: 'presence', userId },
    });
  }

  /** Runs fn after the user's previous presence work, so transitions of one user never interleave. */
  private withLock<T>(userId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(userId) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(userId, tail);
    void tail.then(() => {
      if (this.locks.get(userId) === tail) this.locks.delete(userId);
    });
    return run;
  }

  private background(userId: string, fn: () => Promise<unknown>): void {
    this.withLock(userId, fn).catch((err: unknown) =>
      this.deps.log.warn({ err, userId }, 'presence update failed'),
    );
  }
}
