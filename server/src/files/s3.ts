/**
 * Files in an S3-compatible bucket (AWS, MinIO, Ceph, …). Uploads stream from the spooled file with a
 * known length, so memory stays flat. Checksums are computed only where the protocol requires them:
 * the SDK's newer default (trailing checksums on every upload) is not understood by every
 * S3-compatible server.
 *
 * The SDK is loaded at the first storage operation, not at start-up (it is the largest module tree the
 * server has, and most servers store files on the local disk).
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type * as S3SdkModule from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { FileStorageConfig } from '../config.js';
import {
  assertKey,
  ObjectNotFoundError,
  type ByteRange,
  type FileStorage,
  type PutOptions,
} from './storage.js';

type S3Config = Extract<FileStorageConfig, { kind: 's3' }>;
type S3Sdk = typeof S3SdkModule;

interface Connected {
  sdk: S3Sdk;
  client: S3Client;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

export class S3Storage implements FileStorage {
  readonly kind = 's3' as const;
  private readonly bucket: string;
  private connecting: Promise<Connected> | undefined;
  private client: S3Client | undefined;
  private destroyed = false;

  constructor(private readonly cfg: S3Config) {
    this.bucket = cfg.bucket;
  }

  /** The SDK and the client, loaded and made once, at the first operation. */
  private connect(): Promise<Connected> {
    this.connecting ??= import('@aws-sdk/client-s3').then((sdk) => {
      const { cfg } = this;
      const client = new sdk.S3Client({
        region: cfg.region,
        ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
        forcePathStyle: cfg.forcePathStyle,
        credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      this.client = client;
      if (this.destroyed) client.destroy();
      return { sdk, client };
    });
    return this.connecting;
  }

  async putFile(key: string, sourcePath: string, opts: PutOptions): Promise<void> {
    assertKey(key);
    const { sdk, client } = await this.connect();
    const body = fs.createReadStream(sourcePath);
    try {
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentLength: opts.size,
          ContentType: opts.contentType,
        }),
      );
    } finally {
      body.destroy();
    }
  }

  async putBuffer(key: string, data: Buffer, contentType: string): Promise<void> {
    assertKey(key);
    const { sdk, client } = await this.connect();
    await client.send(
      new sdk.PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: data,
        ContentLength: data.length,
        ContentType: contentType,
      }),
    );
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    assertKey(key);
    const { sdk, client } = await this.connect();
    try {
      const res = await client.send(
        new sdk.GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      const body = res.Body;
      if (body instanceof Readable) return body;
      if (body && 'transformToWebStream' in body) {
        return Readable.fromWeb(body.transformToWebStream() as Parameters<typeof Readable.fromWeb>[0]);
      }
      throw new Error('S3 answered without a body');
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(key);
      throw err;
    }
  }

  async exists(key: string): Promise<boolean> {
    assertKey(key);
    const { sdk, client } = await this.connect();
    try {
      await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) assertKey(key);
    if (keys.length === 0) return;
    const { sdk, client } = await this.connect();
    for (const key of keys) {
      try {
        await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  async *listKeys(): AsyncIterable<string> {
    const { sdk, client } = await this.connect();
    let token: string | undefined;
    do {
      const res = await client.send(
        new sdk.ListObjectsV2Command({ Bucket: this.bucket, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const o of res.Contents ?? []) if (o.Key) yield o.Key;
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
  }

  destroy(): void {
    this.destroyed = true;
    this.client?.destroy();
  }
}
