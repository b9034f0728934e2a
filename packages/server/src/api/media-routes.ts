import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Errors, XinboxError } from '@xinbox/protocol';
import type { IdentityService } from '../core/identity/identity-service.js';
import type { ByteRange } from '../core/ports/media-store.js';
import type { Logger } from '../logger.js';
import { mediaJson, type MediaService } from '../media/media-service.js';
import { httpError } from './http-errors.js';

/**
 * The media channel's HTTP endpoints (docs/protocol.md "Media"), apart from
 * the message connection so binary traffic never queues behind text or the
 * other way round. Framework-neutral: `handle` takes Node's raw request and
 * response and says whether it served them, so node:http (http-api.ts) or a
 * framework's raw hook can mount it.
 *
 *   POST   /v1/media/uploads            {size, name}      → 201 {uploadId, offset, size}
 *   HEAD   /v1/media/uploads/{id}                         → Upload-Offset, Upload-Length
 *   PATCH  /v1/media/uploads/{id}  Upload-Offset: n, bytes → 204 Upload-Offset | 201 {media, urls}
 *   DELETE /v1/media/uploads/{id}                         → 204
 *   GET    /v1/media/{id}                                 → {media, urls, expiresAt}
 *   GET    /media/{id}/{variant}?exp&sig   (signed, no header; Range, ETag)
 */
export interface MediaRoutes {
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
}

const UPLOAD = /^\/v1\/media\/uploads\/([A-Za-z0-9_-]{8,64})$/;
const ITEM = /^\/v1\/media\/([A-Za-z0-9_-]{8,64})$/;
const SIGNED = /^\/media\/([A-Za-z0-9_-]{8,64})\/(original|thumb\d+|poster)$/;
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'upload-offset, upload-length, etag, content-range, accept-ranges, content-length',
};

export function createMediaRoutes(media: MediaService, identity: IdentityService, log: Logger): MediaRoutes {
  const user = async (req: IncomingMessage): Promise<number> => {
    const h = req.headers.authorization ?? '';
    if (!h.startsWith('Bearer ')) throw new XinboxError(Errors.TOKEN_INVALID, 'Authorization: Bearer <token> is required');
    return (await identity.authenticate(h.slice(7))).uid;
  };

  const routes = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    let m: RegExpExecArray | null;
    if (path === '/v1/media/uploads' && method === 'POST') {
      const uid = await user(req);
      const body = await readSmallJson(req);
      const info = await media.createUpload(uid, body.size, body.name);
      return json(res, 201, { uploadId: info.id, offset: 0, size: info.size }, { location: `/v1/media/uploads/${info.id}` });
    }
    if ((m = UPLOAD.exec(path))) {
      const uid = await user(req);
      const id = m[1]!;
      if (method === 'HEAD' || method === 'GET') {
        const { info, offset } = await media.uploadStatus(uid, id);
        const headers = { 'upload-offset': String(offset), 'upload-length': String(info.size), 'cache-control': 'no-store' };
        if (method === 'HEAD') return void res.writeHead(200, { ...CORS, ...headers }).end();
        return json(res, 200, { uploadId: id, offset, size: info.size }, headers);
      }
      if (method === 'PATCH') {
        const offset = Number(req.headers['upload-offset']);
        if (!Number.isSafeInteger(offset) || offset < 0) throw new XinboxError(Errors.INVALID_ARGUMENT, 'Upload-Offset header is required');
        const r = await media.appendChunk(uid, id, offset, req);
        if (!r.media) return void res.writeHead(204, { ...CORS, 'upload-offset': String(r.offset) }).end();
        return json(res, 201, { media: mediaJson(r.media), ...media.signedUrls(r.media) }, { 'upload-offset': String(r.offset) });
      }
      if (method === 'DELETE') {
        await media.cancelUpload(uid, id);
        return void res.writeHead(204, CORS).end();
      }
    }
    if ((m = ITEM.exec(path)) && method === 'GET') {
      const record = await media.describe(await user(req), m[1]!);
      return json(res, 200, { media: mediaJson(record), ...media.signedUrls(record) });
    }
    if ((m = SIGNED.exec(path)) && (method === 'GET' || method === 'HEAD')) {
      const [, id, variant] = m as unknown as [string, string, string];
      const exp = media.signer.verify(id, variant, url.searchParams.get('exp'), url.searchParams.get('sig'));
      return serveBytes(req, res, await media.download(id, variant), exp);
    }
    throw new XinboxError(Errors.NOT_FOUND, 'no such media endpoint');
  };

  return {
    handle(req, res, url) {
      if (!url.pathname.startsWith('/v1/media') && !url.pathname.startsWith('/media/')) return false;
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          ...CORS,
          'access-control-allow-methods': 'GET, HEAD, POST, PATCH, DELETE',
          'access-control-allow-headers': 'content-type, authorization, upload-offset, range, if-none-match',
          'access-control-max-age': '600',
        }).end();
        return true;
      }
      routes(req, res, url).catch((e: unknown) => {
        if (!(e instanceof XinboxError)) log.error('media request failed', e);
        const { status, body } = httpError(e);
        if (!res.headersSent) json(res, status, body);
        else res.destroy();
        // An unread request body (a refused chunk) must not be left hanging on a keep-alive connection.
        if (!req.complete) req.resume();
      });
      return true;
    },
  };
}

