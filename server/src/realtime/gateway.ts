/**
 * The WebSocket endpoint `/api/v4/websocket`, speaking Mattermost's protocol: authentication (session
 * cookie or Authorization header on the upgrade, or the `authentication_challenge` action), `hello`,
 * replies to client actions with `seq_reply`, and the actions themselves. Sockets are handed to the
 * hub once authenticated; events reach them from there.
 */
import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import os from 'node:os';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData, type Server as WsServer, type ServerOptions } from 'ws';
import { AppError } from '../lib/errors.js';
import { isId } from '../lib/ids.js';
import { isSystemAdminRoles } from '../permissions/roles.js';
import type { Actor, Deps } from '../services/context.js';
import type { Services } from '../services/index.js';
import type { Connection, SocketLink } from './connection.js';
import { broadcastOf, type ServerEvent } from './events.js';
import { CloseCode, encodeReply, writeTextFrame, type ReplyError } from './frames.js';
import type { Hub } from './hub.js';
import type { RealtimeLimits } from './limits.js';
import type { TypingNotifier } from './typing.js';

const PATHS = new Set(['/api/v4/websocket', '/api/v4/websocket/']);
const AUTH_RE = /^(bearer|token)\s+(\S+)$/i;
const MAX_CHALLENGES = 3;
const MAX_STATUS_IDS = 1000;
/** What an action returns when it has written its reply itself (or must not reply). */
const NO_REPLY = Symbol('no reply');

interface Authenticated {
  actor: Actor;
}

type Resume = { connectionId: string; seq: number };

/**
 * A client's socket: ws's WebSocket (ws builds it, through its `WebSocket` option) carrying the
 * gateway's state for it. Its listeners are the same few functions for every socket rather than
 * closures per socket: with thousands of idle connections, those closures and a separate state object
 * were a measurable part of each connection's memory (docs/PERFORMANCE.md).
 */
class ClientSocket extends WebSocket {
  gateway: Gateway | undefined = undefined;
  link: WsLink | undefined = undefined;
  actor: Actor | undefined = undefined;
  conn: Connection | undefined = undefined;
  /** The resume the client asked for (ws's own `resume` is its flow control). */
  resumeFrom: Resume | undefined = undefined;
  authTimer: NodeJS.Timeout | undefined = undefined;
  /** Client messages are handled one after another, in order; absent while none is pending. */
  chain: Promise<void> | undefined = undefined;
  windowStart = 0;
  windowCount = 0;
  challenges = 0;
}

/** Where a raw TCP stream keeps its ClientSocket, for the stream's 'drain' listener. */
const CLIENT = Symbol('parley client socket');
type RawStream = Duplex & { [CLIENT]?: ClientSocket };

function onClientMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  const ws = this as ClientSocket;
  ws.gateway?.onMessage(ws, data, isBinary);
}
function onClientPong(this: WebSocket): void {
  const ws = this as ClientSocket;
  if (ws.conn) ws.conn.alive = true;
}
function onClientError(): void {
  // ws closes the socket after a protocol error; 'close' follows.
}
function onClientClose(this: WebSocket): void {
  const ws = this as ClientSocket;
  ws.gateway?.closed(ws);
}
function onRawDrain(this: RawStream): void {
  this[CLIENT]?.conn?.drained();
}
/** Until ws has the socket: a stream error (the peer reset it) just ends it. */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

export interface GatewayOptions {
  deps: Deps;
  services: Services;
  hub: Hub;
  typing: TypingNotifier;
  limits: RealtimeLimits;
  /** `X-Version-Id`, which Mattermost also sends as hello's server_version. */
  versionId: string;
}

/** A socket as the hub sees it: frames go straight to the upgraded TCP stream, control through `ws`. */
class WsLink implements SocketLink {
  constructor(
    private readonly ws: ClientSocket,
    readonly sink: Duplex,
  ) {}

  isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  ping(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.ping();
  }
}

