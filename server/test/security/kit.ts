/**
 * Tools for the security suite: the route list read from the route files themselves (so that a route
 * added later is swept too), raw requests with a token or a cookie, the wire error shape as a list of
 * problems, and a snapshot of every table to prove that a refused request changed nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { TestServer } from '../helpers/server.js';

const API_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/api/v4');

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Fastify path without the /api/v4 prefix, e.g. `/channels/:channel_id/members/:user_id`. */
  path: string;
}

interface SourceRoute extends Route {
  /** The handler's source text, up to the next registration. */
  handler: string;
}

/** Registrations in the route files; paths may be template literals over `const x = '...'`. */
function readRoutes(): SourceRoute[] {
  const out: SourceRoute[] = [];
  const re = /\b(?:api|scope)\.(get|post|put|delete|patch)\(\s*(?:(['`])(.*?)\2|(\w+)\s*,)/g;
  for (const file of fs.readdirSync(API_DIR).filter((f) => f.endsWith('.ts'))) {
    const text = fs.readFileSync(path.join(API_DIR, file), 'utf8');
    const consts = new Map<string, string>();
    for (const m of text.matchAll(/const (\w+) = '([^']*)'/g)) consts.set(m[1]!, m[2]!);
    const found = [...text.matchAll(re)];
    found.forEach((m, i) => {
      const literal = m[3] ?? `\${${m[4]!}}`;
      const p = literal.replace(/\$\{(\w+)\}/g, (_, name: string) => {
        const v = consts.get(name);
        if (v === undefined) throw new Error(`${file}: cannot resolve \${${name}} in a route path`);
        return v;
      });
      out.push({
        method: m[1]!.toUpperCase() as Route['method'],
        path: p,
        handler: text.slice(m.index, found[i + 1]?.index ?? text.length),
      });
    });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** How many registration calls the route files make (each must have been parsed into a route). */
export function registrationCount(): number {
  let n = 0;
  for (const file of fs.readdirSync(API_DIR).filter((f) => f.endsWith('.ts'))) {
    const text = fs.readFileSync(path.join(API_DIR, file), 'utf8');
    n += [...text.matchAll(/\b(?:api|scope)\.(?:get|post|put|delete|patch)\(/g)].length;
  }
  return n;
}

/** Every route registered by src/api/v4/*.ts, read from the source. */
export function sourceRoutes(): Route[] {
  return readRoutes().map(({ method, path: p }) => ({ method, path: p }));
}

/** The query parameters each route's handler reads (by the http.ts helpers), keyed by `METHOD path`. */
export function queryNames(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of readRoutes()) {
    const names = new Set<string>();
    for (const q of r.handler.matchAll(/(?:stringQuery|idQuery|intQuery|boolQuery|timeQuery)\(req, '(\w+)'/g))
      names.add(q[1]!);
    if (r.handler.includes('paging(req')) ['page', 'per_page'].forEach((x) => names.add(x));
    if (r.handler.includes('threadFlags(req'))
      ['skipFetchThreads', 'collapsedThreads'].forEach((x) => names.add(x));
    if (r.handler.includes('download(services')) names.add('download');
    out.set(key(r), [...names]);
  }
  return out;
}

export const key = (r: Route) => `${r.method} ${r.path}`;

export function paramsOf(p: string): string[] {
  return [...p.matchAll(/:([a-z_]+)/gi)].map((m) => m[1]!);
}

/** Replaces every `:param` with its value (already URL-safe or encoded by the caller). */
export function fillPath(p: string, values: Record<string, string>): string {
  return p.replace(/:([a-z_]+)/gi, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`no value for :${name} in ${p}`);
    return v;
  });
}

export type Auth = { token: string } | { cookie: string; csrf?: string } | undefined;

export interface Answer {
  status: number;
  text: string;
  json: unknown;
  headers: Headers;
}

/** A raw request: a body that is a string is sent as is, anything else JSON-encoded. */
export async function call(
  server: TestServer,
  auth: Auth,
  method: string,
  urlPath: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (auth && 'token' in auth) headers.Authorization = `Bearer ${auth.token}`;
  if (auth && 'cookie' in auth) {
    headers.Cookie = auth.cookie;
    if (auth.csrf !== undefined) headers['X-CSRF-Token'] = auth.csrf;
  }
  let payload: string | undefined;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  Object.assign(headers, extraHeaders);
  const res = await fetch(`${server.url}/api/v4${urlPath}`, { method, headers, body: payload });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

/** What is wrong with an error answer, compared with Mattermost's error shape ([] when nothing). */
export function errorShapeProblems(a: Answer): string[] {
  const problems: string[] = [];
  if (a.status >= 500) problems.push(`status ${a.status}`);
  if (a.headers.get('content-type') !== 'application/json')
    problems.push(`content-type ${a.headers.get('content-type')}`);
  const b = a.json as Record<string, unknown> | undefined;
  if (!b || typeof b !== 'object') return [...problems, `body is not JSON: ${a.text.slice(0, 80)}`];
  if (typeof b.id !== 'string' || b.id === '') problems.push('no id');
  if (typeof b.message !== 'string') problems.push('no message');
  if (b.status_code !== a.status) problems.push(`status_code ${String(b.status_code)}`);
  if (typeof b.request_id !== 'string' || !/^[a-z0-9]{26}$/.test(b.request_id))
    problems.push('no request_id');
  else if (b.request_id !== a.headers.get('x-request-id')) problems.push('request_id ≠ X-Request-Id');
  return problems;
}

/** The comparable part of an answer: status and error id/message, or the whole body of a success. */
export function outcome(a: Answer): string {
  const b = a.json as Record<string, unknown> | undefined;
  if (a.status >= 400) return `${a.status} ${String(b?.id)} ${String(b?.message)}`;
  return `${a.status} ${a.text}`;
}

type Db = TestServer['db']['handle']['db'];

/** Columns that legitimately move on every authenticated request (session activity). */
const VOLATILE: Record<string, string[]> = {
  sessions: ['last_activity_at', 'expires_at'],
};

/** Every table, every row, as one string (volatile columns left out). */
export async function snapshot(server: TestServer, ignoreTables: string[] = []): Promise<string> {
  const db = server.db.handle.db as Db;
  // Only this server's tables (other test files create and drop their own PostgreSQL schemas meanwhile,
  // which trips a database-wide introspection).
  const names =
    server.db.pgSchema === undefined
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)).rows
      : (
          await sql<{ name: string }>`select table_name as name from information_schema.tables
            where table_schema = ${server.db.pgSchema}`.execute(db)
        ).rows;
  const tables = names
    .map((t) => t.name)
    .filter((n) => !n.startsWith('kysely_') && !n.startsWith('sqlite_') && !ignoreTables.includes(n))
    .sort();
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const rows = (await (db as any).selectFrom(t).selectAll().execute()) as Record<string, unknown>[];
    const drop = VOLATILE[t] ?? [];
    const clean = rows.map((r) =>
      JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => !drop.includes(k)))),
    );
    out[t] = clean.sort();
  }
  return JSON.stringify(out);
}

/** The first difference between two snapshots, for a readable failure. */
export function snapshotDiff(before: string, after: string): string {
  const a = JSON.parse(before) as Record<string, string[]>;
  const b = JSON.parse(after) as Record<string, string[]>;
  for (const t of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const ra = new Set(a[t] ?? []);
    const rb = new Set(b[t] ?? []);
    const gone = [...ra].filter((r) => !rb.has(r));
    const added = [...rb].filter((r) => !ra.has(r));
    if (gone.length || added.length)
      return `${t}: -${gone.slice(0, 2).join(' ')} +${added.slice(0, 2).join(' ')}`;
  }
  return '';
}

export const NE = { $ne: null };
export const SQL = "' OR 1=1 --";
export const SQL2 = "x'); DROP TABLE users; --";
export const UNKNOWN = 'x'.repeat(26);
