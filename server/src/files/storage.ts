/**
 * Where uploaded bytes live, behind one interface: the local disk under the data directory, or an
 * S3-compatible bucket. Objects are named only by keys built here from generated file ids, never from
 * anything a user sent, and every backend checks the key's shape again before touching storage.
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Config } from '../config.js';
import { LocalStorage } from './local.js';
import { S3Storage } from './s3.js';

/** The stored forms of one file. */
export type Variant = 'original' | 'thumb' | 'preview';
export const VARIANTS: readonly Variant[] = ['original', 'thumb', 'preview'];

const KEY_RE = /^[a-z0-9]{26}\/(original|thumb|preview)$/;

export function objectKey(fileId: string, variant: Variant): string {
  const key = `${fileId}/${variant}`;
  assertKey(key);
  return key;
}

export function assertKey(key: string): void {
  if (!KEY_RE.test(key)) throw new Error(`invalid storage key: ${JSON.stringify(key.slice(0, 80))}`);
}

/** Inclusive byte range. */
export interface ByteRange {
  start: number;
  end: number;
}

export class ObjectNotFoundError extends Error {
  constructor(key: string) {
    super(`no stored object ${key}`);
    this.name = 'ObjectNotFoundError';
  }
}

export interface PutOptions {
  size: number;
  contentType: string;
  /** The source file may be moved instead of copied (the caller no longer needs it). */
  move?: boolean;
}

export interface FileStorage {
  readonly kind: 'local' | 's3';
  /** Stores the bytes of a local file under key, streaming (memory stays flat whatever the size). */
  putFile(key: string, sourcePath: string, opts: PutOptions): Promise<void>;
  putBuffer(key: string, data: Buffer, contentType: string): Promise<void>;
  /** The object's bytes (a range of them when asked). Throws ObjectNotFoundError. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  exists(key: string): Promise<boolean>;
  /** Removes the objects; absent ones are no error. */
  delete(keys: string[]): Promise<void>;
  /** Every stored key (the sweeper and tests). */
  listKeys(): AsyncIterable<string>;
}

export function createStorage(config: Config): FileStorage {
  const fc = config.fileStorage;
  if (fc.kind === 's3') return new S3Storage(fc);
  return new LocalStorage(path.join(config.dataDir, 'files'));
}
