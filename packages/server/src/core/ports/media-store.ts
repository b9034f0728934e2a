import type { Readable } from 'node:stream';

/** A byte range, both ends inclusive (as in an HTTP Range header). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Where media bytes live: uploaded originals and their derived files
 * (thumbnails, posters). Keys are chosen by the core: an original is stored
 * under its hex SHA-256, so identical content is stored once; a derived file
 * under `<sha256>.<variant>`.
 *
 * Contract (test/contracts/media-store.contract.ts, run against every adapter):
 * - `putFile(key, path)` copies a local file in; once it resolves, `stat` and
 *   `read` see the whole object. While a put is in flight an object may or may
 *   not be visible (S3 itself is atomic; some S3-compatible servers and
 *   filesystems are not), so the core reads an object only after the put that
 *   made it resolved, and treats a `stat` size other than the expected one as
 *   absent. A second put of the same key replaces the object (content-addressed
 *   keys make that a no-op in practice). `put(key, bytes)` is the same for a buffer.
 * - `stat(key)` is the object's size, or null when there is none.
 * - `read(key, range?)` streams the whole object or the inclusive byte range
 *   (the caller checks the range against `stat`); a missing key rejects with
 *   `MediaObjectMissingError`.
 * - `delete(key)` removes the object; deleting a missing key is not an error.
 * - Any node sharing the same backing store (a shared directory, a bucket)
 *   sees the same objects: that is how every node of a cluster serves any media.
 * Implementations do their I/O off the event loop (libuv file I/O, sockets).
 */
export interface MediaStore {
  /** A name for logs and metrics, e.g. "fs" or "s3". */
  readonly kind: string;
  putFile(key: string, path: string): Promise<void>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  stat(key: string): Promise<{ size: number } | null>;
  read(key: string, range?: ByteRange): Promise<Readable>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

export class MediaObjectMissingError extends Error {
  constructor(readonly key: string) {
    super(`media object ${key} does not exist`);
    this.name = 'MediaObjectMissingError';
  }
}
