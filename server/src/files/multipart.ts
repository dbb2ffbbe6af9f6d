/**
 * Reads a multipart/form-data upload (busboy) and spools each file to a temporary file, so memory stays
 * flat whatever the size. Every limit answers as soon as it is passed: a file over the size limit (413),
 * too many parts, files or fields (400), a malformed body (400). On any failure the temporary files
 * written so far are removed before the error is thrown.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Busboy, type BusboyFileStream } from '@fastify/busboy';
import { AppError, badRequest } from '../lib/errors.js';
import { newId } from '../lib/ids.js';

export interface SpooledFile {
  tmpPath: string;
  /** The name the client sent (unsanitised; busboy already dropped any directory part). */
  name: string;
  size: number;
}

export interface MultipartResult {
  fields: Map<string, string[]>;
  files: SpooledFile[];
}

export interface MultipartOptions {
  tmpDir: string;
  maxFileSize: number;
  maxFiles: number;
  maxFields: number;
  /**
   * Runs for each field, in order with the files: a file after a field is spooled only once this
   * resolved. Throwing aborts the upload.
   */
  onField?(name: string, value: string): Promise<void> | void;
}

export const tooLarge = (max: number) =>
  new AppError(
    413,
    'api.file.upload_file.too_large_detailed.app_error',
    `The file is too large: at most ${max} bytes are accepted.`,
  );

const MAX_FIELD_SIZE = 4096;

export async function receiveMultipart(
  body: Readable,
  headers: IncomingHttpHeaders,
  opts: MultipartOptions,
): Promise<MultipartResult> {
  const ct = headers['content-type'];
  if (typeof ct !== 'string' || !/^multipart\/form-data\b/i.test(ct)) {
    throw badRequest('api.file.upload_file.multipart.app_error', 'The upload must be multipart/form-data.');
  }
  await fsp.mkdir(opts.tmpDir, { recursive: true });

  const fields = new Map<string, string[]>();
  const files: SpooledFile[] = [];
  const tmpPaths: string[] = [];
  // Beyond the files and fields themselves, a body may carry only boundaries and part headers.
  const maxBodyBytes =
    opts.maxFiles * (opts.maxFileSize + 16 * 1024) + opts.maxFields * (MAX_FIELD_SIZE + 1024);

  let bb: ReturnType<typeof Busboy>;
  try {
    bb = Busboy({
      headers: headers as { 'content-type': string } & IncomingHttpHeaders,
      defCharset: 'utf8',
      limits: {
        fileSize: opts.maxFileSize,
        files: opts.maxFiles,
        fields: opts.maxFields,
        parts: opts.maxFiles + opts.maxFields,
        fieldSize: MAX_FIELD_SIZE,
        fieldNameSize: 100,
        headerPairs: 16,
      },
    });
  } catch {
    throw badRequest('api.file.upload_file.multipart.app_error', 'The multipart body is malformed.');
  }

  return new Promise<MultipartResult>((resolve, reject) => {
    let failed = false;
    let finished = false;
    let received = 0;
    // Fields and files are handled one after another, in the order they arrive.
    let queue: Promise<void> = Promise.resolve();
    const open = new Set<BusboyFileStream>();

    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      body.unpipe(bb);
      body.off('data', count);
      // A file part in progress would wait for bytes that will never come: end it with the error.
      for (const s of open) s.destroy(err instanceof Error ? err : new Error(String(err)));
      // Wait for writes in flight to stop, then remove everything spooled.
      queue
        .catch(() => {})
        .finally(async () => {
          await Promise.all(tmpPaths.map((p) => fsp.rm(p, { force: true })));
          reject(err);
        })
        .catch(() => {});
    };

    const enqueue = (task: () => Promise<void>) => {
      queue = queue.then(async () => {
        if (!failed) await task();
      });
      queue.catch(fail);
    };

    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBodyBytes) fail(tooLarge(opts.maxFileSize));
    };
    body.on('data', count);

    // An aborted request never finishes the multipart body.
    body.on('close', () => {
      if (!finished && (body as { complete?: boolean }).complete === false) {
        fail(badRequest('api.file.upload_file.incomplete.app_error', 'The upload ended early.'));
      }
    });

    bb.on('field', (name, value, nameTruncated, valueTruncated) => {
      if (nameTruncated || valueTruncated) {
        fail(
          badRequest(
            'api.file.upload_file.field_too_long.app_error',
            `The field ${name.slice(0, 50)} is too long.`,
          ),
        );
        return;
      }
      enqueue(async () => {
        const list = fields.get(name) ?? [];
        list.push(value);
        fields.set(name, list);
        await opts.onField?.(name, value);
      });
    });

    bb.on('file', (_field, stream, filename) => {
      open.add(stream);
      // Errors reach spool() once the part's turn comes; a part still queued when the upload fails
      // is destroyed unread, and that must not become an unhandled error.
      stream.on('error', () => {});
      enqueue(async () => {
        const tmpPath = path.join(opts.tmpDir, newId());
        tmpPaths.push(tmpPath);
        const size = await spool(stream, tmpPath, opts.maxFileSize);
        open.delete(stream);
        files.push({ tmpPath, name: filename ?? '', size });
      });
    });

    bb.on('partsLimit', () =>
      fail(badRequest('api.file.upload_file.too_many_parts.app_error', 'The upload has too many parts.')),
    );
    bb.on('filesLimit', () =>
      fail(
        badRequest(
          'api.file.upload_file.incorrect_number_of_files.app_error',
          `At most ${opts.maxFiles} files can be uploaded at once.`,
        ),
      ),
    );
    bb.on('fieldsLimit', () =>
      fail(badRequest('api.file.upload_file.too_many_parts.app_error', 'The upload has too many fields.')),
    );
    bb.on('error', () =>
      fail(badRequest('api.file.upload_file.multipart.app_error', 'The multipart body is malformed.')),
    );
    bb.on('finish', () => {
      finished = true;
      queue.then(
        () => {
          if (!failed) {
            body.off('data', count);
            resolve({ fields, files });
          }
        },
        () => {},
      );
    });

    body.pipe(bb);
  });
}

/** Writes one file part to tmpPath; 413 the moment it passes maxBytes. */
function spool(stream: BusboyFileStream, tmpPath: string, maxBytes: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const out = fs.createWriteStream(tmpPath, { flags: 'wx' });
    let size = 0;
    let done = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      if (err) {
        stream.unpipe(out);
        stream.resume();
        out.destroy();
        reject(err);
      }
    };
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
    });
    stream.on('limit', () => finish(tooLarge(maxBytes)));
    stream.on('error', (err) => finish(err));
    out.on('error', (err) => finish(err));
    out.on('finish', () => {
      if (done) return;
      done = true;
      resolve(size);
    });
    stream.pipe(out);
  });
}
