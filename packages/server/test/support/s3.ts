import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import S3rver from 's3rver';
import type { S3MediaStoreOptions } from '../../src/adapters/media/s3-media-store.js';

export interface S3Service {
  /** Options for an S3MediaStore on a fresh bucket of this server. */
  readonly options: S3MediaStoreOptions;
  stop(): Promise<void>;
}

/**
 * A real S3-compatible HTTP server (s3rver, an npm devDependency, so it is
 * always present: no skip) on a free port with a throwaway directory; the
 * S3 adapter talks to it over sockets with the AWS SDK's signed requests.
 */
export async function startS3(): Promise<S3Service> {
  const dir = mkdtempSync(join(tmpdir(), 'xinbox-s3-'));
  const bucket = `xinbox-${randomBytes(4).toString('hex')}`;
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: bucket, configs: [] }] });
  const address = await server.run();
  return {
    options: {
      endpoint: `http://127.0.0.1:${address.port}`,
      region: 'us-east-1',
      bucket,
      prefix: 'media/',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    },
    stop: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
