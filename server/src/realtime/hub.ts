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
import { ReplayLog } from './replay.js';

/** Who is connected: enough to attach a socket. */
export interface SocketAuth {
  userId: string;
  sessionId: string;
}

/** What the queue holds: an event on its way, or a presence batch whose window ended. */
type Pending = PendingDelivery | PendingPresence;

interface PendingDelivery {
  kind: 'event';
  audience: Audience;
  /** Undefined for a marker that only carries `membersChanged`. */
  encoded: EncodedEvent | undefined;
  omit: ReadonlySet<string> | undefined;
  membersChanged: readonly string[] | undefined;
  /** 'all', or the user ids once resolved (no duplicates). */
  recipients: 'all' | ReadonlySet<string> | readonly string[] | undefined;
  /** The channel's cached members the recipients came from (its connections are cached with it). */
  entry: MemberEntry | undefined;
  /** Set when resolving the audience failed: nobody can tell who missed it. */
  failed: boolean;
  waiting: Promise<void> | undefined;
}

interface PendingPresence {
  kind: 'presence';
  /** The latest status_change of each user whose status changed in the window. */
  batch: Map<string, EncodedEvent>;
  /** Recipient user id → their events, once resolved. */
  recipients: Map<string, EncodedEvent[]> | undefined;
  failed: boolean;
  waiting: Promise<void> | undefined;
}

/**
 * A channel's member ids as loaded from the database (`members` once the query answered). An entry is
 * dropped when a membership change of its channel is drained from the queue, so an entry present when
 * an event reaches the head of the queue was loaded after every change published before that event.
 */
interface MemberEntry {
  members: ReadonlySet<string> | undefined;
  loading: Promise<void> | undefined;
  failed: boolean;
  /**
   * This node's connections of those members, as of `connsVersion` (the hub's `connsVersion` when
   * built): an event to a big channel then walks one array instead of a map lookup and a set per member.
   */
  conns?: Connection[];
  connsVersion?: number;
}

/** Sessions revoked recently, remembered so that a socket authenticated just before cannot attach after. */
const REVOKED_MEMORY_MS = 5 * 60_000;
/** Ids per `in (…)` query. */
const CHUNK = 500;

export class Hub {
  readonly nodeId = newId();
  private readonly conns = new Map<string, Connection>();
  private readonly byUser = new Map<string, Set<Connection>>();
  /** Changes whenever a connection is added to or removed from `byUser` (cached connection lists). */
  private connsVersion = 0;
  private readonly bySession = new Map<string, Set<Connection>>();
  private readonly revoked = new Map<string, number>();
  private readonly queue: Pending[] = [];
  private draining = false;
  private waitingOn: Pending | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Channel id → its members, loaded lazily (insertion order = load order, the oldest evicted first). */
  private readonly channelMembers = new Map<string, MemberEntry>();
  /** Status changes of the current presence window, the latest per user. */
  private presenceBatch = new Map<string, EncodedEvent>();
  private presenceTimer: NodeJS.Timeout | undefined;
  /** Recent events, each kept once, for connections that resume. */
  private readonly replayLog: ReplayLog;

  constructor(
    private readonly deps: Deps,
    private readonly bus: Bus,
    private readonly presence: PresenceService,
    readonly limits: RealtimeLimits,
  ) {
    this.replayLog = new ReplayLog(limits);
  }

  start(): void {
    this.unsubscribe ??= this.bus.subscribe((msg) => this.onBusMessage(msg));
  }

