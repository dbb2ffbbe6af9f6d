/**
 * Small parsing helpers shared by the route files: every value a client sends is checked here or in
 * a service before use, and anything malformed becomes a 400 in the wire error shape.
 */
import type { FastifyRequest } from 'fastify';
import { badRequest, unauthorized } from '../../lib/errors.js';
import { isId } from '../../lib/ids.js';
import type { Actor } from '../../services/context.js';
import type { SessionRow } from '../../store/sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
    session?: SessionRow;
    /** True when the request was authenticated by the session cookie (CSRF rules apply). */
    cookieAuth?: boolean;
  }
  interface FastifyContextConfig {
    /** Routes that answer without a session. */
    public?: boolean;
  }
}

export function requireActor(req: FastifyRequest): Actor {
  if (!req.actor) throw unauthorized();
  return req.actor;
}

type Dict = Record<string, unknown>;

export function objectBody(req: FastifyRequest): Dict {
  const b = req.body;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) {
    throw badRequest('api.context.invalid_body_param.app_error', 'The request body must be a JSON object.');
  }
  return b as Dict;
}

export function arrayBody(req: FastifyRequest, max = 1000): unknown[] {
  const b = req.body;
  if (!Array.isArray(b)) {
    throw badRequest('api.context.invalid_body_param.app_error', 'The request body must be a JSON array.');
  }
  if (b.length > max) {
    throw badRequest('api.context.invalid_body_param.app_error', `At most ${max} items are accepted.`);
  }
  return b;
}

/** A body that is an array of ids (POST /users/ids, /posts/ids …). */
export function idArrayBody(req: FastifyRequest, max = 1000): string[] {
  const arr = arrayBody(req, max);
  if (!arr.every(isId)) {
    throw badRequest('api.context.invalid_body_param.app_error', 'The request body must be an array of ids.');
  }
  return [...new Set(arr as string[])];
}

export function stringArrayBody(req: FastifyRequest, max = 1000, maxLen = 128): string[] {
  const arr = arrayBody(req, max);
  if (!arr.every((s) => typeof s === 'string' && s.length <= maxLen)) {
    throw badRequest(
      'api.context.invalid_body_param.app_error',
      'The request body must be an array of strings.',
    );
  }
  return [...new Set(arr as string[])];
}

function params(req: FastifyRequest): Dict {
  return (req.params ?? {}) as Dict;
}

function query(req: FastifyRequest): Dict {
  return (req.query ?? {}) as Dict;
}

/** A path parameter that must be an id. "me" stands for the caller where `allowMe` says so. */
export function idParam(req: FastifyRequest, name: string, allowMe = false): string {
  const v = params(req)[name];
  if (allowMe && v === 'me') return requireActor(req).userId;
  if (!isId(v))
    throw badRequest('api.context.invalid_url_param.app_error', `Invalid or missing ${name} in request URL.`);
  return v;
}

export function stringParam(req: FastifyRequest, name: string, max = 256): string {
  const v = params(req)[name];
  if (typeof v !== 'string' || v === '' || v.length > max) {
    throw badRequest('api.context.invalid_url_param.app_error', `Invalid or missing ${name} in request URL.`);
  }
  return v;
}

export function stringQuery(req: FastifyRequest, name: string, max = 256): string | undefined {
  const v = query(req)[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' || v.length > max) {
    throw badRequest('api.context.invalid_url_param.app_error', `Invalid ${name} parameter.`);
  }
  return v;
}

export function idQuery(req: FastifyRequest, name: string): string | undefined {
  const v = stringQuery(req, name, 26);
  if (v === undefined) return undefined;
  if (!isId(v)) throw badRequest('api.context.invalid_url_param.app_error', `Invalid ${name} parameter.`);
  return v;
}

export function intQuery(req: FastifyRequest, name: string, def: number, min: number, max: number): number {
  const v = stringQuery(req, name, 20);
  if (v === undefined) return def;
  if (!/^-?\d+$/.test(v))
    throw badRequest('api.context.invalid_url_param.app_error', `Invalid ${name} parameter.`);
  const n = Number(v);
  if (n < min) throw badRequest('api.context.invalid_url_param.app_error', `Invalid ${name} parameter.`);
  return Math.min(n, max);
}

export function boolQuery(req: FastifyRequest, name: string, def = false): boolean {
  const v = stringQuery(req, name, 5);
  if (v === undefined) return def;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw badRequest('api.context.invalid_url_param.app_error', `Invalid ${name} parameter.`);
}

export const DEFAULT_PER_PAGE = 60;
export const MAX_PER_PAGE = 200;

export function paging(
  req: FastifyRequest,
  perPageDefault = DEFAULT_PER_PAGE,
): { page: number; perPage: number } {
  return {
    page: intQuery(req, 'page', 0, 0, 100_000),
    perPage: intQuery(req, 'per_page', perPageDefault, 0, MAX_PER_PAGE),
  };
}

/** The `{"status":"OK"}` answer Mattermost gives to actions without a resource to return. */
export const OK = { status: 'OK' } as const;
