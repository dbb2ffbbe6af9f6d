/**
 * The hub's recent events, for resume: each event's serialised prefix is kept once, under a number of
 * its own (its log index), however many connections it went to. A connection remembers only the log
 * index of each event it was sent, in a typed array (realtime/connection.ts).
 *
 * Why not a ring of Buffers per connection: storing the same new Buffer into a thousand long-lived
 * arrays costs a GC write barrier and a remembered-set entry per recipient, about a tenth of the cost
 * of a delivery (docs/PERFORMANCE.md), and bounds memory per connection instead of in all. Here the
 * log holds at most `replayLogEvents` events and `replayLogBytes` bytes; an event that has left it can
 * no longer be replayed, so a client asking for it gets a new connection and refetches.
 */
import type { RealtimeLimits } from './limits.js';

export class ReplayLog {
  /** `kept[head + k]` is the k-th oldest event kept; entries before `head` were dropped. */
  private kept: Buffer[] = [];
  private head = 0;
  /** Index of the oldest event kept. Indices are 32-bit and wrap (see `offset`). */
  private first = 0;
  private bytes = 0;

  constructor(private readonly limits: Pick<RealtimeLimits, 'replayLogEvents' | 'replayLogBytes'>) {}

  private get count(): number {
    return this.kept.length - this.head;
  }

  /** The index the next appended event gets. */
  get nextIndex(): number {
    return (this.first + this.count) >>> 0;
  }

  /** Bytes of the events kept (for tests and metrics). */
  get bytesKept(): number {
    return this.bytes;
  }

  /** Keeps `prefix` as the newest event and returns its index; drops the oldest past either bound. */
  append(prefix: Buffer): number {
    const index = this.nextIndex;
    this.kept.push(prefix);
    this.bytes += prefix.length;
    // Far fewer than 2^31 events are ever kept, so 32-bit indices that wrap stay unambiguous.
    const maxEvents = Math.min(2 ** 30, Math.max(1, this.limits.replayLogEvents));
    // The newest event stays, whatever its size: a resume from just before it remains possible.
    while (this.count > 1 && (this.count > maxEvents || this.bytes > this.limits.replayLogBytes)) {
      this.bytes -= this.kept[this.head]!.length;
      this.kept[this.head++] = EMPTY;
      this.first = (this.first + 1) >>> 0;
    }
    if (this.head >= 1024 && this.head * 2 >= this.kept.length) {
      this.kept.splice(0, this.head);
      this.head = 0;
    }
    return index;
  }

  /** Position of `index` among the kept events, or -1 when it has left the log (or never was in it). */
  private offset(index: number): number {
    const k = (index - this.first) >>> 0;
    return k < this.count ? k : -1;
  }

  /** The event at `index`, or undefined when it has left the log. */
  get(index: number): Buffer | undefined {
    const k = this.offset(index);
    return k < 0 ? undefined : this.kept[this.head + k];
  }

  has(index: number): boolean {
    return this.offset(index) >= 0;
  }

  clear(): void {
    this.first = this.nextIndex;
    this.kept = [];
    this.head = 0;
    this.bytes = 0;
  }
}

const EMPTY = Buffer.alloc(0);
