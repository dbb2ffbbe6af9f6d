/**
 * buildApp: the whole server as a Fastify instance, without listening. main.ts listens; tests build
 * the same app on a free port with a fresh database.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import { createHash } from 'node:crypto';
import os from 'node:os';
import type { Config } from './config.js';
import type { DatabaseHandle } from './db/connection.js';
import { migrateToLatest } from './db/migrate.js';
import { AppError } from './lib/errors.js';
import { newId } from './lib/ids.js';
import { constantTimeEqual } from './lib/crypto.js';
import { Store } from './store/store.js';
import { InProcessBus, type Bus } from './realtime/bus.js';
import { createServices, type Services } from './services/index.js';
import type { Deps } from './services/context.js';
import { registerApiV4 } from './api/v4/index.js';
import { createRealtime, type Realtime } from './realtime/index.js';
import type { RealtimeLimits } from './realtime/limits.js';
import { webClient } from './web.js';

export interface BuiltApp {
  app: FastifyInstance;
  services: Services;
  bus: Bus;
  /** This node's WebSocket gateway and hub. */
  realtime: Realtime;
  /** Stops background jobs and closes the database (after app.close()). */
  shutdown(): Promise<void>;
}

export interface BuildOptions {
  config: Config;
  database: DatabaseHandle;
  bus?: Bus;
  now?: () => number;
  /** Fastify logger; false in tests. */
  logger?: boolean;
  /** Real-time limits (windows, buffers, intervals); production defaults otherwise. */
  realtime?: Partial<RealtimeLimits>;
  /** The built web client served at `/` (default: web/dist). */
  webRoot?: string;
  /**
   * Start making the login's dummy hash (auth.warmUp) as soon as the services exist, in the thread
   * pool while the routes register; main.ts still awaits it before listening.
   */
  warmUp?: boolean;
}

/** Request bodies beyond this are refused (uploads have their own limit). */
export const BODY_LIMIT = 300 * 1024;

function errorBody(req: FastifyRequest, status: number, id: string, message: string) {
  return { id, message, detailed_error: '', request_id: String(req.id), status_code: status };
}

