/**
 * One logical WebSocket connection (one `connection_id`): its user and session, its sequence counter,
 * the last events it was sent (for resume) and, while a socket is attached, that socket. A connection
 * outlives its socket for the resume window: events keep being numbered and kept while it is detached,
 * and a socket that resumes gets them replayed in order.
 */
import { CloseCode, writeEventFrame, writeTextFrame, type EncodedEvent, type FrameSink } from './frames.js';
import type { RealtimeLimits } from './limits.js';
import type { ReplayLog } from './replay.js';

/** The socket side of a connection, as the hub sees it. */
export interface SocketLink {
  readonly sink: FrameSink;
  /** True while data frames may be written (the WebSocket is OPEN). */
  isOpen(): boolean;
  close(code: number, reason: string): void;
  /** Drops the socket without a closing handshake (the peer is gone). */
  terminate(): void;
  /** Sends a WebSocket ping frame. */
  ping(): void;
}

export type DeliveryResult = 'sent' | 'stored' | 'dropped' | 'cut';

export class Connection {
  /** Sequence number the next event gets; the hello is 0. */
  nextSeq = 0;
  link: SocketLink | undefined;
  /** When the last socket went away (0 while attached). */
  detachedAt = 0;
  /** Set when the connection was ended for good (session revoked, expired); it never delivers again. */
  get disposed(): boolean {
    return this.ended;
  }
  private ended = false;
  /** Answered the last server ping. */
  alive = true;
  /** Bytes of replay written on attach, allowed above the hard limit until the socket drains. */
  private replayAllowance = 0;
  /**
   * For resume: the replay-log index of each of the last events this connection was sent, event `seq`
   * at `ring[seq % ring.length]`, for seqs `keptFrom` … `nextSeq - 1` (at most `replayEvents`). 32-bit
   * numbers, not Buffers: storing them costs the garbage collector nothing, and 4 bytes an event. Absent
   * until the first event and grown by doubling, so an idle connection holds a few bytes.
   */
  private ring: Uint32Array | undefined;
  private keptFrom = 0;

  constructor(
    readonly id: string,
    readonly userId: string,
    public sessionId: string,
    private readonly limits: RealtimeLimits,
    private readonly log: ReplayLog,
  ) {}

  /** Ends the connection for good (the caller closes its socket) and lets go of what it kept. */
  end(): void {
    this.ended = true;
    this.ring = undefined;
  }

  get attached(): boolean {
    return this.link !== undefined;
  }

  /** The oldest sequence number that can still be replayed (nextSeq when none can). */
  get firstKeptSeq(): number {
    if (!this.ring) return this.nextSeq;
    let seq = this.keptFrom;
    while (seq < this.nextSeq && !this.log.has(this.indexOf(seq))) seq++;
    return seq;
  }

  /**
   * Numbers and keeps the event and writes it to the socket if one is attached. A droppable event is
   * skipped (without using a number, so no gap) when the socket is behind or absent. A socket past the
   * hard limit is closed and the event kept for its resume; 'cut' tells the caller the socket is gone.
   */
  deliver(ev: EncodedEvent): DeliveryResult {
    const gate = this.gate(ev.droppable);
    if (gate === 'dropped' || gate === 'cut') return gate;
    const seq = this.nextSeq++;
    this.keep(seq, this.logged(ev));
    if (gate === 'store') return 'stored';
    if (gate === 'store-cut') return 'cut';
    writeEventFrame(this.link!.sink, ev.prefix, seq);
    return 'sent';
  }

  /**
   * Writes `hello`, the connection's first event (seq 0), without keeping it for resume: a client
   * resumes from the seq after the last one it received, so seq 0 is never asked for again (one that
   * asks gets a new connection and a new hello). Kept, every connection's hello would sit in the
   * replay log, 200+ bytes per connection on an idle server.
   */
  deliverFirst(ev: EncodedEvent): void {
    if (this.nextSeq !== 0 || this.ring) throw new Error('deliverFirst: the connection already has events');
    const gate = this.gate(false);
    this.nextSeq = 1;
    this.keptFrom = 1;
    if (gate === 'write') writeEventFrame(this.link!.sink, ev.prefix, 0);
  }

  /**
   * Droppable events (a presence batch) in one corked write: each numbered and kept. Like a single
   * droppable event, the whole batch is skipped for a socket that is behind or absent, using no numbers.
   * The bodies are shared, never copied per socket: a batch copied into one buffer per recipient made
   * connecting an office cost 15 KB of transient memory per socket.
   */
  deliverDroppable(evs: readonly EncodedEvent[]): DeliveryResult {
    if (evs.length === 0) return 'dropped';
    if (evs.length === 1) return this.deliver(evs[0]!);
    const gate = this.gate(true);
    if (gate !== 'write') return gate === 'cut' ? 'cut' : 'dropped';
    const sink = this.link!.sink;
    sink.cork();
    for (const ev of evs) {
      const seq = this.nextSeq++;
      this.keep(seq, this.logged(ev));
      writeEventFrame(sink, ev.prefix, seq);
    }
    sink.uncork();
    return 'sent';
  }

