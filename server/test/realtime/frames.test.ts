import { describe, expect, it } from 'vitest';
import { Connection, type SocketLink } from '../../src/realtime/connection.js';
import { broadcastOf } from '../../src/realtime/events.js';
import { CloseCode, encodeEvent, writeEventFrame, type FrameSink } from '../../src/realtime/frames.js';
import { defaultLimits } from '../../src/realtime/limits.js';

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

  it('writes the very same body buffer to every recipient: serialised once', () => {
    const encoded = ev('posted', { post: '{"id":"x"}' });
    const a = new FakeSink();
    const b = new FakeSink();
    writeEventFrame(a, encoded.prefix, 0);
    writeEventFrame(b, encoded.prefix, 7);
    expect(a.chunks[1]).toBe(encoded.prefix);
    expect(b.chunks[1]).toBe(encoded.prefix);
    expect(a.frames()[0]!.seq).toBe(0);
    expect(b.frames()[0]!.seq).toBe(7);
  });
});

describe('a connection’s send buffer', () => {
  const limits = { ...defaultLimits(60_000), softBufferBytes: 1000, hardBufferBytes: 5000, replayEvents: 4 };

  it('drops typing and status events for a lagging socket without leaving a gap', () => {
    const sink = new FakeSink();
    const conn = new Connection('c'.repeat(26), 'u', 's', limits);
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
    const conn = new Connection('c'.repeat(26), 'u', 's', limits);
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
    const conn = new Connection('c'.repeat(26), 'u', 's', limits);
    for (let i = 0; i < 6; i++) conn.deliver(ev('posted', { n: i }));
    expect(conn.nextSeq).toBe(6);
    expect(conn.canResumeFrom(1)).toBe(false);
    expect(conn.canResumeFrom(2)).toBe(true);
    expect(conn.canResumeFrom(6)).toBe(true);
    expect(conn.canResumeFrom(7)).toBe(false);
    const sink = new FakeSink();
    conn.attach(link(sink));
    conn.replayFrom(2);
    expect(sink.frames().map((f) => (f.data as { n: number }).n)).toEqual([2, 3, 4, 5]);
  });

  it('keeps at most replayBytes of events: older ones make a resume impossible (refetch)', () => {
    const small = { ...limits, replayEvents: 1000, replayBytes: 1000 };
    const conn = new Connection('c'.repeat(26), 'u', 's', small);
    // Numbers 10…29: every event has the same size.
    const size = ev('posted', { n: 10, pad: 'x'.repeat(200) }).prefix.length;
    for (let i = 0; i < 20; i++) conn.deliver(ev('posted', { n: i + 10, pad: 'x'.repeat(200) }));
    const kept = Math.floor(1000 / size);
    expect(conn.replayBytesKept).toBe(kept * size);
    expect(conn.firstKeptSeq).toBe(20 - kept);
    expect(conn.canResumeFrom(20 - kept - 1)).toBe(false);
    expect(conn.canResumeFrom(20 - kept)).toBe(true);
    const sink = new FakeSink();
    conn.attach(link(sink));
    conn.replayFrom(20 - kept + 1);
    expect(sink.frames().map((f) => [(f.data as { n: number }).n, f.seq])).toEqual(
      Array.from({ length: kept - 1 }, (_, j) => [20 - kept + 1 + j + 10, 20 - kept + 1 + j]),
    );
    // One event larger than the bound is still kept (a resume from just before it works).
    conn.deliver(ev('posted', { big: 'y'.repeat(5000) }));
    expect(conn.firstKeptSeq).toBe(20);
    expect(conn.canResumeFrom(20)).toBe(true);
  });

  it('an idle connection holds no replay buffer; a long one compacts what it dropped', () => {
    const conn = new Connection('c'.repeat(26), 'u', 's', { ...limits, replayEvents: 10 });
    expect(conn.replayBytesKept).toBe(0);
    for (let i = 0; i < 5000; i++) conn.deliver(ev('posted', { n: i }));
    expect(conn.firstKeptSeq).toBe(4990);
    const kept = (conn as unknown as { kept: Buffer[] }).kept;
    expect(kept.length).toBeLessThanOrEqual(10 + 64 + 10);
  });

  it('writes a presence batch as one write with consecutive seqs, or drops it whole for a lagging socket', () => {
    const sink = new FakeSink();
    const conn = new Connection('c'.repeat(26), 'u', 's', limits);
    conn.attach(link(sink));
    conn.deliver(ev('posted'));
    const batch = [1, 2, 3].map((n) => ev('status_change', { user_id: `u${n}`, status: 'online' }));
    expect(conn.deliverDroppable(batch)).toBe('sent');
    expect(sink.chunks.length).toBe(3 + 1); // the post's three pieces, then the batch in one write
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