export async function buildApp(opts: BuildOptions): Promise<BuiltApp> {
  const { config, database } = opts;
  await migrateToLatest(database.db);

  const app = Fastify({
    logger: opts.logger
      ? {
          level: config.logLevel,
          redact: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-csrf-token"]'],
        }
      : false,
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 512 },
    genReqId: () => newId(),
    requestIdHeader: false,
    // Requests Node's HTTP parser refuses (a 64 KB header, a malformed request line) never reach
    // Fastify's routing: answer them in the wire error shape too, then close.
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return;
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      const reason = status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
      const requestId = newId();
      const body = JSON.stringify({
        id: 'api.context.invalid_request.app_error',
        message: status === 431 ? 'The request headers are too large.' : 'The request could not be parsed.',
        detailed_error: '',
        request_id: requestId,
        status_code: status,
      });
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nX-Request-Id: ${requestId}\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    },
    // Malformed percent-encoding (`%c0%ae`, `%u002e`) never reaches a route: answer in the error shape too.
    frameworkErrors: (err, req, reply) => {
      const status = typeof err.statusCode === 'number' && err.statusCode < 500 ? err.statusCode : 400;
      const payload = JSON.stringify(
        errorBody(req, status, 'api.context.invalid_url_param.app_error', 'Invalid URL.'),
      );
      reply.raw.writeHead(status, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(payload),
        'X-Request-Id': String(req.id),
      });
      reply.raw.end(payload);
    },
    return503OnClosing: true,
    // On close, drop keep-alive connections that are idle; main.ts also drops the ones that go idle later.
    forceCloseConnections: 'idle',
  });

  const bus = opts.bus ?? new InProcessBus((err) => app.log.error({ err }, 'bus subscriber failed'));
  const deps: Deps = {
    store: new Store(database.db, database.dialect),
    bus,
    config,
    log: app.log,
    now: opts.now ?? Date.now,
  };
  const services = createServices(deps);
  // A rejection is not lost: warmUp() answers the same promise to whoever awaits it next (main.ts).
  if (opts.warmUp) services.auth.warmUp().catch(() => {});

  // Clients only compare this hash to notice a changed configuration; it covers what they can see, and
  // never a secret (database URL, storage keys, the bootstrap password).
  const publicConfig = {
    siteUrl: config.siteUrl,
    enableOpenServer: config.enableOpenServer,
    showEmailAddress: config.showEmailAddress,
    maxFileSize: config.maxFileSize,
  };
  const configHash = createHash('sha256').update(JSON.stringify(publicConfig)).digest('hex').slice(0, 8);
  const versionId = `${config.version}.0.${configHash}.false`;

  await app.register(cookie);

  app.addHook('onRequest', async (req, reply) => {
    reply.header('X-Request-Id', String(req.id));
    reply.header('X-Version-Id', versionId);
    await authenticate(req, services);
  });

  // Routes need a session unless they say `config: { public: true }`; cookie-authenticated writes also
  // need the CSRF header.
  app.addHook('preHandler', async (req) => {
    if (req.cookieAuth && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
      const header = req.headers['x-csrf-token'];
      // Public routes too (sign-up, login, logout): the cookie's user may not act through them either.
      if (typeof header !== 'string' || !req.session || !constantTimeEqual(header, req.session.csrf_token)) {
        throw new AppError(401, 'api.context.session_expired.app_error', 'Invalid or missing CSRF token.');
      }
    }
    if (req.routeOptions.config.public) return;
    if (!req.actor)
      throw new AppError(
        401,
        'api.context.session_expired.app_error',
        'Invalid or expired session, please login again.',
      );
  });

  // PostgreSQL cannot store NUL in text (SQLite can): refuse it in every parameter and body field, on
  // both dialects alike, rather than fail with a 500 on one of them.
  app.addHook('preValidation', async (req) => {
    if (hasNul(req.params) || hasNul(req.query) || hasNul(req.body)) {
      throw new AppError(400, 'api.context.invalid_param.app_error', 'Text may not contain NUL characters.');
    }
  });

  // Client4 parses a body as JSON only when Content-Type is exactly application/json.
  app.addHook('onSend', async (_req, reply, payload) => {
    const ct = reply.getHeader('content-type');
    if (typeof ct === 'string' && ct.startsWith('application/json'))
      reply.header('content-type', 'application/json');
    return payload;
  });

  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.status).send(errorBody(req, err.status, err.id, err.message));
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      const id =
        status === 413
          ? 'api.context.request_body_too_large.app_error'
          : status === 415
            ? 'api.context.unsupported_media_type.app_error'
            : 'api.context.invalid_body_param.app_error';
      return reply.status(status).send(errorBody(req, status, id, err.message));
    }
    req.log.error({ err }, 'request failed');
    return reply
      .status(500)
      .send(errorBody(req, 500, 'api.context.internal.app_error', 'An internal error occurred.'));
  });

  app.setNotFoundHandler((req, reply) => {
    reply
      .status(404)
      .send(errorBody(req, 404, 'api.context.404.app_error', 'Sorry, we could not find the page.'));
  });

  await app.register(async (api) => registerApiV4(api, services), { prefix: '/api/v4' });
  const realtime = createRealtime(services, { versionId, limits: opts.realtime });
  app.server.on('upgrade', realtime.handleUpgrade);
  app.addHook('preClose', async () => realtime.close());
  await realtime.start();
  await app.register(webClient, opts.webRoot ? { root: opts.webRoot } : {});

  const timers = [
    setInterval(
      () => {
        services.auth.pruneExpired().catch((err: unknown) => app.log.warn({ err }, 'session pruning failed'));
      },
      60 * 60 * 1000,
    ),
    setInterval(
      () => {
        services.files.sweep().catch((err: unknown) => app.log.warn({ err }, 'file sweep failed'));
      },
      60 * 60 * 1000,
    ),
  ];
  for (const t of timers) t.unref();

  return {
    app,
    services,
    bus,
    realtime,
    async shutdown() {
      for (const t of timers) clearInterval(t);
      await realtime.close();
      await bus.close();
      await database.close();
    },
  };
}

export const hostname = os.hostname();

/** Whether any string (or key) in a parsed value holds a NUL character; iterative, for deep nesting. */
function hasNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return true;
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('\u0000')) return true;
        stack.push(x);
      }
    }
  }
  return false;
}

const AUTH_RE = /^(bearer|token)\s+(\S+)$/i;

async function authenticate(req: FastifyRequest, services: Services): Promise<void> {
  const cookieToken = req.cookies?.MMAUTHTOKEN;
  if (cookieToken) {
    const found = await services.auth.authenticate(cookieToken);
    if (found) {
      req.actor = found.actor;
      req.session = found.session;
      req.cookieAuth = true;
      return;
    }
  }
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const m = AUTH_RE.exec(header.trim());
    if (m?.[2]) {
      const found = await services.auth.authenticate(m[2]);
      if (found) {
        req.actor = found.actor;
        req.session = found.session;
      }
    }
  }
}