  /**
   * Decides what a delivery does: write it, only keep it (no socket; '-cut' when this delivery found
   * the socket gone or cut it), or nothing ('dropped', or 'cut' for a droppable event).
   */
  private gate(droppable: boolean): 'write' | 'store' | 'store-cut' | 'dropped' | 'cut' {
    if (this.disposed) return 'dropped';
    const link = this.link;
    let cut = false;
    if (link) {
      if (!link.isOpen()) {
        this.detach();
        cut = true;
      } else {
        const buffered = link.sink.writableLength;
        if (droppable && buffered > this.limits.softBufferBytes) return 'dropped';
        if (buffered - this.replayAllowance > this.limits.hardBufferBytes) {
          link.close(CloseCode.slowConsumer, 'send buffer full');
          this.detach();
          cut = true;
        }
      }
    }
    if (this.link) return 'write';
    if (droppable) return cut ? 'cut' : 'dropped';
    return cut ? 'store-cut' : 'store';
  }

  /** The event's replay-log index, appending it to the log the first time any connection sends it. */
  private logged(ev: EncodedEvent): number {
    if (ev.logIndex < 0 || this.log.get(ev.logIndex) !== ev.prefix) ev.logIndex = this.log.append(ev.prefix);
    return ev.logIndex;
  }

  private keep(seq: number, logIndex: number): void {
    const max = Math.max(1, this.limits.replayEvents);
    let ring = this.ring ?? (this.ring = new Uint32Array(Math.min(max, 8)));
    if (seq - this.keptFrom >= ring.length) {
      if (ring.length < max) ring = this.grow(Math.min(max, ring.length * 2));
      else this.keptFrom = seq - ring.length + 1;
    }
    // replayEvents may have been lowered at run time below the ring's length.
    if (seq - this.keptFrom >= max) this.keptFrom = seq - max + 1;
    ring[seq % ring.length] = logIndex;
  }

  private grow(length: number): Uint32Array {
    const old = this.ring!;
    const ring = new Uint32Array(length);
    for (let s = this.keptFrom; s < this.nextSeq - 1; s++) ring[s % length] = old[s % old.length]!;
    this.ring = ring;
    return ring;
  }

  /** The log index of a kept seq (keptFrom <= seq < nextSeq). */
  private indexOf(seq: number): number {
    const ring = this.ring!;
    return ring[seq % ring.length]!;
  }

  /**
   * True when a socket asking for events from `seq` on can be served without a gap: every event from
   * seq on is still kept, here and in the log (later events have later log indices, so checking the
   * first is enough).
   */
  canResumeFrom(seq: number): boolean {
    if (this.disposed || !Number.isInteger(seq) || seq < this.keptFrom || seq > this.nextSeq) return false;
    return seq === this.nextSeq || this.log.has(this.indexOf(seq));
  }

  attach(link: SocketLink): void {
    this.link = link;
    this.detachedAt = 0;
    this.alive = true;
    this.replayAllowance = 0;
  }

  /** Forgets the socket (the caller closes it if needed); returns it. */
  detach(now = Date.now()): SocketLink | undefined {
    const link = this.link;
    this.link = undefined;
    this.detachedAt = now;
    return link;
  }

  /** Writes the kept events from `seq` on (canResumeFrom(seq) held), in order, to the attached socket. */
  replayFrom(seq: number): number {
    const link = this.link;
    if (!link) return 0;
    let bytes = 0;
    link.sink.cork();
    for (let s = Math.max(seq, this.keptFrom); s < this.nextSeq; s++) {
      const prefix = this.log.get(this.indexOf(s));
      // Only when the log moved on since canResumeFrom: the client sees a seq gap and refetches.
      if (!prefix) break;
      bytes += writeEventFrame(link.sink, prefix, s);
    }
    link.sink.uncork();
    this.replayAllowance = bytes;
    return Math.max(0, this.nextSeq - seq);
  }

  /** The socket emptied its buffer: the replay is out, normal limits apply again. */
  drained(): void {
    this.replayAllowance = 0;
  }

  /** Writes a reply (not numbered, not kept) if a socket is attached. */
  reply(text: string): void {
    if (this.link?.isOpen()) writeTextFrame(this.link.sink, text);
  }
}
