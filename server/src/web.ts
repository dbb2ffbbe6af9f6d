/**
 * Serves the web client (web/dist) at `/`. Every GET outside /api that is not a built file answers with
 * index.html, so the client's deep links (/{team}/channels/{channel}, /{team}/messages/@{user},
 * /{team}/pl/{post_id}) survive a reload. Unknown /api paths keep the API's JSON 404.
 *
 * Only files that exist in the build directory are served: they are indexed from a directory walk, never
 * by joining the request path onto the file system, so no path can reach outside it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** No inline script anywhere; the app may not be framed. `'self'` covers the same-origin WebSocket. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
};

interface StaticFile {
  body: Buffer;
  type: string;
  immutable: boolean;
}

function indexBuild(root: string): Map<string, StaticFile> | undefined {
  if (!fs.existsSync(path.join(root, 'index.html'))) return undefined;
  const files = new Map<string, StaticFile>();
  const walk = (dir: string, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const urlPath = `${prefix}/${entry.name}`;
      if (entry.isDirectory()) walk(full, urlPath);
      else if (entry.isFile()) {
        files.set(urlPath, {
          body: fs.readFileSync(full),
          type: TYPES[path.extname(entry.name).toLowerCase()] ?? 'application/octet-stream',
          // Vite names everything under assets/ by content hash.
          immutable: urlPath.startsWith('/assets/'),
        });
      }
    }
  };
  walk(root, '');
  return files;
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Parley</title></head>
<body><h1>Parley</h1><p>The web client has not been built. Run <code>npm run build</code> (or
<code>npm start</code>, which builds it) and reload this page. The API is available under <code>/api/v4</code>.</p>
</body></html>
`;

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    .header('X-Content-Type-Options', 'nosniff')
    .header('X-Frame-Options', 'DENY')
    .header('Referrer-Policy', 'same-origin');
}

export interface WebClientOptions {
  /** The built client (web/dist); checked again on each request until it exists. */
  root?: string;
}

export async function webClient(app: FastifyInstance, opts: WebClientOptions): Promise<void> {
  const root = opts.root ?? DEFAULT_WEB_ROOT;
  let files = indexBuild(root);

  const handler = async (url: string, reply: FastifyReply) => {
    const rawPath = url.split('?', 1)[0] ?? '/';
    if (rawPath === '/api' || rawPath.startsWith('/api/')) return reply.callNotFound();
    securityHeaders(reply);
    files ??= indexBuild(root);
    if (!files) return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);

    let filePath: string;
    try {
      filePath = decodeURIComponent(rawPath);
    } catch {
      filePath = rawPath;
    }
    const file = filePath !== '/index.html' ? files.get(filePath) : undefined;
    if (file) {
      reply.header('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      return reply.type(file.type).send(file.body);
    }
    // A missing hashed asset is an old build's file: a 404, not the app.
    if (filePath.startsWith('/assets/')) {
      return reply.status(404).type('text/plain; charset=utf-8').send('Not found');
    }
    const index = files.get('/index.html');
    if (!index) return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    reply.header('Cache-Control', 'no-cache');
    return reply.type(index.type).send(index.body);
  };

  app.get('/', { config: { public: true } }, (req, reply) => handler(req.url, reply));
  app.get('/*', { config: { public: true } }, (req, reply) => handler(req.url, reply));
}
