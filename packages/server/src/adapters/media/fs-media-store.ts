import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { MediaObjectMissingError, type ByteRange, type MediaStore } from '../../core/ports/media-store.js';

const SAFE_KEY = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * MediaStore on a local directory (the default, `<dataDir>/media`). Objects
 * are spread over 256 subdirectories by the key's first two characters.
 * Writes go to a temporary name in the same directory and are renamed into
 * place, so a reader never sees a partial object. All I/O is libuv file I/O
 * (the thread pool), never synchronous on the event loop. Shared between
 * cluster nodes only if the directory is a shared mount (see
 * docs/operations.md); otherwise use the S3 adapter.
 */
export class FsMediaStore implements MediaStore {
  readonly kind = 'fs';

  constructor(private readonly root: string) {}

  async putFile(key: string, path: string): Promise<void> {
    const target = await this.prepare(key);
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await copyFile(path, tmp);
      await rename(tmp, target);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const target = await this.prepare(key);
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, bytes);
      await rename(tmp, target);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const s = await stat(this.path(key));
      return { size: s.size };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  read(key: string, range?: ByteRange): Promise<Readable> {
    const stream = createReadStream(this.path(key), range ? { start: range.start, end: range.end } : {});
    return new Promise((resolve, reject) => {
      stream.once('open', () => resolve(stream));
      stream.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new MediaObjectMissingError(key) : e));
    });
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async close(): Promise<void> {}

  private path(key: string): string {
    if (!SAFE_KEY.test(key)) throw new Error(`invalid media key ${JSON.stringify(key)}`);
    return join(this.root, key.slice(0, 2), key);
  }

  private async prepare(key: string): Promise<string> {
    const target = this.path(key);
    await mkdir(join(this.root, key.slice(0, 2)), { recursive: true });
    return target;
  }
}
