/**
 * The HTTP API on fastify: identity (register, login, refresh, logout),
 * access scheduling, health, the admin endpoints (metrics), and the web
 * client's static files for every other path. Routes carry JSON Schemas
 * (route-schemas.ts) that validate requests and can produce an OpenAPI
 * document. Errors keep one body everywhere: `{ error: { code, name,
 * message, retryable } }` from the shared catalog (http-errors.ts).
 *
 * The WebSocket endpoint (/ws) shares the port: the gateway attaches to the
 * server's `upgrade` event, which fastify leaves alone.
 */
import { Errors, XinboxError, type ErrorSpec } from '@xinbox/protocol';
import { fastify, LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { IdentityService } from '../core/identity/identity-service.js';
import type { Logger } from '../logger.js';
import { registerAdminRoutes, type AdminRoutesDeps } from './admin-routes.js';
import { httpError, validationMessage } from './http-errors.js';
import { accessSchema, errorBody, healthSchema, loginSchema, addDeviceSchema, logoutSchema, refreshSchema, registerSchema } from './route-schemas.js';
import { serveStatic } from './static-files.js';
import { registerOpenApi } from './openapi.js';
import type { MediaRoutes } from './media-routes.js';
import type { TlsFiles } from '../tls-files.js';

export interface AccessEndpoint {
  readonly ws: string;
  readonly tcp: { host: string; port: number } | null;
  readonly weight: number;
  readonly nodeId: string;
}

export interface HttpApiDeps extends AdminRoutesDeps {
  /** Null when this node does not run the api role. */
  readonly identity: IdentityService | null;
  /** Ranked gateway endpoints for a client (access scheduling); null without the access role. */
  readonly access: ((query: URLSearchParams) => AccessEndpoint[]) | null;
  readonly webRoot: string;
  /** The media channel (uploads, signed downloads); null without the api role. */
  readonly media?: MediaRoutes | null;
  /** Largest request body (httpMaxBodyBytes). */
  readonly maxBodyBytes: number;
  /** `ttlMs` of an access answer (accessListTtlMs). */
  readonly accessListTtlMs: number;
  /** Idle keep-alive connections close after this (httpKeepAliveTimeoutMs). */
  readonly keepAliveTimeoutMs?: number;
  /** Per-IP limit of register and login/refresh: resolves to 0 when allowed, else ms to wait; null = none. */
  readonly rateLimit?: ((kind: 'register' | 'login', ip: string, appId?: string) => Promise<number>) | null;
  /** Certificate and key (tlsCertFile/tlsKeyFile): the listener speaks HTTPS/WSS; null or absent: plain HTTP. */
  readonly tls?: TlsFiles | null;
  /** Requests arrive through a gateway process, which names the client's address in CLIENT_IP_HEADER. */
  readonly trustClientIpHeader?: boolean;
  readonly log: Logger;
  /** Routes of other features (push tokens, the server API), each registering its JSON-schema routes on the main app. */
  readonly routes?: readonly RouteRegistrar[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The catalog error a failed schema check becomes on this route (default INVALID_ARGUMENT). */
    invalidAs?: ErrorSpec;
  }
}

type Body = Record<string, unknown>;

/** Registers a feature's routes (with their JSON Schemas) on the main app. */
export type RouteRegistrar = (app: FastifyInstance) => void;

/** The header carrying the client's address from a gateway process to the primary's API (set by the process, never taken from clients). */
export const CLIENT_IP_HEADER = 'x-xinbox-client-ip';

/** The main listener's app: every route; the admin routes need the admin token here. */
export async function createHttpApi(deps: HttpApiDeps): Promise<FastifyInstance> {
  const app = baseApp(deps.log, deps.maxBodyBytes, deps.keepAliveTimeoutMs, deps.tls ?? null);
  const { identity, access } = deps;
  // Before any route: the OpenAPI document is collected from the routes as they are added.
  await registerOpenApi(app);
  app.get('/healthz', { schema: healthSchema }, async () => ({ ok: true }));
  registerAdminRoutes(app, deps, 'main');
  if (identity) {
    const limited = async (kind: 'register' | 'login', req: FastifyRequest, appId?: string): Promise<void> => {
      const wait = deps.rateLimit ? await deps.rateLimit(kind, clientIp(req, deps.trustClientIpHeader === true), appId) : 0;
      if (wait > 0) throw new XinboxError(Errors.RATE_LIMITED, `too many ${kind} requests from this address; retry in ${wait} ms`, wait);
    };
    app.post<{ Body: Body }>('/v1/register', { schema: registerSchema }, async (req, reply) => {
      await limited('register', req, req.body.appId as string | undefined);
      reply.code(201);
      return identity.register(req.body.username, req.body.password, req.body.appId);
    });
    app.post<{ Body: Body }>('/v1/login', { schema: loginSchema }, async (req) => {
      await limited('login', req, req.body.appId as string | undefined);
      return identity.login(req.body.username, req.body.password, req.body.deviceId, req.body.platform, req.socket.remoteAddress ?? '', req.body.appId);
    });
    app.post<{ Body: Body }>('/v1/refresh', { schema: refreshSchema, config: { invalidAs: Errors.REFRESH_INVALID } }, async (req) => {
      await limited('login', req);
      return identity.refresh(req.body.refreshToken);
    });
    app.post<{ Body: Body }>('/v1/sessions', { schema: addDeviceSchema }, async (req) => {
      await limited('login', req);
      return identity.addDevice(bearer(req), req.body.deviceId, req.body.platform, req.socket.remoteAddress ?? '');
    });
    app.post('/v1/logout', { schema: logoutSchema }, async (req, reply) => {
      await identity.logout(bearer(req), req.socket.remoteAddress ?? '');
      return reply.code(204).send();
    });
  }
  if (access) {
    app.get('/v1/access', { schema: accessSchema }, async (req) => {
      const endpoints = access(new URL(req.url, 'http://localhost').searchParams);
      if (endpoints.length === 0) throw new XinboxError(Errors.UNAVAILABLE, 'no gateway is available');
      return { endpoints, ttlMs: deps.accessListTtlMs };
    });
  }
  for (const register of deps.routes ?? []) register(app);
  if (deps.media) mountMedia(app, deps.media);
  // Browsers preflight cross-origin API calls (the web client may be served elsewhere).
  app.options('*', { schema: { hide: true } }, async (_req, reply) => reply.code(204).headers({
    'access-control-allow-methods': 'GET, POST, PATCH, DELETE',
    'access-control-allow-headers': 'content-type, authorization',
    'access-control-max-age': '600',
  }).send());
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/v1/')) return reply.code(404).send(httpError(new XinboxError(Errors.NOT_FOUND, 'no such endpoint')).body);
    // Everything else is the single-page web client, streamed straight from disk.
    reply.hijack();
    serveStatic(deps.webRoot, req.raw, reply.raw)
      .then((served) => {
        if (!served) sendRaw(reply.raw, 404, { error: 'not found' });
      })
      .catch(() => sendRaw(reply.raw, 500, { error: 'static file error' }));
  });
  await app.ready();
  return app;
}