  /** Stops taking events and closes every socket. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.presenceTimer);
    this.presenceTimer = undefined;
    this.presenceBatch = new Map();
    for (const conn of [...this.conns.values()])
      this.dispose(conn, CloseCode.goingAway, 'server shutting down');
    this.queue.length = 0;
    this.channelMembers.clear();
    this.replayLog.clear();
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
    conn = new Connection(newId(), auth.userId, auth.sessionId, this.limits, this.replayLog);
    this.conns.set(conn.id, conn);
    addTo(this.byUser, conn.userId, conn);
    this.connsVersion++;
    addTo(this.bySession, conn.sessionId, conn);
    conn.attach(link);
    this.presence.socketOpened(conn.userId);
    conn.deliverFirst(encodeEvent(hello(conn.id)));
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
    conn.end();
    const link = conn.detach();
    if (link) {
      link.close(code, reason);
      this.presence.socketClosed(conn.userId);
    }
    this.conns.delete(conn.id);
    removeFrom(this.byUser, conn.userId, conn);
    this.connsVersion++;
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
    // Roles are the gateway's (it holds each socket's actor).
    if (msg.type === 'roles_changed') return;
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
    const audience = event.audience;
    const silent = audience.kind === 'users' && audience.userIds.length === 0;
    let omit: Set<string> | undefined;
    for (const id of event.omitUsers ?? []) (omit ??= new Set()).add(id);
    for (const [id, yes] of Object.entries(event.broadcast.omit_users ?? {})) {
      if (yes) (omit ??= new Set()).add(id);
    }
    const item: PendingDelivery = {
      kind: 'event',
      audience,
      encoded: silent ? undefined : encodeEvent(event),
      omit,
      membersChanged: event.membersChanged,
      recipients: undefined,
      entry: undefined,
      failed: false,
      waiting: undefined,
    };
    if (audience.kind === 'all') item.recipients = 'all';
    else if (audience.kind === 'users') item.recipients = dedupe(audience.userIds);
    else if (this.conns.size === 0) item.recipients = [];
    // Start loading what the audience needs now; the queue waits for it only when the event is due.
    else if (audience.kind === 'channel' && !item.membersChanged?.includes(audience.channelId)) {
      this.memberEntry(audience.channelId);
    } else if (audience.kind === 'team') item.waiting = this.resolveTeam(item, audience.teamId);
    this.queue.push(item);
    this.drain();
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const head = this.queue[0]!;
        if (!this.ready(head)) {
          // Wait for the head's audience (once per head), then carry on in order.
          if (this.waitingOn !== head) {
            this.waitingOn = head;
            void head.waiting?.then(() => this.drain());
          }
          return;
        }
        this.queue.shift();
        if (head.failed) this.resetAll();
        else if (head.kind === 'presence') this.deliverPresence(head);
        else this.deliver(head);
      }
    } finally {
      this.draining = false;
    }
  }

  /** True when the head can be delivered now; otherwise starts (once) what it waits for. */
  private ready(head: Pending): boolean {
    if (head.kind === 'event' && head.membersChanged) {
      // Membership changes apply first: this event and every later one see the new members.
      for (const id of head.membersChanged) this.channelMembers.delete(id);
      head.membersChanged = undefined;
    }
    if (head.recipients !== undefined || head.failed) return true;
    if (head.waiting) return false;
    if (head.kind === 'presence') {
      head.waiting = this.resolvePresence(head);
      return false;
    }
    const audience = head.audience;
    if (audience.kind === 'presence') {
      this.addToPresenceBatch(audience.userId, head.encoded);
      head.recipients = [];
      return true;
    }
    if (audience.kind !== 'channel' || this.conns.size === 0) {
      head.recipients ??= [];
      return true;
    }
    const entry = this.memberEntry(audience.channelId);
    if (entry.members) {
      head.recipients = entry.members;
      head.entry = entry;
      return true;
    }
    head.waiting = entry.loading!.then(() => {
      if (entry.members) {
        head.recipients = entry.members;
        head.entry = entry;
      } else head.failed = true;
    });
    return false;
  }

  private deliver(item: PendingDelivery): void {
    const { encoded, omit } = item;
    const recipients = item.recipients ?? [];
    if (!encoded) return;
    if (recipients === 'all') {
      for (const conn of this.conns.values()) {
        if (!omit?.has(conn.userId)) this.deliverTo(conn, encoded);
      }
      return;
    }
    if (item.entry) {
      for (const conn of this.connectionsOf(item.entry)) {
        if (!omit?.has(conn.userId)) this.deliverTo(conn, encoded);
      }
      return;
    }
    for (const userId of recipients) {
      if (omit?.has(userId)) continue;
      const conns = this.byUser.get(userId);
      if (!conns) continue;
      // deliverTo never removes from the set (a cut connection stays until disposed): no copy.
      for (const conn of conns) this.deliverTo(conn, encoded);
    }
  }

