/**
 * One logical WebSocket connection (one `connection_id`): its user and session, its sequence counter,
 * the last events it was sent (for resume) and, while a socket is attached, that socket. A connection
 * outlives its socket for the resume window: events keep being numbered and kept while it is detached,
 * and a socket that resumes gets them replayed in order.
 */
import { CloseCode, writeEventFrame, writeTextFrame, type EncodedEvent, type FrameSink } from './frames.js';
import type { RealtimeLimits } from './limits.js';

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
  disposed = false;
  /** Answered the last server ping. */
  alive = true;
  /** Bytes of replay written on attach, allowed above the hard limit until the socket drains. */
  private replayAllowance = 0;
  /** Ring of the last events' serialised prefixes; event `seq` is at `seq % capacity`. */
  private readonly ring: Buffer[] = [];
  private readonly capacity: number;

  constructor(
    readonly id: string,
    readonly userId: string,
    public sessionId: string,
    private readonly limits: RealtimeLimits,
  ) {
    this.capacity = Math.max(1, limits.replayEvents);
  }

  get attached(): boolean {
    return this.link !== undefined;
  }

  /** The oldest sequence number still kept. */
  get firstKeptSeq(): number {
    return Math.max(0, this.nextSeq - this.capacity);
  }

  /**
   * Numbers and keeps the event and writes it to the socket if one is attached. A droppable event is
   * skipped (without using a number, so no gap) when the socket is behind or absent. A socket past the
   * hard limit is closed and the event kept for its resume; 'cut' tells the caller the socket is gone.
   */
  deliver(ev: EncodedEvent): DeliveryResult {
    if (this.disposed) return 'dropped';
    let cut = false;
    const link = this.link;
    if (link) {
      if (!link.isOpen()) {
        this.detach();
        cut = true;
      } else {
        const buffered = link.sink.writableLength;
        if (ev.droppable && buffered > this.limits.softBufferBytes) return 'dropped';
        if (buffered - this.replayAllowance > this.limits.hardBufferBytes) {
          link.close(CloseCode.slowConsumer, 'send buffer full');
          this.detach();
          cut = true;
        }
      }
    }
    if (!this.link && ev.droppable) return cut ? 'cut' : 'dropped';
    const seq = this.nextSeq++;
    this.keep(seq, ev.prefix);
    if (!this.link) return cut ? 'cut' : 'stored';
    writeEventFrame(this.link.sink, ev.prefix, seq);
    return 'sent';
  }

  private keep(seq: number, prefix: Buffer): void {
    if (this.ring.length < this.capacity) this.ring.push(prefix);
    else this.ring[seq % this.capacity] = prefix;
  }

  /** True when a socket asking for events from `seq` on can be served without a gap. */
  canResumeFrom(seq: number): boolean {
    return !this.disposed && Number.isInteger(seq) && seq >= this.firstKeptSeq && seq <= this.nextSeq;
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

  /** Writes the kept events from `seq` on, in order, to the attached socket. */
  replayFrom(seq: number): number {
    const link = this.link;
    if (!link) return 0;
    let bytes = 0;
    for (let s = seq; s < this.nextSeq; s++) {
      const prefix = this.ring[s % this.capacity];
      if (prefix) bytes += writeEventFrame(link.sink, prefix, s);
    }
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