async function serveBytes(req: IncomingMessage, res: ServerResponse, d: Awaited<ReturnType<MediaService['download']>>, exp: number): Promise<void> {
  const maxAge = Math.max(0, Math.floor((exp - Date.now()) / 1000));
  const common = {
    ...CORS,
    etag: d.etag,
    'accept-ranges': 'bytes',
    // Content-addressed: the bytes behind a URL never change. Private: the URL is a capability for one user.
    'cache-control': `private, max-age=${maxAge}, immutable`,
    'x-content-type-options': 'nosniff',
    'content-disposition': d.record.kind === 'file' || d.contentType === 'application/octet-stream'
      ? `attachment; filename*=UTF-8''${encodeURIComponent(d.record.name || d.record.id)}` : 'inline',
  };
  const inm = req.headers['if-none-match'];
  if (inm && inm.split(',').some((t) => t.trim() === d.etag || t.trim() === '*')) return void res.writeHead(304, common).end();
  let range: ByteRange | undefined;
  const header = req.headers.range;
  const ifRange = req.headers['if-range'];
  if (header && (!ifRange || ifRange === d.etag)) {
    range = parseRange(header, d.size) ?? undefined;
    if (range === undefined) {
      res.writeHead(416, { ...common, 'content-range': `bytes */${d.size}`, 'content-type': 'application/json' });
      return void res.end(JSON.stringify(httpError(new XinboxError(Errors.RANGE_NOT_SATISFIABLE)).body));
    }
  }
  const length = range ? range.end - range.start + 1 : d.size;
  res.writeHead(range ? 206 : 200, {
    ...common,
    'content-type': d.contentType,
    'content-length': String(length),
    ...(range ? { 'content-range': `bytes ${range.start}-${range.end}/${d.size}` } : {}),
  });
  if (req.method === 'HEAD' || length === 0) return void res.end();
  const body = await d.open(range);
  await pipeline(body, res).catch(() => undefined); // the client went away
}

/** One range of `bytes=a-b`, `bytes=a-` or `bytes=-n`; null when unsatisfiable. Multiple ranges: the first. */
export function parseRange(header: string, size: number): ByteRange | null {
  const m = /^bytes=(\d*)-(\d*)/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '') || size === 0) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return null;
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || end < start) return null;
  return { start, end };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...CORS, ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function readSmallJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 4096) {
        reject(new XinboxError(Errors.FRAME_TOO_LARGE, 'request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        const v = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
        resolve(v as Record<string, unknown>);
      } catch {
        reject(new XinboxError(Errors.INVALID_ARGUMENT, 'body must be a JSON object'));
      }
    });
    req.on('error', reject);
  });
}