/**
 * The media channel streams request and response bodies itself (chunks of up
 * to many MiB, Range downloads), so its paths leave fastify at `onRequest`:
 * the reply is hijacked before any content-type parser or body limit could
 * touch the request stream, and `media-routes.ts` answers on the raw objects.
 */
function mountMedia(app: FastifyInstance, media: MediaRoutes): void {
  const route = {
    // Raw streaming endpoints, described in docs/protocol.md 3.1 rather than by a JSON Schema.
    schema: { hide: true },
    onRequest: (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
      reply.hijack();
      const url = new URL(req.raw.url ?? '/', 'http://localhost');
      if (!media.handle(req.raw, reply.raw, url)) sendRaw(reply.raw, 404, httpError(new XinboxError(Errors.NOT_FOUND, 'no such endpoint')).body);
      done();
    },
  };
  const unreachable = async () => undefined; // onRequest has answered
  for (const path of ['/v1/media', '/v1/media/*', '/media/*']) app.all(path, route, unreachable);
}

/** The separate admin listener (adminPort): health and the admin routes, nothing else. */
export async function createAdminApi(deps: AdminRoutesDeps & { readonly log: Logger }): Promise<FastifyInstance> {
  const app = baseApp(deps.log, 1024);
  app.get('/healthz', { schema: healthSchema }, async () => ({ ok: true }));
  registerAdminRoutes(app, deps, 'admin');
  app.setNotFoundHandler((_req, reply) => reply.code(404).send(httpError(new XinboxError(Errors.NOT_FOUND, 'no such endpoint')).body));
  await app.ready();
  return app;
}

