/**
 * One logical WebSocket connection (one `connection_id`): its user and session, its sequence counter,
 * the last events it was sent (for resume) and, while a socket is attached, that socket. A connection
 * outlives its socket for the resume window: events keep being numbered and kept while it is detached,
 * and a socket that resumes gets them replayed in order.
 */
import {
  CloseCode,
  writeEventFrame,
  writeEventFrames,
  writeTextFrame,
  type EncodedEvent,
  type FrameSink,
} from './frames.js';
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
  /**
   * The last events' serialised prefixes, oldest first from `keptHead`, for resume: at most
   * `replayEvents` of them and `replayBytes` in all. `kept[keptHead]` has seq `nextSeq - keptCount`.
   * Empty until the first event, so an idle connection holds no array at all.
   */
  private kept: Buffer[] | undefined;
  private keptHead = 0;
  private keptBytes = 0;

  constructor(
    readonly id: string,
    readonly userId: string,
    public sessionId: string,
    private readonly limits: RealtimeLimits,
  ) {}

  get attached(): boolean {
    return this.link !== undefined;
  }

  private get keptCount(): number {
    return this.kept ? this.kept.length - this.keptHead : 0;
  }

  /** The oldest sequence number still kept. */
  get firstKeptSeq(): number {
    return this.nextSeq - this.keptCount;
  }

  /** Bytes of events kept for resume (for tests and metrics). */
  get replayBytesKept(): number {
    return this.keptBytes;
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
    this.keep(ev.prefix);
    if (gate === 'store') return 'stored';
    if (gate === 'store-cut') return 'cut';
    writeEventFrame(this.link!.sink, ev.prefix, seq);
    return 'sent';
  }

  /**
   * Droppable events (a presence batch) in one write: each numbered and kept, all framed into one
   * buffer. Like a single droppable event, the whole batch is skipped for a socket that is behind or
   * absent, using no numbers.
   */
  deliverDroppable(evs: readonly EncodedEvent[]): DeliveryResult {
    if (evs.length === 0) return 'dropped';
    if (evs.length === 1) return this.deliver(evs[0]!);
    const gate = this.gate(true);
    if (gate !== 'write') return gate === 'cut' ? 'cut' : 'dropped';
    const first = this.nextSeq;
    this.nextSeq += evs.length;
    for (const ev of evs) this.keep(ev.prefix);
    writeEventFrames(this.link!.sink, evs, first);
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

  private keep(prefix: Buffer): void {
    const kept = (this.kept ??= []);
    kept.push(prefix);
    this.keptBytes += prefix.length;
    const maxEvents = Math.max(1, this.limits.replayEvents);
    const maxBytes = this.limits.replayBytes;
    // The newest event is always kept, whatever its size: a resume from just before it stays possible.
    while (
      kept.length - this.keptHead > 1 &&
      (kept.length - this.keptHead > maxEvents || this.keptBytes > maxBytes)
    ) {
      this.keptBytes -= kept[this.keptHead]!.length;
      kept[this.keptHead++] = EMPTY;
    }
    if (this.keptHead >= 64 && this.keptHead * 2 >= kept.length) {
      kept.splice(0, this.keptHead);
      this.keptHead = 0;
    }
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

  /** Writes the kept events from `seq` on (seq >= firstKeptSeq), in order, to the attached socket. */
  replayFrom(seq: number): number {
    const link = this.link;
    if (!link) return 0;
    const kept = this.kept ?? [];
    const offset = kept.length - (this.nextSeq - seq);
    let bytes = 0;
    for (let i = Math.max(offset, this.keptHead), s = seq + (i - offset); i < kept.length; i++, s++) {
      bytes += writeEventFrame(link.sink, kept[i]!, s);
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

const EMPTY = Buffer.alloc(0);
