import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Errors, XinboxError } from '@xinbox/protocol';
import type { UserId } from '../core/model.js';
import type { MediaJson } from '@xinbox/protocol';
import type { MediaCatalog, MediaKind, MediaRecord } from '../core/ports/media-catalog.js';
import type { ByteRange, MediaStore } from '../core/ports/media-store.js';
import type { MediaAccess } from '../core/media/media-access.js';
import type { MediaUrlSigner } from '../core/media/media-url-signer.js';
import type { Logger } from '../logger.js';
import { AvProbe } from './derive-av.js';
import { UploadStaging, type UploadInfo } from './upload-staging.js';
import { Semaphore } from './semaphore.js';

export interface MediaLimits {
  readonly maxBytes: Record<MediaKind, number>;
  readonly quotaBytes: number;
  readonly maxOpenUploads: number;
  readonly ffmpegPath: string;
  readonly ffprobePath: string;
}

/** A media item as the HTTP API and the SDK see it (defined once in @xinbox/protocol). */
export type { MediaJson };

export interface Download {
  readonly record: MediaRecord;
  readonly size: number;
  readonly contentType: string;
  readonly etag: string;
  open(range?: ByteRange): Promise<Readable>;
}

/**
 * The media channel: resumable uploads into staging, then (on the last
 * byte) sniffing, size limits by sniffed kind, content addressing by
 * SHA-256 (identical bytes are stored once), derived files, and the catalog
 * record; downloads by signed URL. Heavy work stays off the event loop:
 * file I/O and sharp run in libuv's pool, ffmpeg/ffprobe in child processes,
 * and at most two derivations run at once.
 */
export class MediaService {
  private readonly derive = new Semaphore(2);
  private readonly av: AvProbe;
  private warnedNoFfmpeg = false;

  constructor(
    private readonly staging: UploadStaging,
    private readonly store: MediaStore,
    readonly catalog: MediaCatalog,
    readonly access: MediaAccess,
    readonly signer: MediaUrlSigner,
    private readonly limits: MediaLimits,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    this.av = new AvProbe(limits.ffprobePath, limits.ffmpegPath);
  }

  async createUpload(ownerId: UserId, sizeRaw: unknown, nameRaw: unknown): Promise<UploadInfo> {
    const size = Number(sizeRaw);
    if (!Number.isSafeInteger(size) || size <= 0) throw new XinboxError(Errors.INVALID_ARGUMENT, 'size must be a positive integer (bytes)');
    const name = typeof nameRaw === 'string' ? [...nameRaw].map((c) => (c < ' ' || c === '/' || c === '\\' ? '_' : c)).join('').slice(0, 255) : '';
    const largest = Math.max(...Object.values(this.limits.maxBytes));
    if (size > largest) throw new XinboxError(Errors.MEDIA_TOO_LARGE, `size exceeds the largest allowed upload (${largest} bytes)`);
    const pending = this.staging.pendingOf(ownerId);
    if (pending.count >= this.limits.maxOpenUploads) throw new XinboxError(Errors.RATE_LIMITED, `at most ${this.limits.maxOpenUploads} unfinished uploads per user`);
    const used = await this.catalog.usage(ownerId);
    if (used + pending.bytes + size > this.limits.quotaBytes) {
      throw new XinboxError(Errors.MEDIA_QUOTA_EXCEEDED, `quota ${this.limits.quotaBytes} bytes, ${used + pending.bytes} in use`);
    }
    return this.staging.create(ownerId, size, name, this.clock());
  }

  async uploadStatus(ownerId: UserId, uploadId: string): Promise<{ info: UploadInfo; offset: number }> {
    const info = this.staging.get(uploadId, ownerId);
    return { info, offset: await this.staging.offset(uploadId) };
  }

  /** Appends a chunk; returns the new offset and, when it was the last one, the stored item. */
  async appendChunk(ownerId: UserId, uploadId: string, offset: number, body: Readable): Promise<{ offset: number; media: MediaRecord | null }> {
    const info = this.staging.get(uploadId, ownerId);
    const at = await this.staging.append(uploadId, offset, body);
    if (at < info.size) return { offset: at, media: null };
    try {
      return { offset: at, media: await this.complete(info) };
    } finally {
      await this.staging.remove(uploadId);
    }
  }

  async cancelUpload(ownerId: UserId, uploadId: string): Promise<void> {
    this.staging.get(uploadId, ownerId);
    await this.staging.remove(uploadId);
  }

  private async complete(info: UploadInfo): Promise<MediaRecord> {
    const path = this.staging.partPath(info.id);
    // Loaded on first use: a node that never takes an upload never loads sharp's native library.
    const { sniffFile } = await import('./sniff.js');
    const [{ mimeType, kind: sniffed }, sha256] = await Promise.all([sniffFile(path), this.staging.digest(info.id)]);
    if (info.size > this.limits.maxBytes[sniffed]) throw new XinboxError(Errors.MEDIA_TOO_LARGE, `${sniffed} uploads are limited to ${this.limits.maxBytes[sniffed]} bytes`);
    // Content addressing: the same bytes are stored once, whoever uploads them.
    if ((await this.store.stat(sha256))?.size !== info.size) await this.store.putFile(sha256, path);
    const derived = await this.derive.run(() => this.deriveFor(path, sha256, sniffed, info.size));
    const record: MediaRecord = {
      id: randomBytes(16).toString('base64url'),
      ownerId: info.ownerId,
      sha256,
      size: info.size,
      mimeType,
      kind: derived.kind,
      name: info.name,
      width: derived.width,
      height: derived.height,
      durationMs: derived.durationMs,
      placeholder: derived.placeholder,
      variants: derived.variants,
      createdAt: this.clock(),
    };
    await this.catalog.create(record);
    // The collector may have removed the shared bytes between our check and the record: put them back.
    if ((await this.store.stat(sha256))?.size !== info.size) await this.store.putFile(sha256, path);
    return record;
  }

