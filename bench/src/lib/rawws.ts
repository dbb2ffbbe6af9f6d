/**
 * A drainer: the cheapest WebSocket client that still behaves correctly. It performs the HTTP upgrade by
 * hand on a bare TCP socket and then only walks frame headers: it counts data frames and their payload
 * bytes, answers pings and closes, and decodes nothing but the first message (`hello`, for its
 * connection id) and control frames. This keeps the generator's CPU per delivery far below the server's,
 * which is what makes a single generator core enough to drive thousands of connections.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';

export interface DrainerOptions {
  host: string;
  port: number;
  path: string;
  token: string;
  /** Called with the first text message (the server's `hello`). */
  onHello?: (text: string) => void;
  onClose?: () => void;
  /** Resolve connect() on the 101 answer instead of the first message (a resumed connection gets no hello). */
  resolveOnUpgrade?: boolean;
}

const OP_TEXT = 1;
const OP_CLOSE = 8;
const OP_PING = 9;

/** A masked client frame; the all-zero mask is valid and saves the XOR. */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const ext = n < 126 ? 0 : n < 65536 ? 2 : 8;
  const buf = Buffer.alloc(2 + ext + 4 + n);
  buf[0] = 0x80 | opcode;
  if (ext === 0) buf[1] = 0x80 | n;
  else if (ext === 2) {
    buf[1] = 0x80 | 126;
    buf.writeUInt16BE(n, 2);
  } else {
    buf[1] = 0x80 | 127;
    buf.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(buf, 2 + ext + 4);
  return buf;
}

export class RawDrainer {
  /** Data messages received after `hello`. */
  frames = 0;
  /** Their payload bytes. */
  payloadBytes = 0;
  connected = false;
  closed = false;
  private socket: net.Socket | undefined;
  private upgraded = false;
  private head: Buffer | undefined;
  private partial: Buffer | undefined;
  private skip = 0;
  private collect: { opcode: number; parts: Buffer[] } | undefined;
  private gotHello = false;

  constructor(private readonly opts: DrainerOptions) {}

  /** Resolves when `hello` has arrived; rejects when the upgrade fails. */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const { host, port, path, token } = this.opts;
      this.closed = false;
      this.upgraded = false;
      this.gotHello = false;
      this.head = undefined;
      this.partial = undefined;
      this.skip = 0;
      this.collect = undefined;
      const s = net.connect({ host, port, noDelay: true });
      this.socket = s;
      let settled = false;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else resolve();
      };
      s.on('connect', () => {
        s.write(
          `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
            `Authorization: Bearer ${token}\r\n\r\n`,
        );
      });
      s.on('data', (chunk: Buffer) => {
        if (!this.upgraded) {
          const buf = this.head ? Buffer.concat([this.head, chunk]) : chunk;
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) {
            this.head = buf;
            return;
          }
          const status = buf.subarray(0, buf.indexOf('\r\n')).toString();
          if (!/^HTTP\/1\.1 101/.test(status)) {
            s.destroy();
            settle(new Error(`upgrade refused: ${status}`));
            return;
          }
          this.upgraded = true;
          this.head = undefined;
          if (this.opts.resolveOnUpgrade) {
            this.connected = true;
            settle();
          }
          chunk = buf.subarray(end + 4);
          if (chunk.length === 0) return;
        }
        this.onFrames(chunk, () => {
          this.connected = true;
          settle();
        });
      });
      s.on('error', (err) => settle(err));
      s.on('close', () => {
        this.connected = false;
        this.closed = true;
        settle(new Error('closed before hello'));
        this.opts.onClose?.();
      });
    });
  }

  send(text: string): void {
    this.socket?.write(clientFrame(OP_TEXT, Buffer.from(text, 'utf8')));
  }

  destroy(): void {
    this.socket?.destroy();
  }

  private onFrames(chunk: Buffer, onHello: () => void): void {
    if (this.partial) {
      chunk = Buffer.concat([this.partial, chunk]);
      this.partial = undefined;
    }
    let off = 0;
    const len = chunk.length;
    while (off < len) {
      if (this.skip > 0) {
        const k = Math.min(this.skip, len - off);
        if (this.collect) this.collect.parts.push(chunk.subarray(off, off + k));
        this.skip -= k;
        off += k;
        if (this.skip === 0 && this.collect) this.finish(onHello);
        continue;
      }
      if (len - off < 2) {
        this.partial = chunk.subarray(off);
        return;
      }
      const b0 = chunk[off] as number;
      const b1 = chunk[off + 1] as number;
      const len7 = b1 & 127;
      const hdr = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
      if (len - off < hdr) {
        this.partial = chunk.subarray(off);
        return;
      }
      const n =
        len7 === 126
          ? chunk.readUInt16BE(off + 2)
          : len7 === 127
            ? Number(chunk.readBigUInt64BE(off + 2))
            : len7;
      const opcode = b0 & 15;
      off += hdr;
      if (opcode >= 8 || !this.gotHello) {
        this.collect = { opcode, parts: [] };
        this.skip = n;
        if (n === 0) this.finish(onHello);
      } else {
        if (b0 & 0x80) this.frames++;
        this.payloadBytes += n;
        this.skip = n;
      }
    }
  }

  private finish(onHello: () => void): void {
    const c = this.collect;
    this.collect = undefined;
    if (!c) return;
    const payload = Buffer.concat(c.parts);
    if (c.opcode === OP_PING) this.socket?.write(clientFrame(0xa, payload));
    else if (c.opcode === OP_CLOSE) {
      this.socket?.write(clientFrame(OP_CLOSE, payload.subarray(0, 2)));
      this.socket?.end();
    } else if (c.opcode === OP_TEXT && !this.gotHello) {
      this.gotHello = true;
      this.opts.onHello?.(payload.toString('utf8'));
      onHello();
    }
  }
}
