/** One contract for both storage backends: the local disk and a real S3-compatible server. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { newId } from '../../src/lib/ids.js';
import { LocalStorage } from '../../src/files/local.js';
import { createStorage, objectKey, ObjectNotFoundError, type FileStorage } from '../../src/files/storage.js';
import { startLocalS3, type LocalS3 } from './s3.js';

async function text(s: NodeJS.ReadableStream): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.from(c as Buffer));
  return Buffer.concat(parts).toString();
}

async function keys(storage: FileStorage): Promise<string[]> {
  const out: string[] = [];
  for await (const k of storage.listKeys()) out.push(k);
  return out.sort();
}

let s3: LocalS3;
let dir: string;
beforeAll(async () => {
  s3 = await startLocalS3();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-storage-'));
});
afterAll(async () => {
  await s3.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.each(['local', 's3'] as const)('%s storage', (kind) => {
  let storage: FileStorage;
  beforeAll(() => {
    const env = kind === 's3' ? s3.env : {};
    storage = createStorage(loadConfig({ PARLEY_DATA_DIR: path.join(dir, kind), ...env }));
    expect(storage.kind).toBe(kind);
  });

  it('stores, reads whole and by range, lists and deletes', async () => {
    const id = newId();
    const src = path.join(dir, `${kind}-src.txt`);
    fs.writeFileSync(src, '0123456789abcdef');
    await storage.putFile(objectKey(id, 'original'), src, { size: 16, contentType: 'text/plain' });
    await storage.putBuffer(objectKey(id, 'thumb'), Buffer.from('thumb'), 'image/jpeg');
    expect(fs.existsSync(src)).toBe(true); // copied, not moved
    expect(await text(await storage.read(objectKey(id, 'original')))).toBe('0123456789abcdef');
    expect(await text(await storage.read(objectKey(id, 'original'), { start: 3, end: 6 }))).toBe('3456');
    expect(await text(await storage.read(objectKey(id, 'thumb')))).toBe('thumb');
    expect(await storage.exists(objectKey(id, 'original'))).toBe(true);
    expect(await storage.exists(objectKey(id, 'preview'))).toBe(false);
    expect(await keys(storage)).toEqual([`${id}/original`, `${id}/thumb`]);

    await storage.delete([objectKey(id, 'original'), objectKey(id, 'thumb'), objectKey(id, 'preview')]);
    expect(await keys(storage)).toEqual([]);
    await expect(storage.read(objectKey(id, 'original'))).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('moves a source file when allowed', async () => {
    const id = newId();
    const src = path.join(dir, `${kind}-move.bin`);
    fs.writeFileSync(src, Buffer.alloc(1000, 7));
    await storage.putFile(objectKey(id, 'original'), src, { size: 1000, contentType: 'x/y', move: true });
    expect(await storage.exists(objectKey(id, 'original'))).toBe(true);
    await storage.delete([objectKey(id, 'original')]);
  });

  it('refuses keys that are not generated ids', async () => {
    for (const bad of [
      '../x',
      `${newId()}/../../x`,
      'ABCDEFGHIJKLMNOPQRSTUVWXYZ/original',
      `${newId()}/other`,
      '',
    ]) {
      await expect(storage.read(bad)).rejects.toThrow(/invalid storage key/);
      await expect(storage.putBuffer(bad, Buffer.from('x'), 'x/y')).rejects.toThrow(/invalid storage key/);
    }
    expect(() => objectKey('../../etc', 'original')).toThrow(/invalid storage key/);
  });
});

it('keeps local objects under the root, sharded by id', () => {
  const root = path.join(dir, 'root');
  const local = new LocalStorage(root);
  const id = newId();
  expect(local.pathOf(`${id}/original`)).toBe(path.join(root, id.slice(0, 2), id, 'original'));
});
