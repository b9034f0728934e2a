/**
 * The media channel (docs/protocol.md "Media"): resumable chunked uploads and
 * signed download URLs over HTTP, apart from the message connection. Works
 * with any fetch (browsers, Node 18+). An upload is sent in chunks, each
 * starting at the server's offset; after a dropped connection or a failed
 * chunk it asks for the offset (HEAD) and continues from there, so what
 * arrived is never sent again.
 */
import { Errors, XinboxError, errorByCode } from '@xinbox/protocol';
import type { MediaJson } from '@xinbox/protocol';
import type { FetchLike } from './http-api.js';

/** What the server measured about an uploaded item (never the client's claims). */
export type MediaInfo = MediaJson;

/** An item with signed URLs (absolute) for the original and each variant. */
export interface MediaRef extends MediaInfo {
  readonly urls: Readonly<Record<string, string>>;
  readonly urlsExpireAt: number;
}

export type UploadSource = Blob | Uint8Array | ArrayBuffer;

export interface UploadOptions {
  /** File name shown to recipients (default: the File's name). */
  name?: string;
  /** Called after each chunk the server stored: bytes stored so far, total. */
  onProgress?: (sent: number, total: number) => void;
  /** Aborting cancels the upload (the server deletes what it had). */
  signal?: AbortSignal;
  /** Bytes per request (default 1 MiB). */
  chunkBytes?: number;
  /** Retries without progress before giving up (default 8). */
  maxRetries?: number;
}

export interface MediaAuth {
  token(): string | undefined;
  refresh(): Promise<unknown>;
}

export class MediaApi {
  private readonly base: string;

  constructor(baseUrl: string, private readonly fetchImpl: FetchLike, private readonly auth: MediaAuth) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  async upload(source: UploadSource, opts: UploadOptions = {}): Promise<MediaRef> {
    const total = sizeOf(source);
    const name = opts.name ?? (typeof (source as File).name === 'string' ? (source as File).name : '');
    const chunk = Math.max(64 * 1024, opts.chunkBytes ?? 1024 * 1024);
    const maxRetries = opts.maxRetries ?? 8;
    opts.signal?.throwIfAborted();
    const created = await this.json('POST', '/v1/media/uploads', { size: total, name }, opts.signal) as { uploadId: string };
    const path = `/v1/media/uploads/${created.uploadId}`;
    let offset = 0;
    let failures = 0;
    try {
      for (;;) {
        opts.signal?.throwIfAborted();
        const end = Math.min(total, offset + chunk);
        try {
          const res = await this.request('PATCH', path, {
            headers: { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
            body: (await slice(source, offset, end)) as BodyInit,
          }, opts.signal);
          if (res.status === 201) {
            const body = await res.json() as { media: MediaInfo; urls: Record<string, string>; expiresAt: number };
            opts.onProgress?.(total, total);
            return this.ref(body);
          }
          offset = Number(res.headers.get('upload-offset') ?? end);
          failures = 0;
          opts.onProgress?.(offset, total);
        } catch (e) {
          if (opts.signal?.aborted) throw e;
          if (e instanceof XinboxError && !e.retryable && e.code !== Errors.UPLOAD_OFFSET_MISMATCH.code) throw e;
          if (++failures > maxRetries) throw e;
          await sleep(Math.min(5_000, 200 * 2 ** (failures - 1)), opts.signal);
          offset = await this.offsetOf(path, opts.signal);
          opts.onProgress?.(offset, total);
        }
      }
    } catch (e) {
      if (opts.signal?.aborted) void this.request('DELETE', path, {}).catch(() => undefined);
      throw e;
    }
  }

  /** The item with fresh signed URLs (MEDIA_ACCESS_DENIED unless the caller may see it). */
  async describe(mediaId: string): Promise<MediaRef> {
    return this.ref(await this.json('GET', `/v1/media/${encodeURIComponent(mediaId)}`) as { media: MediaInfo; urls: Record<string, string>; expiresAt: number });
  }

  private async offsetOf(path: string, signal?: AbortSignal): Promise<number> {
    const res = await this.request('HEAD', path, {}, signal);
    return Number(res.headers.get('upload-offset') ?? 0);
  }

  private ref(body: { media: MediaInfo; urls: Record<string, string>; expiresAt: number }): MediaRef {
    const urls: Record<string, string> = {};
    for (const [k, v] of Object.entries(body.urls)) urls[k] = this.base + v;
    return { ...body.media, urls, urlsExpireAt: body.expiresAt };
  }

  private async json(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> {
    const res = await this.request(method, path, body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, signal);
    return res.json();
  }

  /** One request with the access token; refreshes once on TOKEN_EXPIRED. Non-2xx becomes a catalogued XinboxError. */
  private async request(method: string, path: string, init: { headers?: Record<string, string>; body?: BodyInit }, signal?: AbortSignal, retried = false): Promise<Response> {
    const token = this.auth.token();
    if (!token) throw new XinboxError(Errors.NOT_AUTHENTICATED, 'log in before using media');
    let res: Response;
    try {
      res = await this.fetchImpl(this.base + path, { method, headers: { ...init.headers, authorization: `Bearer ${token}` }, body: init.body, signal });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new XinboxError(Errors.UNAVAILABLE, `${method} ${path}: ${(err as Error).message}`);
    }
    if (res.ok) return res;
    const error = await errorOf(res);
    if (error.code === Errors.TOKEN_EXPIRED.code && !retried) {
      await this.auth.refresh();
      return this.request(method, path, init, signal, true);
    }
    throw error;
  }
}

/** Message content for an uploaded item: the server fills in the metadata it measured. */
export function mediaContent(ref: Pick<MediaInfo, 'mediaId' | 'kind' | 'name'>, as?: 'image' | 'video' | 'audio' | 'file') {
  return { kind: { case: as ?? ref.kind, value: { mediaId: ref.mediaId, name: ref.name } } } as const;
}

async function errorOf(res: Response): Promise<XinboxError> {
  let body: { error?: { code?: number; message?: string } } | undefined;
  try {
    body = await res.json() as typeof body;
  } catch {
    body = undefined;
  }
  const code = body?.error?.code;
  if (typeof code === 'number') return new XinboxError(errorByCode(code) ?? Errors.INTERNAL, body?.error?.message);
  return new XinboxError(res.status >= 500 ? Errors.UNAVAILABLE : Errors.INVALID_ARGUMENT, `HTTP ${res.status}`);
}

function sizeOf(source: UploadSource): number {
  if (source instanceof Uint8Array) return source.byteLength;
  if (source instanceof ArrayBuffer) return source.byteLength;
  return source.size;
}

async function slice(source: UploadSource, start: number, end: number): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source.subarray(start, end);
  if (source instanceof ArrayBuffer) return new Uint8Array(source, start, end - start);
  return new Uint8Array(await source.slice(start, end).arrayBuffer());
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    }, { once: true });
  });
}
