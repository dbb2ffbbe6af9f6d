/**
 * Files: upload (multipart, streamed), download with ranges, thumbnail, preview, info, and a post's
 * file infos. Every byte served carries `X-Content-Type-Options: nosniff` and a sandboxing CSP; only
 * types the browser plays are inline, everything else is an attachment with a safe name.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services/index.js';
import { RangeNotSatisfiableError, type FileDownload } from '../../services/files.js';
import type { Variant } from '../../files/storage.js';
import { contentDisposition } from '../../files/names.js';
import { notFound } from '../../lib/errors.js';
import { isId } from '../../lib/ids.js';
import { idParam, idQuery, paging, requireActor } from './http.js';
import { presentFileInfo } from './present-files.js';

/** How much of a refused upload is read and discarded, at most, before the connection is cut. */
const LINGER_BYTES = 8 * 1024 * 1024;
const LINGER_MS = 5000;

/**
 * The answer to a refused upload goes out at once, but a client still sending its body reads it only
 * if the connection is not reset under it: read and discard the rest for a bounded amount and time
 * (a "lingering close"), then cut the connection if the client is still going.
 */
function drainThenClose(raw: IncomingMessage): void {
  let seen = 0;
  const cut = () => {
    clearTimeout(timer);
    raw.socket.destroy();
  };
  const timer = setTimeout(cut, LINGER_MS);
  timer.unref();
  raw.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > LINGER_BYTES) cut();
  });
  raw.on('end', () => clearTimeout(timer));
  raw.on('close', () => clearTimeout(timer));
  raw.resume();
}

/** Headers every file response carries, whatever it holds. */
function protect(reply: FastifyReply): void {
  reply.header('X-Content-Type-Options', 'nosniff');
  reply.header('Content-Security-Policy', "sandbox; default-src 'none'");
  reply.header('X-Frame-Options', 'DENY');
  reply.header('Cross-Origin-Resource-Policy', 'same-site');
}

/** A malformed file id (`..%2f`, double encoding …) answers like an unknown one: 404. */
function fileIdParam(req: FastifyRequest): string {
  const v = (req.params as Record<string, unknown>).file_id;
  if (!isId(v)) throw notFound('file_info');
  return v;
}

function wantsDownload(req: FastifyRequest): boolean {
  const v = (req.query as Record<string, unknown> | undefined)?.download;
  return v === '1' || v === 'true';
}

function send(req: FastifyRequest, reply: FastifyReply, d: FileDownload, variant: Variant) {
  protect(reply);
  const etag = `"${d.file.id}-${variant}"`;
  reply.header('ETag', etag);
  // Files never change, but every use must pass the access check again: revalidate each time.
  reply.header('Cache-Control', 'private, no-cache');
  if (req.headers['if-none-match'] === etag && !d.range) {
    d.stream.destroy();
    return reply.status(304).send();
  }
  reply.header('Content-Type', d.contentType);
  const inline = d.inline && !wantsDownload(req);
  const name =
    variant === 'original' ? d.file.name : `${d.file.name}.${d.contentType === 'image/png' ? 'png' : 'jpg'}`;
  reply.header('Content-Disposition', contentDisposition(inline ? 'inline' : 'attachment', name));
  if (d.totalSize !== undefined) {
    reply.header('Accept-Ranges', 'bytes');
    if (d.range) {
      reply.status(206);
      reply.header('Content-Range', `bytes ${d.range.start}-${d.range.end}/${d.totalSize}`);
      reply.header('Content-Length', String(d.range.end - d.range.start + 1));
    } else {
      reply.header('Content-Length', String(d.totalSize));
    }
  }
  return reply.send(d.stream);
}

function download(services: Services, variant: Variant) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const actor = requireActor(req);
    const fileId = fileIdParam(req);
    const range = variant === 'original' ? req.headers.range : undefined;
    try {
      const d = await services.files.download(actor, fileId, variant, range);
      return send(req, reply, d, variant);
    } catch (err) {
      if (err instanceof RangeNotSatisfiableError) {
        protect(reply);
        reply.header('Content-Range', `bytes */${err.size}`);
      }
      throw err;
    }
  };
}

export function registerFileRoutes(api: FastifyInstance, services: Services): void {
  api.register(async (scope) => {
    // The upload handler reads the body itself, as a stream; nothing is buffered before it runs.
    scope.addContentTypeParser('multipart/form-data', (_req, _payload, done) => done(null, undefined));

    scope.post('/files', async (req, reply) => {
      const actor = requireActor(req);
      const channelId = idQuery(req, 'channel_id');
      try {
        const result = await services.files.upload(actor, {
          channelId,
          body: req.raw,
          headers: req.headers,
        });
        return reply
          .status(201)
          .send({ file_infos: result.files.map(presentFileInfo), client_ids: result.clientIds });
      } catch (err) {
        if (!req.raw.complete) drainThenClose(req.raw);
        throw err;
      }
    });
  });

  api.get('/files/:file_id', download(services, 'original'));
  api.get('/files/:file_id/thumbnail', download(services, 'thumb'));
  api.get('/files/:file_id/preview', download(services, 'preview'));

  api.get('/files/:file_id/info', async (req) => {
    const file = await services.files.getInfo(requireActor(req), fileIdParam(req));
    return presentFileInfo(file);
  });

  api.get('/channels/:channel_id/files', async (req) => {
    const { page, perPage } = paging(req);
    const files = await services.files.listForChannel(
      requireActor(req),
      idParam(req, 'channel_id'),
      page,
      perPage,
    );
    return files.map(presentFileInfo);
  });

  api.get('/posts/:post_id/files/info', async (req) => {
    const files = await services.files.listForPost(requireActor(req), idParam(req, 'post_id'));
    return files.map(presentFileInfo);
  });
}
