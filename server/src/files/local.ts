/**
 * Files on the local disk under `<dataDir>/files`, sharded by the first two characters of the id:
 * `files/ab/abcd…/original`. Writes go to a temporary name inside the root and are renamed into place,
 * so a reader never sees half an object.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertKey,
  ObjectNotFoundError,
  type ByteRange,
  type FileStorage,
  type PutOptions,
} from './storage.js';

export class LocalStorage implements FileStorage {
  readonly kind = 'local' as const;
  private readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** The path of a key; refuses anything that would leave the root. */
  pathOf(key: string): string {
    assertKey(key);
    const [id, variant] = key.split('/') as [string, string];
    const p = path.resolve(this.root, id.slice(0, 2), id, variant);
    if (!p.startsWith(this.root + path.sep)) throw new Error('storage path outside the root');
    return p;
  }

  private tmpPath(): string {
    return path.join(this.root, '.tmp', randomBytes(12).toString('hex'));
  }

  private async place(tmp: string, key: string): Promise<void> {
    const dest = this.pathOf(key);
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    await fsp.rename(tmp, dest);
  }

  async putFile(key: string, sourcePath: string, opts: PutOptions): Promise<void> {
    const dest = this.pathOf(key);
    await fsp.mkdir(path.join(this.root, '.tmp'), { recursive: true });
    if (opts.move) {
      try {
        await fsp.mkdir(path.dirname(dest), { recursive: true });
        await fsp.rename(sourcePath, dest);
        return;
      } catch (err) {
        // Another file system: copy instead.
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      }
    }
    const tmp = this.tmpPath();
    try {
      await pipeline(fs.createReadStream(sourcePath), fs.createWriteStream(tmp, { flags: 'wx' }));
      await this.place(tmp, key);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  }

  async putBuffer(key: string, data: Buffer): Promise<void> {
    this.pathOf(key);
    await fsp.mkdir(path.join(this.root, '.tmp'), { recursive: true });
    const tmp = this.tmpPath();
    try {
      await fsp.writeFile(tmp, data, { flag: 'wx' });
      await this.place(tmp, key);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const p = this.pathOf(key);
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(p, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ObjectNotFoundError(key);
      throw err;
    }
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async exists(key: string): Promise<boolean> {
    try {
      await fsp.access(this.pathOf(key));
      return true;
    } catch {
      return false;
    }
  }

  async delete(keys: string[]): Promise<void> {
    const dirs = new Set<string>();
    for (const key of keys) {
      const p = this.pathOf(key);
      await fsp.rm(p, { force: true });
      dirs.add(path.dirname(p));
    }
    // Remove the file's folder once empty (rmdir fails harmlessly while other variants remain).
    for (const d of dirs) await fsp.rmdir(d).catch(() => {});
  }

  async *listKeys(): AsyncIterable<string> {
    let shards: string[];
    try {
      shards = await fsp.readdir(this.root);
    } catch {
      return;
    }
    for (const shard of shards) {
      if (shard === '.tmp') continue;
      const ids = await fsp.readdir(path.join(this.root, shard)).catch(() => [] as string[]);
      for (const id of ids) {
        const variants = await fsp.readdir(path.join(this.root, shard, id)).catch(() => [] as string[]);
        for (const v of variants) yield `${id}/${v}`;
      }
    }
  }
}