/** Shared set-up: logging through the node's pino, catalog errors, lenient JSON bodies, CORS and no-store headers. */
function baseApp(log: Logger, maxBodyBytes: number, keepAliveTimeout?: number, tls: TlsFiles | null = null): FastifyInstance {
  const app = fastify({
    // fastify's `https` option: the same routes over TLS; node.ts swaps the certificate with setSecureContext on SIGHUP.
    ...(tls ? { https: { cert: tls.cert, key: tls.key } } : {}),
    loggerInstance: log.pino.child({ component: 'http' }),
    // No per-request log lines (the top-level disableRequestLogging option prints a deprecation warning on every start).
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    bodyLimit: maxBodyBytes,
    ...(keepAliveTimeout ? { keepAliveTimeout } : {}),
    // Types are checked, not coerced: `{"username": 5}` is an error, as IdentityService would say.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true } },
  }) as unknown as FastifyInstance;
  app.addSchema(errorBody);
  // Any content type is read as JSON (clients have sent text/plain bodies since the first API); empty is {}.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, raw: Buffer, done) => {
    if (raw.length === 0) return done(null, {});
    try {
      const v = JSON.parse(raw.toString('utf8')) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      done(null, v);
    } catch {
      done(new XinboxError(Errors.INVALID_ARGUMENT, 'body must be a JSON object') as unknown as FastifyError, undefined);
    }
  });
  app.addHook('preValidation', async (req) => {
    if (req.body === undefined || req.body === null) req.body = {};
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('access-control-allow-origin', '*');
    reply.header('cache-control', 'no-store');
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    req.log.debug({ method: req.method, url: req.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'http request');
  });
  app.setErrorHandler((e: FastifyError | XinboxError, req: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = httpError(toXinboxError(e, req, maxBodyBytes));
    if (status === 401) reply.header('www-authenticate', 'Bearer');
    if (body.error.retryAfterMs) reply.header('retry-after', String(Math.ceil(body.error.retryAfterMs / 1000)));
    return reply.code(status).send(body);
  });
  return app;
}

function toXinboxError(e: FastifyError | XinboxError, req: FastifyRequest, maxBodyBytes: number): XinboxError {
  if (e instanceof XinboxError) return e;
  if (e.validation) {
    const spec = req.routeOptions.config.invalidAs ?? Errors.INVALID_ARGUMENT;
    return spec === Errors.INVALID_ARGUMENT ? new XinboxError(spec, validationMessage(e.validation, e.validationContext ?? 'body')) : new XinboxError(spec);
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new XinboxError(Errors.FRAME_TOO_LARGE, `request body exceeds ${maxBodyBytes} bytes`);
  if (e.statusCode && e.statusCode < 500) return new XinboxError(Errors.INVALID_ARGUMENT, e.message);
  req.log.error({ err: e }, 'http request failed');
  return new XinboxError(Errors.INTERNAL);
}

export function bearer(req: FastifyRequest): string {
  const h = req.headers.authorization ?? '';
  if (!h.startsWith('Bearer ')) throw new XinboxError(Errors.TOKEN_INVALID, 'Authorization: Bearer <token> is required');
  return h.slice(7);
}

function sendRaw(res: ServerResponse, status: number, json: unknown): void {
  if (res.headersSent) return;
  const body = JSON.stringify(json);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

/** The client's address: the socket's, or the one a gateway process forwarded (only on the primary's internal listener). */
function clientIp(req: FastifyRequest, trustHeader: boolean): string {
  const forwarded = trustHeader ? req.headers[CLIENT_IP_HEADER] : undefined;
  return typeof forwarded === 'string' ? forwarded : req.socket.remoteAddress ?? '';
}