  /** The connections of a channel's members, rebuilt only when this node's connections changed. */
  private connectionsOf(entry: MemberEntry): readonly Connection[] {
    if (entry.conns && entry.connsVersion === this.connsVersion) return entry.conns;
    const conns: Connection[] = [];
    for (const userId of entry.members ?? []) {
      const own = this.byUser.get(userId);
      if (own) for (const conn of own) conns.push(conn);
    }
    entry.conns = conns;
    entry.connsVersion = this.connsVersion;
    return conns;
  }

  private deliverTo(conn: Connection, ev: EncodedEvent): void {
    if (conn.deliver(ev) === 'cut') this.presence.socketClosed(conn.userId);
  }

  // ---- channel members ---------------------------------------------------------------------------

  /** The channel's entry, loading it when absent. */
  private memberEntry(channelId: string): MemberEntry {
    const known = this.channelMembers.get(channelId);
    if (known) return known;
    const entry: MemberEntry = { members: undefined, loading: undefined, failed: false };
    entry.loading = this.retry(() => this.deps.store.channels.memberIds(channelId)).then(
      (ids) => {
        entry.members = new Set(ids);
        entry.loading = undefined;
      },
      (err: unknown) => this.loadFailed(channelId, entry, err),
    );
    this.remember(channelId, entry);
    return entry;
  }

  /** Entries for these channels, loading the absent ones in one query per chunk. */
  private memberEntries(channelIds: readonly string[]): Map<string, MemberEntry> {
    const out = new Map<string, MemberEntry>();
    const missing: string[] = [];
    for (const id of channelIds) {
      const known = this.channelMembers.get(id);
      if (known) out.set(id, known);
      else missing.push(id);
    }
    for (let i = 0; i < missing.length; i += CHUNK) {
      const chunk = missing.slice(i, i + CHUNK);
      const entries = chunk.map((): MemberEntry => ({
        members: undefined,
        loading: undefined,
        failed: false,
      }));
      const loading = this.retry(() => this.deps.store.realtime.membersOfChannels(chunk)).then(
        (rows) => {
          const sets = new Map<string, Set<string>>(chunk.map((id) => [id, new Set<string>()]));
          for (const r of rows) sets.get(r.channel_id)?.add(r.user_id);
          chunk.forEach((id, j) => {
            entries[j]!.members = sets.get(id);
            entries[j]!.loading = undefined;
          });
        },
        (err: unknown) => chunk.forEach((id, j) => this.loadFailed(id, entries[j]!, err)),
      );
      chunk.forEach((id, j) => {
        entries[j]!.loading = loading;
        this.remember(id, entries[j]!);
        out.set(id, entries[j]!);
      });
    }
    return out;
  }

  private remember(channelId: string, entry: MemberEntry): void {
    this.channelMembers.set(channelId, entry);
    while (this.channelMembers.size > Math.max(1, this.limits.memberCacheChannels)) {
      // Forgetting is always safe: whoever needs the channel again loads it again.
      const oldest = this.channelMembers.keys().next().value as string;
      this.channelMembers.delete(oldest);
    }
  }

  private loadFailed(channelId: string, entry: MemberEntry, err: unknown): void {
    this.deps.log.error({ err }, 'resolving an event audience failed');
    entry.failed = true;
    entry.loading = undefined;
    if (this.channelMembers.get(channelId) === entry) this.channelMembers.delete(channelId);
  }

  /** For tests: the member ids this hub holds for a channel (undefined when not loaded). */
  cachedMembers(channelId: string): ReadonlySet<string> | undefined {
    return this.channelMembers.get(channelId)?.members;
  }

