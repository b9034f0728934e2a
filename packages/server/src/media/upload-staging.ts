import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Errors, XinboxError } from '@xinbox/protocol';
import type { UserId } from '../core/model.js';

/** What is known about an unfinished upload; persisted beside its bytes so a restart keeps it. */
export interface UploadInfo {
  readonly id: string;
  readonly ownerId: UserId;
  readonly size: number;
  readonly name: string;
  readonly createdAt: number;
}

interface Live {
  readonly info: UploadInfo;
  /** SHA-256 of bytes [0, hashed): kept while this process lives; rebuilt from the file otherwise. */
  hash: Hash | null;
  hashed: number;
  busy: boolean;
}

/**
 * Unfinished uploads on local disk (`<mediaDir>/uploads`): `<id>.part` holds
 * the bytes received so far, so its length is the offset a client resumes
 * at, and `<id>.json` the upload's facts. Bytes are hashed as they arrive.
 * Every write is awaited before the next chunk is taken, so after a dropped
 * connection the file holds exactly what was hashed and acknowledged.
 * Staging is per node: a client resumes on the node it started on (sticky
 * by upload URL); see docs/operations.md.
 */
export class UploadStaging {
  private readonly live = new Map<string, Live>();

  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<UploadStaging> {
    await mkdir(dir, { recursive: true });
    const staging = new UploadStaging(dir);
    for (const f of await readdir(dir)) {
      if (!f.endsWith('.json')) continue;
      try {
        const info = JSON.parse(await readFile(join(dir, f), 'utf8')) as UploadInfo;
        staging.live.set(info.id, { info, hash: null, hashed: 0, busy: false });
      } catch {
        await rm(join(dir, f), { force: true });
      }
    }
    return staging;
  }

  async create(ownerId: UserId, size: number, name: string, now: number): Promise<UploadInfo> {
    const info: UploadInfo = { id: randomBytes(16).toString('base64url'), ownerId, size, name, createdAt: now };
    await writeFile(this.partPath(info.id), new Uint8Array(0));
    await writeFile(join(this.dir, `${info.id}.json`), JSON.stringify(info));
    this.live.set(info.id, { info, hash: createHash('sha256'), hashed: 0, busy: false });
    return info;
  }

  /** The upload if it exists and belongs to `ownerId` (someone else's upload is "not found"). */
  get(id: string, ownerId: UserId): UploadInfo {
    const l = this.live.get(id);
    if (!l || l.info.ownerId !== ownerId) throw new XinboxError(Errors.MEDIA_NOT_FOUND, 'no such upload');
    return l.info;
  }

  async offset(id: string): Promise<number> {
    return (await stat(this.partPath(id))).size;
  }

  /** Unfinished uploads of one user: their count and declared bytes (for limits and quota). */
  pendingOf(ownerId: UserId): { count: number; bytes: number } {
    let count = 0;
    let bytes = 0;
    for (const l of this.live.values()) {
      if (l.info.ownerId !== ownerId) continue;
      count++;
      bytes += l.info.size;
    }
    return { count, bytes };
  }

  /**
   * Appends `body` at `offset` (which must be the current length), hashing as
   * it goes, and never past the declared size. Returns the new offset; when
   * the body breaks off, what arrived is kept.
   */
  async append(id: string, offset: number, body: Readable): Promise<number> {
    const l = this.live.get(id)!;
    if (l.busy) throw new XinboxError(Errors.UPLOAD_OFFSET_MISMATCH, 'another request is writing this upload; ask for the offset and retry');
    l.busy = true;
    const fh = await open(this.partPath(id), 'r+');
    let at = (await fh.stat()).size;
    try {
      if (offset !== at) throw new XinboxError(Errors.UPLOAD_OFFSET_MISMATCH, `upload is at offset ${at}`);
      if (!l.hash || l.hashed !== at) {
        l.hash = null; // rebuilt from the file when the upload completes
      }
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          if (at + chunk.length > l.info.size) throw new XinboxError(Errors.MEDIA_TOO_LARGE, `more bytes than the declared size ${l.info.size}`);
          await fh.write(chunk, 0, chunk.length, at);
          l.hash?.update(chunk);
          at += chunk.length;
          if (l.hash) l.hashed = at;
        }
      } catch (e) {
        if (e instanceof XinboxError) throw e;
        // The connection dropped: keep what arrived, the client resumes from `at`.
      }
      return at;
    } finally {
      await fh.close();
      l.busy = false;
    }
  }

  /** Hex SHA-256 of a complete upload: from the running hash, or by reading the file if this process restarted meanwhile. */
  async digest(id: string): Promise<string> {
    const l = this.live.get(id)!;
    if (l.hash && l.hashed === l.info.size) return l.hash.digest('hex');
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(this.partPath(id)) as AsyncIterable<Buffer>) hash.update(chunk);
    return hash.digest('hex');
  }

  partPath(id: string): string {
    return join(this.dir, `${id}.part`);
  }

  async remove(id: string): Promise<void> {
    this.live.delete(id);
    await rm(this.partPath(id), { force: true });
    await rm(join(this.dir, `${id}.json`), { force: true });
  }

  /** Unfinished uploads created before `before` (for the collector). */
  staleBefore(before: number): string[] {
    return [...this.live.values()].filter((l) => l.info.createdAt < before && !l.busy).map((l) => l.info.id);
  }
}