export class Gateway {
  private readonly wss: WsServer<typeof ClientSocket>;
  private readonly sockets = new Set<ClientSocket>();
  private closing = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly o: GatewayOptions) {
    // closeTimeout (ws 8.19+, not yet in its typings): how long a closing socket may take to answer
    // before it is destroyed; a slow consumer cut at the hard limit holds its buffer no longer.
    const options: ServerOptions<typeof ClientSocket> & { closeTimeout: number } = {
      WebSocket: ClientSocket,
      noServer: true,
      perMessageDeflate: false,
      clientTracking: false,
      maxPayload: o.limits.maxMessageBytes,
      closeTimeout: 5_000,
    };
    this.wss = new WebSocketServer(options);
    this.unsubscribe = o.deps.bus.subscribe((msg) => {
      if (msg.type === 'roles_changed') this.rolesChanged(msg.userId, msg.roles);
    });
  }

  /**
   * A user's sockets act with their new roles (a demoted admin's typing is checked as a user's) and
   * hear of it as Mattermost's `user_role_updated`, itself an event to that user.
   */
  private rolesChanged(userId: string, roles: string): void {
    for (const ws of this.sockets) {
      if (ws.actor?.userId === userId) {
        ws.actor = { ...ws.actor, roles, isSystemAdmin: isSystemAdminRoles(roles) };
      }
    }
  }

  /** The HTTP server's 'upgrade' listener. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', destroyOnError);
    this.upgrade(req, socket, head).catch((err: unknown) => {
      this.o.deps.log.error({ err }, 'websocket upgrade failed');
      refuse(socket, 503);
    });
  };

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!PATHS.has(url.pathname)) return refuse(socket, 404);
    if (this.closing) return refuse(socket, 503);

    let auth: Authenticated | undefined;
    const cookieToken = readCookie(req.headers.cookie, 'MMAUTHTOKEN');
    // A browser sends the cookie with any page's WebSocket: from another site it proves nothing.
    const foreignCookie =
      cookieToken !== undefined &&
      isForeignOrigin(req.headers.origin, req.headers.host, this.o.deps.config.siteUrl);
    if (cookieToken !== undefined && !foreignCookie) auth = await this.authenticate(cookieToken);
    if (!auth) {
      const m = AUTH_RE.exec((req.headers.authorization ?? '').trim());
      if (m?.[2]) auth = await this.authenticate(m[2]);
    }
    if (!auth && foreignCookie) return refuse(socket, 403);

    const resume = parseResume(url.searchParams);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, socket, auth, resume));
  }

  private async authenticate(token: string): Promise<Authenticated | undefined> {
    const found = await this.o.services.auth.authenticate(token);
    return found ? { actor: found.actor } : undefined;
  }

  private open(
    ws: ClientSocket,
    raw: RawStream,
    auth: Authenticated | undefined,
    resume: Resume | undefined,
  ): void {
    const link = new WsLink(ws, raw);
    ws.gateway = this;
    ws.link = link;
    ws.resumeFrom = resume;
    ws.windowStart = Date.now();
    this.sockets.add(ws);
    ws.on('message', onClientMessage);
    ws.on('pong', onClientPong);
    ws.on('error', onClientError);
    ws.on('close', onClientClose);
    // ws listens for the stream's errors from now on.
    raw.removeListener('error', destroyOnError);
    raw[CLIENT] = ws;
    raw.on('drain', onRawDrain);

    if (auth) this.authenticated(ws, auth);
    else {
      ws.authTimer = setTimeout(
        () => link.close(CloseCode.policy, 'not authenticated'),
        this.o.limits.authTimeoutMs,
      );
    }
  }

  /** A socket's 'close'. */
  closed(ws: ClientSocket): void {
    this.sockets.delete(ws);
    clearTimeout(ws.authTimer);
    if (ws.conn && ws.link) this.o.hub.socketClosed(ws.conn, ws.link);
  }

  private authenticated(ws: ClientSocket, auth: Authenticated): void {
    clearTimeout(ws.authTimer);
    ws.authTimer = undefined;
    const link = ws.link;
    if (!link?.isOpen()) return;
    ws.actor = auth.actor;
    ws.conn = this.o.hub.attach(
      link,
      { userId: auth.actor.userId, sessionId: auth.actor.sessionId },
      ws.resumeFrom,
      (connectionId) => this.hello(connectionId, auth.actor.userId),
    );
  }

  private hello(connectionId: string, userId: string): ServerEvent {
    return {
      event: 'hello',
      data: { server_version: this.o.versionId, connection_id: connectionId, server_hostname: os.hostname() },
      broadcast: broadcastOf({ user_id: userId }),
      audience: { kind: 'users', userIds: [userId] },
    };
  }

  // ---- client messages ---------------------------------------------------------------------------

  /** A socket's 'message'. */
  onMessage(ws: ClientSocket, data: RawData, isBinary: boolean): void {
    const now = Date.now();
    if (now - ws.windowStart >= 10_000) {
      ws.windowStart = now;
      ws.windowCount = 0;
    }
    if (++ws.windowCount > this.o.limits.maxMessagesPer10s) {
      ws.link?.close(CloseCode.policy, 'too many messages');
      return;
    }
    if (ws.conn) ws.conn.alive = true;
    const chain = (ws.chain ?? Promise.resolve())
      .then(() => this.handle(ws, data, isBinary))
      .catch((err: unknown) => this.o.deps.log.error({ err }, 'websocket message failed'))
      .finally(() => {
        // An idle socket keeps no settled promise.
        if (ws.chain === chain) ws.chain = undefined;
      });
    ws.chain = chain;
  }

  private async handle(ws: ClientSocket, data: RawData, isBinary: boolean): Promise<void> {
    if (ws.readyState !== WebSocket.OPEN) return;
    let msg: unknown;
    try {
      if (isBinary) throw new Error('binary');
      msg = JSON.parse(rawText(data));
    } catch {
      ws.link?.close(CloseCode.unsupported, 'messages must be JSON text');
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      ws.link?.close(CloseCode.unsupported, 'messages must be JSON objects');
      return;
    }
    const { action, seq: rawSeq, data: body } = msg as Record<string, unknown>;
    const seq = typeof rawSeq === 'number' && Number.isSafeInteger(rawSeq) && rawSeq >= 0 ? rawSeq : 0;
    try {
      const result = await this.act(ws, action, body, seq);
      if (result !== NO_REPLY) this.send(ws, encodeReply(seq, { data: result }));
    } catch (err) {
      const error: ReplyError =
        err instanceof AppError
          ? { id: err.id, message: err.message, status_code: err.status }
          : {
              id: 'api.context.internal.app_error',
              message: 'An internal error occurred.',
              status_code: 500,
            };
      if (!(err instanceof AppError)) this.o.deps.log.error({ err, action }, 'websocket action failed');
      this.send(ws, encodeReply(seq, { error }));
    }
  }

  private async act(ws: ClientSocket, action: unknown, data: unknown, seq: number): Promise<unknown> {
    if (action === 'authentication_challenge') return this.challenge(ws, data, seq);
    const actor = ws.actor;
    if (!actor) {
      throw new AppError(
        401,
        'api.web_socket_router.not_authenticated.app_error',
        'The WebSocket is not authenticated.',
      );
    }
    const { presence } = this.o.services;
    switch (action) {
      case 'ping':
        return {
          text: 'pong',
          version: this.o.deps.config.version,
          server_time: Date.now(),
          node_id: this.o.hub.nodeId,
        };
      case 'user_typing':
        await this.o.typing.userTyping(actor, data);
        return undefined;
      case 'get_statuses':
        return presence.statusesAround(actor);
      case 'get_statuses_by_ids': {
        const ids = (data as { user_ids?: unknown } | null)?.user_ids;
        if (!Array.isArray(ids) || ids.length > MAX_STATUS_IDS || !ids.every(isId)) {
          throw new AppError(400, 'api.websocket_handler.invalid_param.app_error', 'Invalid user_ids.');
        }
        const out: Record<string, string> = {};
        for (const s of await presence.getStatuses([...new Set(ids)])) out[s.user_id] = s.status;
        return out;
      }
      case 'user_update_active_status': {
        const active = (data as { user_is_active?: unknown } | null)?.user_is_active;
        if (typeof active !== 'boolean') {
          throw new AppError(400, 'api.websocket_handler.invalid_param.app_error', 'Invalid user_is_active.');
        }
        presence.activity(actor.userId, active);
        return undefined;
      }
      case 'presence':
      case 'posted_notify_ack':
        // Accepted for compatibility; Parley does not use them yet.
        return undefined;
      default:
        throw new AppError(400, 'api.web_socket_router.bad_action.app_error', 'Unknown action.');
    }
  }

  private async challenge(ws: ClientSocket, data: unknown, seq: number): Promise<unknown> {
    if (ws.actor) return undefined;
    if (++ws.challenges > MAX_CHALLENGES) {
      ws.link?.close(CloseCode.policy, 'too many authentication attempts');
      return NO_REPLY;
    }
    const token = (data as { token?: unknown } | null)?.token;
    const auth = typeof token === 'string' ? await this.authenticate(token) : undefined;
    if (!auth) {
      throw new AppError(401, 'api.context.session_expired.app_error', 'Invalid or expired session.');
    }
    // The reply first, then hello (Mattermost's order).
    this.send(ws, encodeReply(seq, {}));
    this.authenticated(ws, auth);
    return NO_REPLY;
  }

  private send(ws: ClientSocket, text: string): void {
    if (ws.link?.isOpen()) writeTextFrame(ws.link.sink, text);
  }

  /** Stops accepting and closes every socket, waiting (briefly) for their closing handshakes. */
  async close(): Promise<void> {
    this.closing = true;
    this.unsubscribe();
    const sockets = [...this.sockets];
    const closed = sockets.map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.readyState === WebSocket.CLOSED) return resolve();
          s.once('close', () => resolve());
        }),
    );
    for (const s of sockets) s.link?.close(CloseCode.goingAway, 'server shutting down');
    const timer = setTimeout(() => {
      for (const s of sockets) s.terminate();
    }, 1_000);
    await Promise.all(closed);
    clearTimeout(timer);
    this.wss.close();
  }
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function refuse(socket: Duplex, status: number): void {
  if (socket.destroyed) return;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
  );
}

function parseResume(q: URLSearchParams): Resume | undefined {
  const connectionId = q.get('connection_id') ?? '';
  const rawSeq = q.get('sequence_number') ?? '';
  if (!isId(connectionId) || !/^\d{1,15}$/.test(rawSeq)) return undefined;
  return { connectionId, seq: Number(rawSeq) };
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

/**
 * True when the upgrade comes from a page of another site: its Origin's host is neither the Host the
 * request was sent to nor the configured site URL's. No Origin (a non-browser client) is not foreign.
 */
export function isForeignOrigin(
  origin: string | undefined,
  host: string | undefined,
  siteUrl: string,
): boolean {
  if (origin === undefined) return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return true;
  }
  if (originHost === '') return true;
  if (host && originHost === host.trim().toLowerCase()) return false;
  if (siteUrl) {
    try {
      if (originHost === new URL(siteUrl).host.toLowerCase()) return false;
    } catch {
      // An invalid site URL never matches.
    }
  }
  return true;
}
