import { createReadStream } from 'node:fs';
import { stat as fileStat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { MediaObjectMissingError, type ByteRange, type MediaStore } from '../../core/ports/media-store.js';

export interface S3MediaStoreOptions {
  /** e.g. http://127.0.0.1:9000 for a local S3-compatible server; empty for AWS. */
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
  /** Key prefix inside the bucket, e.g. "xinbox/". */
  readonly prefix: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Path-style URLs (bucket in the path): needed by most self-hosted servers. */
  readonly forcePathStyle: boolean;
}

/**
 * MediaStore on an S3-compatible bucket: what a cluster uses, since every
 * node sees the same objects. A PutObject is atomic (an object is visible
 * only once complete), so the contract's "never partial" holds by itself.
 * Uploads stream from the staged file (a single PUT; objects stay below the
 * 5 GB PutObject limit by the size settings).
 */
export class S3MediaStore implements MediaStore {
  readonly kind = 's3';
  private readonly client: S3Client;

  constructor(private readonly options: S3MediaStoreOptions) {
    this.client = new S3Client({
      region: options.region || 'us-east-1',
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle,
      // Plain signed PUTs: the SDK's default CRC trailer uses aws-chunked
      // framing that several S3-compatible servers store verbatim.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(options.accessKeyId ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } } : {}),
    });
  }

  async putFile(key: string, path: string): Promise<void> {
    const { size } = await fileStat(path);
    await this.client.send(new PutObjectCommand({
      Bucket: this.options.bucket, Key: this.key(key), Body: createReadStream(path), ContentLength: size,
    }));
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.options.bucket, Key: this.key(key), Body: bytes, ContentLength: bytes.length }));
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) }));
      return { size: head.ContentLength ?? 0 };
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const out = await this.client.send(new GetObjectCommand({
        Bucket: this.options.bucket, Key: this.key(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
      }));
      return out.Body as Readable;
    } catch (e) {
      if (isMissing(e)) throw new MediaObjectMissingError(key);
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) }));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private key(key: string): string {
    return this.options.prefix + key;
  }
}

function isMissing(e: unknown): boolean {
  if (e instanceof NoSuchKey || e instanceof NotFound) return true;
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 404;
}