  private async deriveFor(path: string, sha256: string, kind: MediaKind, size: number): Promise<{
    kind: MediaKind; width: number; height: number; durationMs: number; placeholder: Uint8Array; variants: string[];
  }> {
    const none = { kind, width: 0, height: 0, durationMs: 0, placeholder: new Uint8Array(0), variants: [] as string[] };
    const { deriveImage, thumbHash } = await import('./derive-image.js');
    if (kind === 'image') {
      try {
        const img = await deriveImage(path);
        for (const [variant, bytes] of img.thumbnails) await this.store.put(`${sha256}.${variant}`, bytes);
        return { kind, width: img.width, height: img.height, durationMs: 0, placeholder: img.placeholder, variants: [...img.thumbnails.keys()] };
      } catch (e) {
        // Not decodable after all: keep it as a plain file.
        this.log.warn(`image ${sha256} (${size} bytes) could not be decoded; stored as a file`, e);
        return { ...none, kind: 'file' };
      }
    }
    if (kind !== 'video' && kind !== 'audio') return none;
    const info = await this.av.probe(path);
    if (!info) {
      if (!this.warnedNoFfmpeg) this.log.warn(`${this.limits.ffprobePath} is not available: video/audio are stored without duration or poster`);
      this.warnedNoFfmpeg = true;
      return none;
    }
    // A WebM/MP4 with no video stream is audio (e.g. a recorded voice message).
    const actual: MediaKind = info.hasVideo ? 'video' : 'audio';
    if (!info.hasVideo) return { ...none, kind: actual, durationMs: info.durationMs };
    const poster = await this.av.poster(path, info.durationMs);
    if (!poster) return { ...none, kind: actual, width: info.width, height: info.height, durationMs: info.durationMs };
    await this.store.put(`${sha256}.poster`, poster);
    return { kind: actual, width: info.width, height: info.height, durationMs: info.durationMs, placeholder: await thumbHash(poster), variants: ['poster'] };
  }

  /** The item if `userId` may fetch it (MEDIA_NOT_FOUND / MEDIA_ACCESS_DENIED otherwise). */
  describe(userId: UserId, mediaId: string): Promise<MediaRecord> {
    return this.access.check(userId, mediaId);
  }

  /** Signed URLs for the original and every variant. */
  signedUrls(record: MediaRecord): { urls: Record<string, string>; expiresAt: number } {
    const urls: Record<string, string> = {};
    let expiresAt = 0;
    for (const variant of ['original', ...record.variants]) {
      const s = this.signer.sign(record.id, variant);
      urls[variant] = s.path;
      expiresAt = s.expiresAt;
    }
    return { urls, expiresAt };
  }

  /** A download whose URL was verified by the caller. */
  async download(mediaId: string, variant: string): Promise<Download> {
    const record = await this.catalog.get(mediaId);
    if (!record || (variant !== 'original' && !record.variants.includes(variant))) throw new XinboxError(Errors.MEDIA_NOT_FOUND);
    const key = variant === 'original' ? record.sha256 : `${record.sha256}.${variant}`;
    const stat = await this.store.stat(key);
    if (!stat) throw new XinboxError(Errors.MEDIA_NOT_FOUND, 'media bytes are missing');
    const contentType = variant === 'original' ? record.mimeType : variant === 'poster' ? 'image/jpeg' : 'image/webp';
    return {
      record,
      size: stat.size,
      contentType,
      etag: `"${record.sha256.slice(0, 32)}${variant === 'original' ? '' : `-${variant}`}"`,
      open: (range) => this.store.read(key, range),
    };
  }

  /**
   * Deletes items nobody referenced within the TTL (and their bytes when no
   * other item shares them) and unfinished uploads older than the TTL.
   * Returns how many items and uploads went.
   */
  async collect(ttlMs: number, batch = 500): Promise<{ media: number; uploads: number }> {
    const before = this.clock() - ttlMs;
    let media = 0;
    for (const r of await this.catalog.unreferencedBefore(before, batch)) {
      const remaining = await this.catalog.delete(r.id);
      if (remaining === 0) {
        for (const key of [r.sha256, ...r.variants.map((v) => `${r.sha256}.${v}`)]) await this.store.delete(key);
      }
      if (remaining !== null) media++;
    }
    const stale = this.staging.staleBefore(before);
    for (const id of stale) await this.staging.remove(id);
    return { media, uploads: stale.length };
  }
}

export function mediaJson(r: MediaRecord): MediaJson {
  return {
    mediaId: r.id, kind: r.kind, size: r.size, mimeType: r.mimeType, name: r.name, width: r.width, height: r.height,
    durationMs: r.durationMs, sha256: r.sha256, placeholder: Buffer.from(r.placeholder).toString('base64'),
    variants: r.variants, createdAt: r.createdAt,
  };
}
