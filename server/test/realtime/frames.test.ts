import { describe, expect, it } from 'vitest';
import { Connection, type SocketLink } from '../../src/realtime/connection.js';
import { broadcastOf } from '../../src/realtime/events.js';
import { CloseCode, encodeEvent, writeEventFrame, type FrameSink } from '../../src/realtime/frames.js';
import { defaultLimits, type RealtimeLimits } from '../../src/realtime/limits.js';
import { ReplayLog } from '../../src/realtime/replay.js';

/** A socket stand-in that records chunks and lets a test set how much is still unsent. */
class FakeSink implements FrameSink {
  chunks: Buffer[] = [];
  writableLength = 0;
  corked = 0;
  cork() {
    this.corked++;
  }
  uncork() {
    this.corked--;
  }
  write(chunk: Buffer) {
    this.chunks.push(chunk);
    return true;
  }
  /** Splits what was written into frames and returns their payloads as parsed JSON. */
  frames(): Record<string, unknown>[] {
    const all = Buffer.concat(this.chunks);
    const out: Record<string, unknown>[] = [];
    let at = 0;
    while (at < all.length) {
      expect(all[at]).toBe(0x81);
      let len = all[at + 1]!;
      let h = 2;
      expect(len & 0x80).toBe(0); // never masked
      if (len === 126) {
        len = all.readUInt16BE(at + 2);
        h = 4;
      } else if (len === 127) {
        len = Number(all.readBigUInt64BE(at + 2));
        h = 10;
      }
      out.push(JSON.parse(all.subarray(at + h, at + h + len).toString('utf8')) as Record<string, unknown>);
      at += h + len;
    }
    return out;
  }
}

function link(sink: FakeSink): SocketLink & { closes: number[]; open: boolean } {
  const l = {
    sink,
    closes: [] as number[],
    open: true,
    isOpen: () => l.open,
    close: (code: number) => {
      l.closes.push(code);
      l.open = false;
    },
    terminate: () => {
      l.open = false;
    },
    ping: () => {},
  };
  return l;
}

const ev = (event: string, data: Record<string, unknown> = {}) =>
  encodeEvent({ event, data, broadcast: broadcastOf({ channel_id: 'c' }) });

/** Attaches a fresh socket to `conn`, replays from `seq` and answers the frames it was written. */
function replayed(conn: Connection, seq: number): Record<string, unknown>[] {
  const sink = new FakeSink();
  conn.attach(link(sink));
  conn.replayFrom(seq);
  return sink.frames();
}

/** Each frame's `data.n` and `seq`. */
const nAndSeq = (frames: Record<string, unknown>[]) =>
  frames.map((f) => [(f.data as { n: number }).n, f.seq]);

describe('frames', () => {
  it('writes Mattermost’s envelope with seq last, for small, medium and large payloads', () => {
    for (const size of [10, 1000, 70_000]) {
      const sink = new FakeSink();
      writeEventFrame(sink, ev('posted', { message: 'é'.repeat(size) }).prefix, 42);
      const [frame] = sink.frames();
      expect(Object.keys(frame!)).toEqual(['event', 'data', 'broadcast', 'seq']);
      expect(frame).toEqual({
        event: 'posted',
        data: { message: 'é'.repeat(size) },
        broadcast: { omit_users: null, user_id: '', channel_id: 'c', team_id: '' },
        seq: 42,
      });
      expect(sink.corked).toBe(0);
    }
  });

  it('writes the very same body buffer to every recipient, small or large: serialised once, never copied', () => {
    for (const pad of [10, 10_000]) {
      const encoded = ev('posted', { post: 'x'.repeat(pad) });
      const a = new FakeSink();
      const b = new FakeSink();
      writeEventFrame(a, encoded.prefix, 0);
      writeEventFrame(b, encoded.prefix, 7);
      expect(a.chunks[1]).toBe(encoded.prefix);
      expect(b.chunks[1]).toBe(encoded.prefix);
      expect(a.frames()[0]!.seq).toBe(0);
      expect(b.frames()[0]!.seq).toBe(7);
    }
  });
});

