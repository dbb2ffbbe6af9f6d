/**
 * Files: uploads, access to them, their attachment to posts and their clean-up.
 *
 * Access rule, checked on every read: a file attached to a post is readable by whoever may read the
 * post's channel; a file not yet attached only by its uploader. Anything else answers 404, exactly like
 * an unknown id. A deleted post's files are marked deleted at once (no more access) and their objects
 * are purged by the sweeper, which also expires uploads never attached within a day.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { AppError, badRequest, notFound } from '../lib/errors.js';
import { isId, newId } from '../lib/ids.js';
import { P } from '../permissions/roles.js';
import type { Store } from '../store/store.js';
import type { FileRow } from '../store/files.js';
import {
  createStorage,
  objectKey,
  VARIANTS,
  type ByteRange,
  type FileStorage,
  type Variant,
} from '../files/storage.js';
import { receiveMultipart, type SpooledFile } from '../files/multipart.js';
import { extensionOf, sanitizeFileName } from '../files/names.js';
import { IMAGE_TYPES, isInlineType, OCTET_STREAM, sniffType } from '../files/types.js';
import { processImage, type ImageResult } from '../files/images.js';
import { accessChannel, requireChannelPermission } from './access.js';
import type { Actor, Deps } from './context.js';

/** Files one request may upload, and one post may carry. */
export const MAX_FILES_PER_UPLOAD = 10;
export const MAX_FILES_PER_POST = 10;
/** Uploads not attached to a post within this time are removed. */
export const UNATTACHED_TTL_MS = 24 * 60 * 60 * 1000;
const SWEEP_BATCH = 200;

const fileNotFound = () => notFound('file_info');

export interface UploadInput {
  /** channel_id from the query string, when the client put it there. */
  channelId: string | undefined;
  body: Readable;
  headers: IncomingHttpHeaders;
}

export interface UploadResult {
  files: FileRow[];
  clientIds: string[];
}

export interface FileDownload {
  file: FileRow;
  stream: Readable;
  /** Content-Type to send. */
  contentType: string;
  /** Whether the browser may show it inline (images, audio, video it plays). */
  inline: boolean;
  /** Bytes of the whole object, when known (the original). */
  totalSize: number | undefined;
  /** The range served, when a Range request was satisfiable. */
  range: ByteRange | undefined;
}

/** Thrown for a Range that starts past the end: 416 with `Content-Range: bytes *\/size`. */
export class RangeNotSatisfiableError extends AppError {
  constructor(readonly size: number) {
    super(416, 'api.file.range_not_satisfiable.app_error', 'The requested range is not satisfiable.');
  }
}

