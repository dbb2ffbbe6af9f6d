/**
 * A real S3-compatible server for the tests (s3rver, storing under a temporary directory), started
 * and stopped by the tests themselves, and the environment that points Parley at it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  /** PARLEY_* variables for a server storing its files in this bucket. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startLocalS3(bucket = 'parley-test'): Promise<LocalS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-s3-'));
  const s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const addr = await s3.run();
  const endpoint = `http://127.0.0.1:${addr.port}`;
  return {
    endpoint,
    bucket,
    env: {
      PARLEY_FILE_STORAGE: 's3',
      PARLEY_S3_ENDPOINT: endpoint,
      PARLEY_S3_BUCKET: bucket,
      PARLEY_S3_REGION: 'us-east-1',
      PARLEY_S3_ACCESS_KEY_ID: 'S3RVER',
      PARLEY_S3_SECRET_ACCESS_KEY: 'S3RVER',
      PARLEY_S3_FORCE_PATH_STYLE: 'true',
    },
    async close() {
      await s3.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
