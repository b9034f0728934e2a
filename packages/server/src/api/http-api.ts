import type { IncomingMessage, ServerResponse } from 'node:http';
import { Errors, XinboxError } from '@xinbox/protocol';
import type { IdentityService } from '../core/identity/identity-service.js';
import type { Logger } from '../logger.js';
import { httpError } from './http-errors.js';
import { serveStatic } from './static-files.js';

export interface AccessEndpoint {
  readonly ws: string;
  readonly tcp: { host: string; port: number } | null;
  readonly weight: number;
  readonly nodeId: string;
}

export interface HttpApiDeps {
  /** Null when this node does not run the api role. */
  readonly identity: IdentityService | null;
  /** Ranked gateway endpoints for a client (access scheduling); null without the access role. */
  readonly access: ((query: URLSearchParams) => AccessEndpoint[]) | null;
  readonly metrics: () => Record<string, unknown>;
  readonly webRoot: string;
  /** Largest request body (httpMaxBodyBytes). */
  readonly maxBodyBytes: number;
  /** `ttlMs` of an access answer (accessListTtlMs). */
  readonly accessListTtlMs: number;
  readonly log: Logger;
}

type Route = (req: IncomingMessage, body: Record<string, unknown>, url: URL) => Promise<{ status: number; json?: unknown }>;

/** The JSON HTTP API (identity, access, metrics) plus the web client's static files. */
export function createHttpHandler(deps: HttpApiDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { identity, access } = deps;
  const routes: Record<string, Route> = {
    'GET /v1/metrics': async () => ({ status: 200, json: deps.metrics() }),
    'GET /healthz': async () => ({ status: 200, json: { ok: true } }),
  };
  if (identity) {
    routes['POST /v1/register'] = async (_req, b) => ({ status: 201, json: await identity.register(b.username, b.password) });
    routes['POST /v1/login'] = async (_req, b) => ({ status: 200, json: await identity.login(b.username, b.password, b.deviceId, b.platform) });
    routes['POST /v1/refresh'] = async (_req, b) => ({ status: 200, json: await identity.refresh(b.refreshToken) });
    routes['POST /v1/logout'] = async (req) => {
      await identity.logout(bearer(req));
      return { status: 204 };
    };
  }
  if (access) {
    routes['GET /v1/access'] = async (_req, _b, url) => {
      const endpoints = access(url.searchParams);
      if (endpoints.length === 0) throw new XinboxError(Errors.UNAVAILABLE, 'no gateway is available');
      return { status: 200, json: { endpoints, ttlMs: deps.accessListTtlMs } };
    };
  }

  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = routes[`${req.method} ${url.pathname}`];
    if (!route) {
      if (req.method === 'OPTIONS') return corsPreflight(res);
      if (url.pathname.startsWith('/v1/')) return send(res, 404, httpError(new XinboxError(Errors.NOT_FOUND, 'no such endpoint')).body);
      serveStatic(deps.webRoot, req, res)
        .then((served) => {
          if (!served) send(res, 404, { error: 'not found' });
        })
        .catch(() => send(res, 500, { error: 'static file error' }));
      return;
    }
    readJson(req, deps.maxBodyBytes)
      .then((body) => route(req, body, url))
      .then((r) => send(res, r.status, r.json))
      .catch((e) => {
        if (!(e instanceof XinboxError)) deps.log.error('http request failed', e);
        const { status, body } = httpError(e);
        send(res, status, body);
      });
  };
}

function corsPreflight(res: ServerResponse): void {
  res.writeHead(204, {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET, POST',
    'access-control-allow-headers': 'content-type, authorization',
    'access-control-max-age': '600',
  }).end();
}

function bearer(req: IncomingMessage): string {
  const h = req.headers.authorization ?? '';
  if (!h.startsWith('Bearer ')) throw new XinboxError(Errors.TOKEN_INVALID, 'Authorization: Bearer <token> is required');
  return h.slice(7);
}

function readJson(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  if (req.method === 'GET' || req.method === 'HEAD') return Promise.resolve({});
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) {
        reject(new XinboxError(Errors.FRAME_TOO_LARGE, `request body exceeds ${maxBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (size === 0) return resolve({});
      try {
        const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
        resolve(v as Record<string, unknown>);
      } catch {
        reject(new XinboxError(Errors.INVALID_ARGUMENT, 'body must be a JSON object'));
      }
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, json?: unknown): void {
  if (res.headersSent) return;
  if (json === undefined) {
    res.writeHead(status).end();
    return;
  }
  const body = JSON.stringify(json);
  res.writeHead(status, { 'access-control-allow-origin': '*', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}
