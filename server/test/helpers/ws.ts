/**
 * Real-time test helpers: sockets through Mattermost's own `WebSocketClient` (with the `ws` package as
 * its WebSocket), a raw `ws` socket for protocol-level tests, and `sync()`, a barrier that makes
 * "this socket did NOT receive X" a deterministic assertion: the hub delivers in publication order, so
 * once a marker published after X has arrived, X would have arrived before it.
 */
import { WebSocketClient } from '@mattermost/client';
import { vi } from 'vitest';
import WebSocket from 'ws';
import { newId } from '../../src/lib/ids.js';
import type { TestServer } from './server.js';

/** What a socket receives: an event (with seq) or a reply (with seq_reply). */
export interface Msg {
  event: string;
  data: Record<string, unknown>;
  broadcast: {
    omit_users: Record<string, boolean> | null;
    user_id: string;
    channel_id: string;
    team_id: string;
  };
  seq: number;
}

export const MARKER = 'parley_test_marker';

class NodeCloseEvent extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  constructor(type: string, init: { code?: number; reason?: string; wasClean?: boolean } = {}) {
    super(type);
    this.code = init.code ?? 0;
    this.reason = init.reason ?? '';
    this.wasClean = init.wasClean ?? false;
  }
}

/** Node 20 has neither WebSocket nor CloseEvent globals; the official client needs both. */
export function installWebSocketGlobals(): void {
  const g = globalThis as Record<string, unknown>;
  g.WebSocket = WebSocket;
  if (typeof g.CloseEvent !== 'function') g.CloseEvent = NodeCloseEvent;
}

/** The official client logs every connect and close to the console; tests do not need to see it. */
export function silenceClientLogs(): void {
  vi.spyOn(console, 'log').mockImplementation(() => {});
}

export function wsUrl(server: TestServer): string {
  return server.url.replace(/^http/, 'ws') + '/api/v4/websocket';
}

