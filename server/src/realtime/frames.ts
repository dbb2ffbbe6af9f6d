/**
 * Bytes on the wire. An event is serialised once per audience into a shared prefix
 * `{"event":…,"data":…,"broadcast":…` and each socket gets that same Buffer framed with its own
 * `,"seq":N}` suffix: the JSON parses to Mattermost's envelope, and the body is never copied per
 * recipient. Frames are plain RFC 6455 server frames (FIN, text, unmasked); permessage-deflate is off.
 */
import type { ServerEvent } from './events.js';

/** Close codes Parley uses beyond the standard ones (4000–4999 are the application's). */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  unsupported: 1003,
  policy: 1008,
  internal: 1011,
  /** The connection was taken over by a newer socket resuming the same connection_id. */
  superseded: 4002,
  /** The socket read too slowly and its send buffer passed the hard limit; the client resumes. */
  slowConsumer: 4008,
  /** The session ended (logout, password change, deactivation, expiry). */
  sessionEnded: 4401,
} as const;

/** An event serialised without its seq; `droppable` ones may be skipped for a slow reader. */
export interface EncodedEvent {
  readonly name: string;
  readonly prefix: Buffer;
  readonly droppable: boolean;
  /** Its index in the hub's replay log once a connection was sent it (-1 before; realtime/replay.ts). */
  logIndex: number;
}

/** Events that only describe a moment (someone typing, someone's presence); lost ones hurt nobody. */
const DROPPABLE = new Set(['typing', 'status_change']);

export function encodeEvent(ev: Pick<ServerEvent, 'event' | 'data' | 'broadcast'>): EncodedEvent {
  const text =
    '{"event":' +
    JSON.stringify(ev.event) +
    ',"data":' +
    JSON.stringify(ev.data) +
    ',"broadcast":' +
    JSON.stringify(ev.broadcast);
  return {
    name: ev.event,
    prefix: ownBuffer(text),
    droppable: DROPPABLE.has(ev.event),
    logIndex: -1,
  };
}

/**
 * The text's bytes in a buffer of their own. `Buffer.from` would cut small ones from Node's shared 8 KB
 * pool, and an event kept in the replay log would then hold on to a whole pool slab, filled meanwhile
 * with per-socket frames that are long gone.
 */
function ownBuffer(text: string): Buffer {
  const buf = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'utf8'));
  buf.write(text, 0, 'utf8');
  return buf;
}

/** Length of the frame header for a payload of n bytes (server frames are never masked). */
function headerLength(n: number): number {
  return n < 126 ? 2 : n < 65536 ? 4 : 10;
}

function writeHeader(buf: Buffer, n: number): void {
  buf[0] = 0x81; // FIN + text
  if (n < 126) {
    buf[1] = n;
  } else if (n < 65536) {
    buf[1] = 126;
    buf.writeUInt16BE(n, 2);
  } else {
    buf[1] = 127;
    buf.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    buf.writeUInt32BE(n >>> 0, 6);
  }
}

/** What a frame is written to: the upgraded TCP (or TLS) socket. */
export interface FrameSink {
  readonly writableLength: number;
  cork(): void;
  uncork(): void;
  write(chunk: Buffer): boolean;
}

/** Bodies up to this size are copied into one buffer with their header and suffix (Node's buffer pool). */
const COPY_MAX = 4000;

/**
 * Writes one text frame whose payload is `body` followed by `,"seq":N}`. A small body (most events) is
 * copied with header and suffix into one pooled buffer and written at once: measured here, one plain
 * write costs less than the three corked writes a shared body needs (docs/PERFORMANCE.md, framing), and
 * the copy of a few hundred bytes is cheaper than the stream machinery of a writev. A large body is
 * written as it is, between its header and suffix. Returns the bytes written.
 */
export function writeEventFrame(sink: FrameSink, body: Buffer, seq: number): number {
  if (body.length > COPY_MAX) return writeEventFrameShared(sink, body, seq);
  const suffix = ',"seq":' + seq + '}';
  const payload = body.length + suffix.length;
  const h = headerLength(payload);
  const frame = Buffer.allocUnsafe(h + payload);
  writeHeader(frame, payload);
  body.copy(frame, h);
  frame.write(suffix, h + body.length, 'latin1');
  sink.write(frame);
  return h + payload;
}

/**
 * The same frame without copying the body: header and suffix share one small allocation, the body is
 * written as it is, corked. For large bodies, and for many frames inside one cork (a presence batch, a
 * replay), where copies would pile up as transient memory per socket.
 */
export function writeEventFrameShared(sink: FrameSink, body: Buffer, seq: number): number {
  const suffix = ',"seq":' + seq + '}';
  const payload = body.length + suffix.length;
  const h = headerLength(payload);
  const small = Buffer.allocUnsafe(h + suffix.length);
  writeHeader(small, payload);
  small.write(suffix, h, 'latin1');
  sink.cork();
  sink.write(small.subarray(0, h));
  sink.write(body);
  sink.write(small.subarray(h));
  sink.uncork();
  return h + payload;
}

/** Writes one text frame holding `text` (replies to client actions). */
export function writeTextFrame(sink: FrameSink, text: string): number {
  const body = Buffer.from(text, 'utf8');
  const h = headerLength(body.length);
  const header = Buffer.allocUnsafe(h);
  writeHeader(header, body.length);
  sink.cork();
  sink.write(header);
  sink.write(body);
  sink.uncork();
  return h + body.length;
}

/** A Mattermost-style error carried in a FAIL reply. */
export interface ReplyError {
  id: string;
  message: string;
  status_code: number;
}

export function encodeReply(seqReply: number, reply: { data?: unknown } | { error: ReplyError }): string {
  if ('error' in reply) {
    return JSON.stringify({
      status: 'FAIL',
      seq_reply: seqReply,
      error: { ...reply.error, detailed_error: '', request_id: '' },
    });
  }
  return JSON.stringify({
    status: 'OK',
    seq_reply: seqReply,
    ...(reply.data === undefined ? {} : { data: reply.data }),
  });
}