/**
 * A single `bytes=` range against an object of `size` bytes. undefined: serve everything (no header,
 * several ranges, or a malformed one, as RFC 9110 allows). Throws RangeNotSatisfiableError.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return undefined;
  if (a.length > 16 || b.length > 16) throw new RangeNotSatisfiableError(size);
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0 || size === 0) throw new RangeNotSatisfiableError(size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (b !== '' && Number(b) < start) return undefined;
  if (start >= size) throw new RangeNotSatisfiableError(size);
  return { start, end };
}

function keysOf(fileId: string): string[] {
  return VARIANTS.map((v) => objectKey(fileId, v));
}

export class FileService {
  readonly storage: FileStorage;
  private readonly tmpDir: string;

  constructor(
    private readonly deps: Deps,
    storage?: FileStorage,
  ) {
    this.storage = storage ?? createStorage(deps.config);
    this.tmpDir = path.join(deps.config.dataDir, 'tmp', 'uploads');
  }

  /** The uploader must be able to post in the channel, and the channel must not be archived. */
  private async requireUploadAccess(actor: Actor, channelId: string): Promise<void> {
    const access = await accessChannel(this.deps.store, actor, channelId);
    requireChannelPermission(actor, access, P.createPost);
    if (access.channel.delete_at !== 0) {
      throw badRequest(
        'api.file.upload_file.archived_channel.app_error',
        'Files cannot be uploaded to an archived channel.',
      );
    }
  }

  /**
   * POST /files: spools the multipart body, checks the channel as soon as its id is known (before
   * spooling the files that follow it), sniffs and renders each file, stores the objects, then inserts
   * the rows. Any failure leaves nothing behind: no object, no row, no temporary file.
   */
  async upload(actor: Actor, input: UploadInput): Promise<UploadResult> {
    const { config } = this.deps;
    let channelId = input.channelId;
    if (channelId) await this.requireUploadAccess(actor, channelId);

    const form = await receiveMultipart(input.body, input.headers, {
      tmpDir: this.tmpDir,
      maxFileSize: config.maxFileSize,
      maxFiles: MAX_FILES_PER_UPLOAD,
      maxFields: MAX_FILES_PER_UPLOAD + 4,
      onField: async (name, value) => {
        if (name !== 'channel_id') return;
        if (!isId(value) || (channelId && value !== channelId)) {
          throw badRequest('api.file.upload_file.channel_id.app_error', 'Invalid or missing channel_id.');
        }
        if (!channelId) {
          channelId = value;
          await this.requireUploadAccess(actor, value);
        }
      },
    });

    const cleanup: string[] = form.files.map((f) => f.tmpPath);
    const stored: string[] = [];
    try {
      if (!channelId) {
        throw badRequest('api.file.upload_file.channel_id.app_error', 'Invalid or missing channel_id.');
      }
      if (form.files.length === 0) {
        throw badRequest(
          'api.file.upload_file.incorrect_number_of_files.app_error',
          'No files were uploaded.',
        );
      }
      const clientIds = form.fields.get('client_ids') ?? [];
      if (clientIds.length !== 0 && clientIds.length !== form.files.length) {
        throw badRequest(
          'api.file.upload_file.incorrect_number_of_client_ids.app_error',
          'There must be one client id per file.',
        );
      }
      if (clientIds.some((c) => c.length > 64)) {
        throw badRequest('api.file.upload_file.client_ids.app_error', 'Invalid client_ids.');
      }

      const now = this.deps.now();
      const rows: FileRow[] = [];
      for (const file of form.files) {
        const id = newId();
        const prepared = await this.prepare(file, id, cleanup);
        for (const key of keysOf(id)) stored.push(key);
        await this.storage.putFile(objectKey(id, 'original'), prepared.path, {
          size: prepared.size,
          contentType: prepared.mime,
          move: true,
        });
        if (prepared.image) {
          await this.storage.putBuffer(
            objectKey(id, 'thumb'),
            prepared.image.thumb,
            prepared.image.previewType,
          );
          await this.storage.putBuffer(
            objectKey(id, 'preview'),
            prepared.image.preview,
            prepared.image.previewType,
          );
        }
        const name = sanitizeFileName(file.name);
        rows.push({
          id,
          creator_id: actor.userId,
          channel_id: channelId,
          post_id: '',
          create_at: now,
          update_at: now,
          delete_at: 0,
          name,
          extension: extensionOf(name),
          size: prepared.size,
          mime_type: prepared.mime,
          width: prepared.image?.width ?? 0,
          height: prepared.image?.height ?? 0,
          has_preview_image: prepared.image ? 1 : 0,
          preview_type: prepared.image?.previewType ?? '',
          mini_preview: prepared.image?.miniPreview ?? '',
        });
      }

      // Access may have changed during a long upload.
      await this.requireUploadAccess(actor, channelId);
      await this.deps.store.transaction(async (tx) => {
        for (const row of rows) await tx.files.insert(row);
      });
      stored.length = 0;
      return { files: rows, clientIds };
    } finally {
      if (stored.length) {
        await this.storage
          .delete(stored)
          .catch((err: unknown) => this.deps.log.warn({ err }, 'removing objects of a failed upload failed'));
      }
      await Promise.all(cleanup.map((p) => fsp.rm(p, { force: true })));
    }
  }

  /** Type from the bytes; renditions for images. The path to store may differ from the spooled one. */
  private async prepare(
    file: SpooledFile,
    id: string,
    cleanup: string[],
  ): Promise<{ path: string; size: number; mime: string; image: ImageResult | undefined }> {
    const ext = extensionOf(sanitizeFileName(file.name));
    let mime = await sniffType(file.tmpPath, ext);
    let image: ImageResult | undefined;
    let storePath = file.tmpPath;
    let size = file.size;
    if (IMAGE_TYPES.has(mime)) {
      const out = path.join(this.tmpDir, `${id}.clean`);
      cleanup.push(out);
      image = await processImage(file.tmpPath, mime, out);
      if (!image) {
        // Sniffed as an image but does not decode (truncated, damaged): kept as a plain file.
        mime = OCTET_STREAM;
      } else if (image.sanitizedPath) {
        storePath = image.sanitizedPath;
        size = (await fsp.stat(storePath)).size;
      }
    }
    return { path: storePath, size, mime, image };
  }

  /**
   * A file the actor may read, or 404. Attached files follow the post's channel; unattached ones are
   * visible to their uploader only.
   */
  async accessFile(actor: Actor, fileId: string): Promise<FileRow> {
    const { store } = this.deps;
    const file = await store.files.findById(fileId);
    if (!file || file.delete_at !== 0) throw fileNotFound();
    if (file.post_id === '') {
      if (file.creator_id !== actor.userId) throw fileNotFound();
      return file;
    }
    const post = await store.posts.findById(file.post_id);
    if (!post || post.delete_at !== 0) throw fileNotFound();
    try {
      await accessChannel(store, actor, post.channel_id);
    } catch (err) {
      if (err instanceof AppError && err.status === 404) throw fileNotFound();
      throw err;
    }
    return file;
  }

  getInfo(actor: Actor, fileId: string): Promise<FileRow> {
    return this.accessFile(actor, fileId);
  }

  /** GET /files/{id}, /thumbnail, /preview. */
  async download(
    actor: Actor,
    fileId: string,
    variant: Variant,
    rangeHeader: string | undefined,
  ): Promise<FileDownload> {
    const file = await this.accessFile(actor, fileId);
    if (variant !== 'original') {
      if (file.has_preview_image !== 1) {
        const what = variant === 'thumb' ? 'thumbnail' : 'preview';
        throw badRequest(`api.file.get_file_${what}.no_${what}.app_error`, `The file has no ${what}.`);
      }
      const stream = await this.storage.read(objectKey(file.id, variant));
      return {
        file,
        stream,
        contentType: file.preview_type,
        inline: true,
        totalSize: undefined,
        range: undefined,
      };
    }
    const range = parseRange(rangeHeader, file.size);
    const stream = await this.storage.read(objectKey(file.id, 'original'), range);
    const inline = isInlineType(file.mime_type);
    return {
      file,
      stream,
      contentType: inline ? file.mime_type : OCTET_STREAM,
      inline,
      totalSize: file.size,
      range,
    };
  }

  /** GET /posts/{id}/files/info: the files of a post the actor may read. */
  async listForPost(actor: Actor, postId: string): Promise<FileRow[]> {
    const { store } = this.deps;
    const post = await store.posts.findById(postId);
    if (!post || post.delete_at !== 0) throw notFound('post');
    try {
      await accessChannel(store, actor, post.channel_id);
    } catch (err) {
      if (err instanceof AppError && err.status === 404) throw notFound('post');
      throw err;
    }
    return store.files.listForPosts([postId]);
  }

  /** GET /channels/{id}/files: files of the channel's live posts, newest first (404 for outsiders). */
  async listForChannel(actor: Actor, channelId: string, page: number, perPage: number): Promise<FileRow[]> {
    const { store } = this.deps;
    await accessChannel(store, actor, channelId);
    if (perPage === 0) return [];
    return store.files.listForChannel(channelId, page * perPage, perPage);
  }

  /**
   * Expires unattached uploads older than a day and purges deleted files (objects, then rows).
   * Returns how many files were purged. Runs periodically (app.ts) and from tests with a fake clock.
   */
  async sweep(): Promise<number> {
    const { store, now } = this.deps;
    const t = now();
    await store.files.expireUnattached(t - UNATTACHED_TTL_MS, t);
    let purged = 0;
    for (;;) {
      const batch = await store.files.listDeleted(SWEEP_BATCH);
      if (batch.length === 0) break;
      for (const f of batch) await this.storage.delete(keysOf(f.id));
      await store.files.deleteRows(batch.map((f) => f.id));
      purged += batch.length;
      if (batch.length < SWEEP_BATCH) break;
    }
    await this.sweepTmp(Date.now() - UNATTACHED_TTL_MS);
    return purged;
  }

  /** Temporary files left by a crash mid-upload. */
  private async sweepTmp(before: number): Promise<void> {
    const names = await fsp.readdir(this.tmpDir).catch(() => [] as string[]);
    for (const n of names) {
      const p = path.join(this.tmpDir, n);
      const st = await fsp.stat(p).catch(() => undefined);
      if (st && st.mtimeMs < before) await fsp.rm(p, { force: true });
    }
  }
}

