/**
 * The generator's connections: probes (the `ws` client; every message parsed and timestamped) and
 * drainers (RawDrainer; bytes counted only), plus a keep-alive HTTP client for REST calls.
 */
import http from 'node:http';
import WebSocket from 'ws';
import { RawDrainer } from './rawws.js';

export interface ProbeEvents {
  onEvent(msg: WireMessage, bytes: number, at: number): void;
}

export interface WireMessage {
  event?: string;
  seq?: number;
  seq_reply?: number;
  status?: string;
  data?: Record<string, unknown>;
}

export interface Conn {
  userIdx: number;
  probe: boolean;
  connectionId: string;
  /** Probes: the seq the next event must carry. */
  nextSeq: number;
  seqErrors: number;
  actionSeq: number;
  send(text: string): void;
  close(): void;
  isOpen(): boolean;
}

export interface ConnectOptions {
  host: string;
  port: number;
  token: string;
  userIdx: number;
  probe: boolean;
  checksSeq: boolean;
  /** Resume a previous connection (Mattermost's reconnect query). */
  resume?: { connectionId: string; sequenceNumber: number };
  events?: ProbeEvents;
}

function wsPath(o: ConnectOptions): string {
  if (!o.resume) return '/api/v4/websocket';
  return `/api/v4/websocket?connection_id=${o.resume.connectionId}&sequence_number=${o.resume.sequenceNumber}`;
}

function connectionIdOf(text: string): string {
  try {
    const m = JSON.parse(text) as WireMessage;
    const id = m.data?.connection_id;
    return typeof id === 'string' ? id : '';
  } catch {
    return '';
  }
}

/** Opens one socket and resolves when the server's `hello` arrived. */
export function connect(o: ConnectOptions): Promise<Conn> {
  const conn: Conn = {
    userIdx: o.userIdx,
    probe: o.probe,
    connectionId: '',
    nextSeq: 0,
    seqErrors: 0,
    actionSeq: 1,
    send: () => {},
    close: () => {},
    isOpen: () => false,
  };
  if (!o.probe) {
    const d = new RawDrainer({
      host: o.host,
      port: o.port,
      path: wsPath(o),
      token: o.token,
      onHello: (text) => {
        const id = connectionIdOf(text);
        if (id) conn.connectionId = id;
      },
      resolveOnUpgrade: o.resume !== undefined,
    });
    if (o.resume) conn.connectionId = o.resume.connectionId;
    conn.send = (t) => d.send(t);
    conn.close = () => d.destroy();
    conn.isOpen = () => d.connected;
    Object.defineProperty(conn, 'drainer', { value: d, enumerable: false });
    return d.connect().then(() => conn);
  }
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${o.host}:${o.port}${wsPath(o)}`, {
      headers: { Authorization: `Bearer ${o.token}` },
      perMessageDeflate: false,
    });
    let hello = false;
    if (o.resume) {
      // A resumed connection carries on with its seq and gets no hello; a refused resume starts over
      // with a hello under a new connection id.
      conn.connectionId = o.resume.connectionId;
      conn.nextSeq = o.resume.sequenceNumber;
      ws.on('open', () => {
        hello = true;
        resolve(conn);
      });
    }
    conn.send = (t) => ws.send(t);
    conn.close = () => ws.terminate();
    conn.isOpen = () => ws.readyState === WebSocket.OPEN;
    ws.on('message', (data: Buffer) => {
      const at = performance.now();
      let msg: WireMessage;
      try {
        msg = JSON.parse(data.toString('utf8')) as WireMessage;
      } catch {
        return;
      }
      if (msg.event === 'hello') {
        conn.nextSeq = 0;
        const id = msg.data?.connection_id;
        conn.connectionId = typeof id === 'string' ? id : '';
      }
      if (o.checksSeq && typeof msg.seq === 'number') {
        if (msg.seq !== conn.nextSeq) conn.seqErrors++;
        conn.nextSeq = msg.seq + 1;
      }
      if (!hello && msg.event === 'hello') {
        hello = true;
        const id = msg.data?.connection_id;
        conn.connectionId = typeof id === 'string' ? id : '';
        resolve(conn);
        return;
      }
      o.events?.onEvent(msg, data.length, at);
    });
    ws.on('error', (err) => {
      if (!hello) reject(err);
    });
    ws.on('unexpected-response', (_req, res) => {
      reject(new Error(`upgrade refused: ${res.statusCode}`));
      res.resume();
    });
    ws.on('close', () => {
      if (!hello) reject(new Error('closed before hello'));
    });
  });
}

export function drainerOf(c: Conn): RawDrainer | undefined {
  return (c as unknown as { drainer?: RawDrainer }).drainer;
}

/** Opens many sockets with at most `parallel` handshakes in flight. */
export async function connectAll(
  opts: ConnectOptions[],
  parallel: number,
): Promise<{ conns: Conn[]; failed: number; firstError: string }> {
  const conns: Conn[] = new Array(opts.length);
  let next = 0;
  let failed = 0;
  let firstError = '';
  const worker = async () => {
    while (next < opts.length) {
      const i = next++;
      try {
        conns[i] = await connect(opts[i] as ConnectOptions);
      } catch (err) {
        failed++;
        firstError ||= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, opts.length) }, worker));
  return { conns: conns.filter(Boolean), failed, firstError };
}

export interface HttpResult {
  status: number;
  body: string;
}

/** A keep-alive HTTP/1.1 client for the REST calls; bodies are read only when asked. */
export class Rest {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  request(
    method: string,
    path: string,
    token: string,
    body?: unknown,
    keepBody = false,
  ): Promise<HttpResult> {
    return new Promise((resolve) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${token}` };
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(payload);
      }
      const req = http.request(
        { host: this.host, port: this.port, method, path, agent: this.agent, headers },
        (res) => {
          const status = res.statusCode ?? 0;
          const chunks: Buffer[] = [];
          const want = keepBody || status >= 400;
          res.on('data', (c: Buffer) => {
            if (want) chunks.push(c);
          });
          res.on('end', () => resolve({ status, body: want ? Buffer.concat(chunks).toString('utf8') : '' }));
          res.on('error', () => resolve({ status: 0, body: 'response error' }));
        },
      );
      req.on('error', (err) => resolve({ status: 0, body: err.message }));
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
