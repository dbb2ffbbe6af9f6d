/**
 * This node's hub: every connection on this process, indexed by connection id, user and session. It
 * takes events off the bus, works out who receives each (the audience the publishing service named,
 * resolved against current memberships), serialises each event once and hands the same bytes to every
 * recipient connection. Events are delivered in the order they were published, even when resolving an
 * audience needs the database.
 */
import { newId } from '../lib/ids.js';
import type { Deps } from '../services/context.js';
import type { PresenceService } from '../services/presence.js';
import type { Bus, BusMessage } from './bus.js';
import { Connection, type SocketLink } from './connection.js';
import type { Audience, ServerEvent } from './events.js';
import { CloseCode, encodeEvent, type EncodedEvent } from './frames.js';
import type { RealtimeLimits } from './limits.js';

/** Who is connected: enough to attach a socket. */
export interface SocketAuth {
  userId: string;
  sessionId: string;
}

interface PendingDelivery {
  encoded: EncodedEvent;
  omit: ReadonlySet<string>;
  /** 'all', or the user ids once resolved. */
  recipients: 'all' | readonly string[] | undefined;
  /** Set when resolving the audience failed: nobody can tell who missed it. */
  failed: boolean;
  resolving: Promise<void> | undefined;
}

/** Sessions revoked recently, remembered so that a socket authenticated just before cannot attach after. */
const REVOKED_MEMORY_MS = 5 * 60_000;