describe('a connection’s send buffer', () => {
  const limits = { ...defaultLimits(60_000), softBufferBytes: 1000, hardBufferBytes: 5000, replayEvents: 4 };
  /** A connection with a replay log of its own (the hub shares one among all its connections). */
  const connection = (l: RealtimeLimits = limits, log = new ReplayLog(l)) =>
    new Connection('c'.repeat(26), 'u', 's', l, log);

  it('drops typing and status events for a lagging socket without leaving a gap', () => {
    const sink = new FakeSink();
    const conn = connection();
    conn.attach(link(sink));
    expect(conn.deliver(ev('posted'))).toBe('sent');
    sink.writableLength = 2000;
    expect(conn.deliver(ev('typing'))).toBe('dropped');
    expect(conn.deliver(ev('status_change'))).toBe('dropped');
    expect(conn.deliver(ev('posted'))).toBe('sent');
    sink.writableLength = 0;
    expect(conn.deliver(ev('typing'))).toBe('sent');
    expect(sink.frames().map((f) => [f.event, f.seq])).toEqual([
      ['posted', 0],
      ['posted', 1],
      ['typing', 2],
    ]);
  });

  it('closes a socket past the hard limit with 4008 and keeps the event for its resume', () => {
    const sink = new FakeSink();
    const l = link(sink);
    const conn = connection();
    conn.attach(l);
    conn.deliver(ev('posted', { n: 0 }));
    sink.writableLength = 6000;
    expect(conn.deliver(ev('posted', { n: 1 }))).toBe('cut');
    expect(l.closes).toEqual([CloseCode.slowConsumer]);
    expect(conn.attached).toBe(false);
    expect(conn.deliver(ev('typing'))).toBe('dropped');
    expect(conn.deliver(ev('posted', { n: 2 }))).toBe('stored');

    const again = new FakeSink();
    conn.attach(link(again));
    expect(conn.canResumeFrom(1)).toBe(true);
    conn.replayFrom(1);
    expect(again.frames().map((f) => [(f.data as { n: number }).n, f.seq])).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it('keeps the last replayEvents events and refuses to resume from before them', () => {
    const conn = connection();
    for (let i = 0; i < 6; i++) conn.deliver(ev('posted', { n: i }));
    expect(conn.nextSeq).toBe(6);
    expect(conn.canResumeFrom(1)).toBe(false);
    expect(conn.canResumeFrom(2)).toBe(true);
    expect(conn.canResumeFrom(6)).toBe(true);
    expect(conn.canResumeFrom(7)).toBe(false);
    expect(replayed(conn, 2).map((f) => (f.data as { n: number }).n)).toEqual([2, 3, 4, 5]);
  });

  it('writes hello as seq 0 without keeping it: resume from 1 works, from 0 is refused', () => {
    const l = { ...limits, replayEvents: 1000 };
    const log = new ReplayLog(l);
    const sink = new FakeSink();
    const conn = connection(l, log);
    conn.attach(link(sink));
    conn.deliverFirst(ev('hello', { connection_id: 'x' }));
    expect(sink.frames().map((f) => [f.event, f.seq])).toEqual([['hello', 0]]);
    expect(log.nextIndex).toBe(0);
    expect(conn.nextSeq).toBe(1);
    expect(conn.canResumeFrom(0)).toBe(false);
    expect(conn.canResumeFrom(1)).toBe(true);
    conn.deliver(ev('posted', { n: 1 }));
    expect(log.nextIndex).toBe(1);
    expect(conn.canResumeFrom(0)).toBe(false);
    expect(conn.canResumeFrom(1)).toBe(true);
    expect(replayed(conn, 1).map((f) => [f.event, f.seq])).toEqual([['posted', 1]]);
    expect(() => conn.deliverFirst(ev('hello'))).toThrow();
  });

  it('keeps each event once in the shared log, whatever the number of recipients', () => {
    const l = { ...limits, replayEvents: 1000 };
    const log = new ReplayLog(l);
    const conns = Array.from({ length: 50 }, () => connection(l, log));
    const events = Array.from({ length: 10 }, (_, n) => ev('posted', { n, pad: 'x'.repeat(100) }));
    for (const e of events) for (const c of conns) c.deliver(e);
    expect(log.nextIndex).toBe(10);
    expect(log.bytesKept).toBe(events.reduce((sum, e) => sum + e.prefix.length, 0));
    // Every connection replays the same events under its own numbers.
    expect(nAndSeq(replayed(conns[7]!, 8))).toEqual([
      [8, 8],
      [9, 9],
    ]);
  });

  it('an event that left the log (by bytes or by count) cannot be replayed: the client refetches', () => {
    const l = { ...limits, replayEvents: 1000, replayLogBytes: 1000, replayLogEvents: 100 };
    const conn = connection(l);
    // Numbers 10…29: every event has the same size.
    const size = ev('posted', { n: 10, pad: 'x'.repeat(200) }).prefix.length;
    for (let i = 0; i < 20; i++) conn.deliver(ev('posted', { n: i + 10, pad: 'x'.repeat(200) }));
    const kept = Math.floor(1000 / size);
    expect(conn.firstKeptSeq).toBe(20 - kept);
    expect(conn.canResumeFrom(20 - kept - 1)).toBe(false);
    expect(conn.canResumeFrom(20 - kept)).toBe(true);
    expect(nAndSeq(replayed(conn, 20 - kept + 1))).toEqual(
      Array.from({ length: kept - 1 }, (_, j) => [20 - kept + 1 + j + 10, 20 - kept + 1 + j]),
    );
    // One event larger than the bound is still kept (a resume from just before it works).
    conn.deliver(ev('posted', { big: 'y'.repeat(5000) }));
    expect(conn.firstKeptSeq).toBe(20);
    expect(conn.canResumeFrom(20)).toBe(true);

    // By count: other connections' traffic pushes this one's events out of the shared log.
    const log = new ReplayLog({ replayLogEvents: 5, replayLogBytes: 1e9 });
    const quiet = connection({ ...l, replayEvents: 1000 }, log);
    const busy = connection({ ...l, replayEvents: 1000 }, log);
    quiet.deliver(ev('posted', { n: 0 }));
    expect(quiet.canResumeFrom(0)).toBe(true);
    for (let i = 0; i < 5; i++) busy.deliver(ev('posted', { n: i }));
    expect(quiet.canResumeFrom(0)).toBe(false);
    expect(quiet.canResumeFrom(1)).toBe(true); // nothing missed from seq 1 on
  });

  it('an idle connection holds no ring; a busy one at most replayEvents numbers', () => {
    const conn = connection({ ...limits, replayEvents: 10 });
    const ring = () => (conn as unknown as { ring: Uint32Array | undefined }).ring;
    expect(ring()).toBeUndefined();
    conn.deliver(ev('posted', { n: 0 }));
    expect(ring()!.length).toBeLessThanOrEqual(8);
    for (let i = 1; i < 5000; i++) conn.deliver(ev('posted', { n: i }));
    expect(conn.firstKeptSeq).toBe(4990);
    expect(ring()!.length).toBe(10);
    expect(nAndSeq(replayed(conn, 4990))).toEqual(Array.from({ length: 10 }, (_, j) => [4990 + j, 4990 + j]));
  });

  it('writes a presence batch corked with consecutive seqs and shared bodies, or drops it whole for a lagging socket', () => {
    const sink = new FakeSink();
    const conn = connection();
    conn.attach(link(sink));
    conn.deliver(ev('posted'));
    const batch = [1, 2, 3].map((n) => ev('status_change', { user_id: `u${n}`, status: 'online' }));
    sink.cork = () => {
      sink.corked++;
      if (sink.corked === 1) sink.chunks.push(Buffer.from('')); // marks where the outer cork began
    };
    expect(conn.deliverDroppable(batch)).toBe('sent');
    expect(sink.corked).toBe(0);
    // The bodies are the events' own buffers, not copies.
    for (const e of batch) expect(sink.chunks).toContain(e.prefix);
    sink.writableLength = 2000;
    expect(conn.deliverDroppable(batch)).toBe('dropped');
    sink.writableLength = 0;
    conn.deliver(ev('posted'));
    expect(sink.frames().map((f) => [f.event, f.seq, (f.data as { user_id?: string }).user_id])).toEqual([
      ['posted', 0, undefined],
      ['status_change', 1, 'u1'],
      ['status_change', 2, 'u2'],
      ['status_change', 3, 'u3'],
      ['posted', 4, undefined],
    ]);
    conn.detach();
    expect(conn.deliverDroppable(batch)).toBe('dropped');
    expect(conn.nextSeq).toBe(5);
  });
});

describe('the replay log', () => {
  it('keeps working when its 32-bit indices wrap around', () => {
    const limits = { ...defaultLimits(60_000), replayEvents: 100, replayLogEvents: 4 };
    const log = new ReplayLog(limits);
    (log as unknown as { first: number }).first = 2 ** 32 - 3;
    const conn = new Connection('c'.repeat(26), 'u', 's', limits, log);
    const events = Array.from({ length: 6 }, (_, n) => ev('posted', { n }));
    for (const e of events) conn.deliver(e);
    expect(events.map((e) => e.logIndex)).toEqual([2 ** 32 - 3, 2 ** 32 - 2, 2 ** 32 - 1, 0, 1, 2]);
    expect(log.nextIndex).toBe(3);
    // The log keeps the last four: the first two events are gone, the rest replay across the wrap.
    expect(log.has(2 ** 32 - 3)).toBe(false);
    expect(log.get(2 ** 32 - 1)).toBe(events[2]!.prefix);
    expect(log.get(2)).toBe(events[5]!.prefix);
    expect(log.has(3)).toBe(false);
    expect(conn.canResumeFrom(1)).toBe(false);
    expect(conn.canResumeFrom(2)).toBe(true);
    expect(nAndSeq(replayed(conn, 2))).toEqual([
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 5],
    ]);
  });
});
