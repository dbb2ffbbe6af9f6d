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

/**
 * Writes one text frame whose payload is `body` followed by `,"seq":N}`, without copying the body: the
 * header and the suffix share one small allocation and the three are written corked (one `writev`).
 * Measured on a quiet machine (docs/PERFORMANCE.md, finding 1: B0w against B0c), this costs less per
 * delivery than copying header, body and suffix into one buffer per socket, even for small bodies.
 * Returns the bytes written.
 */
export function writeEventFrame(sink: FrameSink, body: Buffer, seq: number): number {
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