export class Hub {
  readonly nodeId = newId();
  private readonly conns = new Map<string, Connection>();
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly bySession = new Map<string, Set<Connection>>();
  private readonly revoked = new Map<string, number>();
  private readonly queue: PendingDelivery[] = [];
  private draining = false;
  private waitingOn: PendingDelivery | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly deps: Deps,
    private readonly bus: Bus,
    private readonly presence: PresenceService,
    readonly limits: RealtimeLimits,
  ) {}

  start(): void {
    this.unsubscribe ??= this.bus.subscribe((msg) => this.onBusMessage(msg));
  }

  /** Stops taking events and closes every socket. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const conn of [...this.conns.values()])
      this.dispose(conn, CloseCode.goingAway, 'server shutting down');
    this.queue.length = 0;
  }

  // ---- connections -------------------------------------------------------------------------------

  /**
   * Attaches an authenticated socket: to the connection it resumes when that is possible (same user,
   * within the window, no events lost), otherwise to a new connection that starts with `hello`.
   * Returns the connection, or undefined when the session was revoked meanwhile.
   */
  attach(
    link: SocketLink,
    auth: SocketAuth,
    resume: { connectionId: string; seq: number } | undefined,
    hello: (connectionId: string) => ServerEvent,
  ): Connection | undefined {
    if (this.revoked.has(auth.sessionId)) {
      link.close(CloseCode.sessionEnded, 'session ended');
      return undefined;
    }
    const now = Date.now();
    let conn = resume ? this.conns.get(resume.connectionId) : undefined;
    if (conn && resume && this.canResume(conn, auth, resume.seq, now)) {
      const old = conn.detach(now);
      if (old) {
        old.close(CloseCode.superseded, 'resumed elsewhere');
        this.presence.socketClosed(conn.userId);
      }
      this.reindexSession(conn, auth.sessionId);
      conn.attach(link);
      this.presence.socketOpened(conn.userId);
      conn.replayFrom(resume.seq);
      return conn;
    }
    conn = new Connection(newId(), auth.userId, auth.sessionId, this.limits);
    this.conns.set(conn.id, conn);
    addTo(this.byUser, conn.userId, conn);
    addTo(this.bySession, conn.sessionId, conn);
    conn.attach(link);
    this.presence.socketOpened(conn.userId);
    conn.deliver(encodeEvent(hello(conn.id)));
    return conn;
  }

  private canResume(conn: Connection, auth: SocketAuth, seq: number, now: number): boolean {
    if (conn.userId !== auth.userId || conn.disposed) return false;
    if (!conn.attached && now - conn.detachedAt > this.limits.resumeWindowMs) return false;
    return conn.canResumeFrom(seq);
  }

  private reindexSession(conn: Connection, sessionId: string): void {
    if (conn.sessionId === sessionId) return;
    removeFrom(this.bySession, conn.sessionId, conn);
    conn.sessionId = sessionId;
    addTo(this.bySession, sessionId, conn);
  }

  /** The socket closed (or was dropped); the connection stays resumable for the window. */
  socketClosed(conn: Connection, link: SocketLink): void {
    if (conn.link !== link) return;
    conn.detach();
    this.presence.socketClosed(conn.userId);
  }

  /** Ends a connection for good: its socket is closed and it can no longer be resumed. */
  dispose(conn: Connection, code: number, reason: string): void {
    if (conn.disposed) return;
    conn.disposed = true;
    const link = conn.detach();
    if (link) {
      link.close(code, reason);
      this.presence.socketClosed(conn.userId);
    }
    this.conns.delete(conn.id);
    removeFrom(this.byUser, conn.userId, conn);
    removeFrom(this.bySession, conn.sessionId, conn);
  }

  /** For tests and metrics: whether a connection is unknown, waiting for a resume, or attached. */
  connectionState(connectionId: string): 'attached' | 'detached' | undefined {
    const conn = this.conns.get(connectionId);
    return conn ? (conn.attached ? 'attached' : 'detached') : undefined;
  }

  get connectionCount(): number {
    return this.conns.size;
  }

  get attachedCount(): number {
    let n = 0;
    for (const conn of this.conns.values()) if (conn.attached) n++;
    return n;
  }

  // ---- housekeeping ------------------------------------------------------------------------------

  /** Drops connections whose resume window passed and forgets old revocations. */
  sweep(now = Date.now()): void {
    for (const conn of [...this.conns.values()]) {
      if (!conn.attached && now - conn.detachedAt > this.limits.resumeWindowMs) {
        this.dispose(conn, CloseCode.normal, 'expired');
      }
    }
    for (const [id, at] of this.revoked) if (now - at > REVOKED_MEMORY_MS) this.revoked.delete(id);
  }

  /** Pings every attached socket; one that did not answer the previous ping is dropped. */
  ping(): void {
    for (const conn of this.conns.values()) {
      const link = conn.link;
      if (!link) continue;
      if (!conn.alive) {
        link.terminate();
        this.socketClosed(conn, link);
        continue;
      }
      conn.alive = false;
      link.ping();
    }
  }

  /** Closes connections whose session no longer stands (expired, or revoked on another node). */
  async checkSessions(): Promise<void> {
    const ids = [...this.bySession.keys()];
    const live = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      for (const id of await this.deps.store.realtime.liveSessionIds(chunk, this.deps.now())) live.add(id);
    }
    this.revokeSessions(ids.filter((id) => !live.has(id)));
  }

  // ---- events ------------------------------------------------------------------------------------

  private onBusMessage(msg: BusMessage): void {
    if (msg.type === 'sessions_revoked') {
      this.revokeSessions(msg.sessionIds);
      return;
    }
    this.enqueue(msg.event);
  }

  private revokeSessions(sessionIds: readonly string[]): void {
    const now = Date.now();
    for (const id of sessionIds) {
      this.revoked.set(id, now);
      const conns = this.bySession.get(id);
      if (!conns) continue;
      for (const conn of [...conns]) this.dispose(conn, CloseCode.sessionEnded, 'session ended');
    }
  }

  /** Queues an event for delivery; the queue keeps publication order. */
  enqueue(event: ServerEvent): void {
    const omit = new Set<string>(event.omitUsers ?? []);
    for (const [id, yes] of Object.entries(event.broadcast.omit_users ?? {})) if (yes) omit.add(id);
    const item: PendingDelivery = {
      encoded: encodeEvent(event),
      omit,
      recipients: undefined,
      failed: false,
      resolving: undefined,
    };
    const sync = this.resolveNow(event.audience);
    if (sync !== undefined) item.recipients = sync;
    else if (this.conns.size === 0) item.recipients = [];
    else item.resolving = this.resolveLater(item, event.audience);
    this.queue.push(item);
    this.drain();
  }

  private resolveNow(audience: Audience): 'all' | readonly string[] | undefined {
    switch (audience.kind) {
      case 'all':
        return 'all';
      case 'users':
        return audience.userIds;
      default:
        return undefined;
    }
  }

  private async resolveLater(item: PendingDelivery, audience: Audience): Promise<void> {
    const { store } = this.deps;
    for (let attempt = 0; ; attempt++) {
      try {
        item.recipients =
          audience.kind === 'channel'
            ? await store.channels.memberIds(audience.channelId)
            : audience.kind === 'team'
              ? await store.realtime.teamMemberIds(audience.teamId)
              : [];
        return;
      } catch (err) {
        if (attempt >= 2) {
          this.deps.log.error({ err }, 'resolving an event audience failed');
          item.failed = true;
          return;
        }
      }
    }
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0]!;
        if (head.recipients === undefined && !head.failed) {
          // Wait for the head's audience (once per head), then carry on in order.
          if (this.waitingOn !== head) {
            this.waitingOn = head;
            void head.resolving?.then(() => this.drain());
          }
          return;
        }
        this.queue.shift();
        if (head.failed) this.resetAll();
        else this.deliver(head);
      }
    } finally {
      this.draining = false;
    }
  }

  private deliver(item: PendingDelivery): void {
    const recipients = item.recipients ?? [];
    if (recipients === 'all') {
      for (const conn of [...this.conns.values()]) {
        if (!item.omit.has(conn.userId)) this.deliverTo(conn, item.encoded);
      }
      return;
    }
    for (const userId of new Set(recipients)) {
      if (item.omit.has(userId)) continue;
      const conns = this.byUser.get(userId);
      if (!conns) continue;
      for (const conn of [...conns]) this.deliverTo(conn, item.encoded);
    }
  }

  private deliverTo(conn: Connection, ev: EncodedEvent): void {
    if (conn.deliver(ev) === 'cut') this.presence.socketClosed(conn.userId);
  }

  /**
   * An event's audience could not be resolved, so nobody can tell who missed it: every connection is
   * ended, and each client reconnects under a new connection_id and refetches its state. No silent gap.
   */
  private resetAll(): void {
    for (const conn of [...this.conns.values()]) this.dispose(conn, CloseCode.internal, 'resync');
  }
}

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