/** Polls until fn returns a truthy value. */
export async function until<T>(fn: () => T | Promise<T>, what = 'condition', timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface ConnectOptions {
  /** How the socket authenticates: the challenge action (default), a header, a cookie, or not at all. */
  auth?: 'challenge' | 'header' | 'cookie' | 'none';
  token?: string;
  headers?: Record<string, string>;
  /** Wait for hello (default true unless auth is 'none'). */
  waitForHello?: boolean;
}

/** One user's socket through the official WebSocketClient, recording everything it receives. */
export class TestSocket {
  readonly client: WebSocketClient;
  readonly events: Msg[] = [];
  /** Close codes of the underlying sockets, in order. */
  readonly closeCodes: number[] = [];
  /** How many times the client decided it had missed events and must refetch (new connection_id). */
  missed = 0;
  raw: WebSocket | undefined;
  private listeners = new Set<() => void>();

  constructor(
    readonly url: string,
    readonly userId: string,
    private readonly opts: ConnectOptions & { token: string },
  ) {
    installWebSocketGlobals();
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.auth === 'header') headers.Authorization = `Bearer ${opts.token}`;
    if (opts.auth === 'cookie') headers.Cookie = `MMAUTHTOKEN=${opts.token}`;
    this.client = new WebSocketClient({
      minWebSocketRetryTime: 50,
      reconnectJitterRange: 1,
      maxWebSocketFails: 1000,
      newWebSocketFn: (u: string) => {
        const ws = new WebSocket(u, { headers });
        ws.on('close', (code) => {
          this.closeCodes.push(code);
          this.notify();
        });
        this.raw = ws;
        return ws as unknown as globalThis.WebSocket;
      },
    });
    this.client.addMessageListener((m) => {
      this.events.push(m as unknown as Msg);
      this.notify();
    });
    this.client.addMissedMessageListener(() => {
      this.missed++;
    });
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Opens (or, after close(), resumes) the connection. */
  open(): void {
    const challenge = (this.opts.auth ?? 'challenge') === 'challenge';
    this.client.initialize(this.url, challenge ? this.opts.token : undefined);
  }

  /** Events other than hello and test markers. */
  get received(): Msg[] {
    return this.events.filter((e) => e.event !== 'hello' && e.event !== MARKER);
  }

  named(event: string): Msg[] {
    return this.events.filter((e) => e.event === event);
  }

  get connectionId(): string {
    const hellos = this.named('hello');
    return String(hellos[hellos.length - 1]?.data.connection_id ?? '');
  }

  /** Resolves with the first event at index ≥ from that matches. */
  waitFor(pred: string | ((m: Msg) => boolean), from = 0, timeoutMs = 10_000): Promise<Msg> {
    const match = typeof pred === 'string' ? (m: Msg) => m.event === pred : pred;
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.slice(from).find(match);
        if (found) {
          this.listeners.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(
          new Error(
            `timed out waiting for ${typeof pred === 'string' ? pred : 'a matching event'}; got ` +
              this.events.map((e) => e.event).join(', '),
          ),
        );
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  /** Resolves when the underlying socket has closed n times in all. */
  waitForClose(n = 1, timeoutMs = 10_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.closeCodes.length >= n) {
          this.listeners.delete(check);
          clearTimeout(timer);
          resolve(this.closeCodes[n - 1]!);
        }
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error('timed out waiting for the socket to close'));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  /** Sends an action and resolves with the reply. */
  request(
    action: string,
    data: unknown,
  ): Promise<{ status: string; seq_reply: number; data?: unknown; error?: { id: string } }> {
    return new Promise((resolve) => {
      (
        this.client as unknown as { sendMessage(a: string, d: unknown, cb: (m: unknown) => void): void }
      ).sendMessage(action, data, (m) => resolve(m as never));
    });
  }

  /** Closes for good (no automatic reconnect). */
  close(): void {
    this.client.close();
  }
}

/** Connects a socket for a persona and waits for its hello. */
export async function connect(
  server: TestServer,
  who: { user: { id: string }; token: string },
  opts: ConnectOptions = {},
): Promise<TestSocket> {
  const s = new TestSocket(wsUrl(server), who.user.id, { ...opts, token: opts.token ?? who.token });
  s.open();
  if (opts.waitForHello ?? opts.auth !== 'none') await s.waitFor('hello');
  return s;
}

/**
 * Barrier: publishes a marker to these sockets' users after everything published so far and waits
 * until each socket got it. Afterwards, whatever a socket did not receive, it will not receive.
 */
export async function sync(server: TestServer, ...sockets: TestSocket[]): Promise<void> {
  const id = newId();
  server.built.bus.publish({
    type: 'event',
    event: {
      event: MARKER,
      data: { id },
      broadcast: { omit_users: null, user_id: '', channel_id: '', team_id: '' },
      audience: { kind: 'users', userIds: [...new Set(sockets.map((s) => s.userId))] },
    },
  });
  await Promise.all(sockets.map((s) => s.waitFor((m) => m.event === MARKER && m.data.id === id)));
}

/** Seqs must run 0, 1, 2… on each connection without gaps (hello resets them). */
export function expectContiguousSeqs(s: TestSocket): void {
  let expected = 0;
  for (const m of s.events) {
    if (m.event === 'hello' && m.seq === 0) expected = 0;
    if (m.seq !== expected) throw new Error(`seq ${m.seq} where ${expected} was expected`);
    expected++;
  }
}

/** A raw ws socket (no Mattermost client), for protocol-level tests. */
export class RawSocket {
  readonly messages: Record<string, unknown>[] = [];
  closeCode: number | undefined;
  readonly opened: Promise<void>;
  readonly closed: Promise<number>;
  private listeners = new Set<() => void>();

  constructor(readonly ws: WebSocket) {
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', (err) => reject(err));
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code) => {
        this.closeCode = code;
        resolve(code);
        this.notify();
      });
    });
    ws.on('error', () => {});
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as Record<string, unknown>);
      this.notify();
    });
  }

  static open(
    url: string,
    headers: Record<string, string> = {},
    opts: { autoPong?: boolean } = {},
  ): RawSocket {
    return new RawSocket(new WebSocket(url, { headers, autoPong: opts.autoPong ?? true }));
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  waitFor(
    pred: (m: Record<string, unknown>) => boolean,
    timeoutMs = 10_000,
  ): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.find(pred);
        if (found) {
          this.listeners.delete(check);
          clearTimeout(timer);
          resolve(found);
        }
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(
          new Error('timed out waiting for a message; got ' + JSON.stringify(this.messages).slice(0, 500)),
        );
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