/**
 * For the post service, inside its transaction: claims the uploaded files for a new post. At most 10;
 * each must be an unattached, live upload by the actor in this channel, else 400 and nothing changes
 * (the caller's transaction rolls back). Returns the rows in the order asked, ready for metadata.files.
 */
export async function attachFilesTx(
  tx: Store,
  actor: Actor,
  channelId: string,
  postId: string,
  fileIds: readonly string[],
  now: number,
): Promise<FileRow[]> {
  const ids = [...new Set(fileIds)];
  if (ids.length === 0) return [];
  if (ids.length > MAX_FILES_PER_POST) {
    throw badRequest(
      'api.post.create_post.too_many_files.app_error',
      `A post can carry at most ${MAX_FILES_PER_POST} files.`,
    );
  }
  const invalid = () =>
    badRequest(
      'api.post.create_post.invalid_file_ids.app_error',
      'One of the files cannot be attached to this post.',
    );
  if (!ids.every(isId)) throw invalid();
  const rows = await tx.files.findByIds(ids);
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const id of ids) {
    const r = byId.get(id);
    if (
      !r ||
      r.delete_at !== 0 ||
      r.post_id !== '' ||
      r.creator_id !== actor.userId ||
      r.channel_id !== channelId
    ) {
      throw invalid();
    }
  }
  const changed = await tx.files.attach(ids, actor.userId, channelId, postId, now);
  if (changed !== ids.length) throw invalid();
  return ids.map((id) => ({ ...byId.get(id)!, post_id: postId, update_at: now }));
}

/** For the post service, inside its transaction: deleting posts removes all access to their files. */
export async function detachFilesForDeletedPostsTx(
  tx: Store,
  postIds: readonly string[],
  now: number,
): Promise<void> {
  await tx.files.markDeletedForPosts([...postIds], now);
}

/** For presenting posts: the live files of each post (oldest first), keyed by post id. */
export async function fileInfosForPosts(
  store: Store,
  postIds: readonly string[],
): Promise<Map<string, FileRow[]>> {
  const out = new Map<string, FileRow[]>();
  const ids = [...new Set(postIds)];
  for (let i = 0; i < ids.length; i += 500) {
    for (const row of await store.files.listForPosts(ids.slice(i, i + 500))) {
      const list = out.get(row.post_id) ?? [];
      list.push(row);
      out.set(row.post_id, list);
    }
  }
  return out;
}