  private async retry<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= 2) throw err;
      }
    }
  }

  private async resolveTeam(item: PendingDelivery, teamId: string): Promise<void> {
    try {
      item.recipients = await this.retry(() => this.deps.store.realtime.teamMemberIds(teamId));
    } catch (err) {
      this.deps.log.error({ err }, 'resolving an event audience failed');
      item.failed = true;
    }
  }

  // ---- presence ----------------------------------------------------------------------------------

  /**
   * A status change joins the current window's batch, replacing the user's earlier change in it; the
   * window's end queues the batch.
   */
  private addToPresenceBatch(userId: string, ev: EncodedEvent | undefined): void {
    if (!ev) return;
    this.presenceBatch.delete(userId);
    this.presenceBatch.set(userId, ev);
    if (this.presenceTimer) return;
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = undefined;
      const batch = this.presenceBatch;
      this.presenceBatch = new Map();
      if (batch.size === 0 || this.conns.size === 0) return;
      this.queue.push({ kind: 'presence', batch, recipients: undefined, failed: false, waiting: undefined });
      this.drain();
    }, this.limits.presenceBatchMs);
    this.presenceTimer.unref();
  }

  /**
   * Who hears each change: the user, and this node's connected users who share a channel of at most
   * presenceMaxChannelMembers members with them. One query for the changed users' channels; the
   * members come from the cache (absent ones loaded in one query).
   */
  private async resolvePresence(item: PendingPresence): Promise<void> {
    try {
      const users = [...item.batch.keys()];
      const channelsOf = new Map<string, string[]>();
      for (let i = 0; i < users.length; i += CHUNK) {
        const rows = await this.retry(() =>
          this.deps.store.realtime.channelsOfUsers(users.slice(i, i + CHUNK)),
        );
        for (const r of rows) {
          const list = channelsOf.get(r.channel_id);
          if (list) list.push(r.user_id);
          else channelsOf.set(r.channel_id, [r.user_id]);
        }
      }
      const entries = this.memberEntries([...channelsOf.keys()]);
      await Promise.all([...entries.values()].map((e) => e.loading));
      const max = this.limits.presenceMaxChannelMembers;
      const perRecipient = new Map<string, Map<string, EncodedEvent>>();
      const add = (recipient: string, userId: string) => {
        const ev = item.batch.get(userId)!;
        const got = perRecipient.get(recipient);
        if (got) got.set(userId, ev);
        else perRecipient.set(recipient, new Map([[userId, ev]]));
      };
      for (const userId of users) if (this.byUser.has(userId)) add(userId, userId);
      for (const [channelId, changed] of channelsOf) {
        const entry = entries.get(channelId)!;
        if (!entry.members) throw new Error('channel members could not be loaded');
        if (entry.members.size > max) continue;
        for (const recipient of entry.members) {
          if (!this.byUser.has(recipient)) continue;
          for (const userId of changed) add(recipient, userId);
        }
      }
      item.recipients = new Map([...perRecipient].map(([r, evs]) => [r, [...evs.values()]]));
    } catch (err) {
      this.deps.log.error({ err }, 'resolving a presence batch failed');
      // Presence is droppable: a lost batch leaves no gap (clients can poll), so nobody is reset.
      item.recipients = new Map();
    }
  }

  private deliverPresence(item: PendingPresence): void {
    for (const [userId, evs] of item.recipients ?? []) {
      const conns = this.byUser.get(userId);
      if (!conns) continue;
      for (const conn of conns) {
        if (conn.deliverDroppable(evs) === 'cut') this.presence.socketClosed(conn.userId);
      }
    }
  }

  /**
   * An event's audience could not be resolved, so nobody can tell who missed it: every connection is
   * ended, and each client reconnects under a new connection_id and refetches its state. No silent gap.
   */
  private resetAll(): void {
    for (const conn of [...this.conns.values()]) this.dispose(conn, CloseCode.internal, 'resync');
  }
}

/** The ids without duplicates (a set only when there can be any). */
function dedupe(ids: readonly string[]): ReadonlySet<string> | readonly string[] {
  return ids.length <= 1 ? ids : new Set(ids);
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
