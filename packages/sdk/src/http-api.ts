/**
 * The HTTP JSON half of the protocol: accounts, sessions and the access
 * (gateway list) endpoint. Failures become XinboxError from the shared
 * catalog; a network failure is UNAVAILABLE (retryable).
 */
import { Errors, XinboxError, errorByCode } from '@xinbox/protocol';

export type PlatformName = 'ios' | 'android' | 'web' | 'desktop' | 'other';

/** Tokens of one logged-in device. Times are ms since the epoch. */
export interface Session {
  readonly userId: string;
  readonly deviceId: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly accessExpiresAt: number;
  readonly refreshExpiresAt: number;
}

export interface GatewayEndpoint {
  readonly ws: string;
  readonly tcp?: { readonly host: string; readonly port: number };
  readonly weight: number;
}

export interface AccessList {
  readonly endpoints: GatewayEndpoint[];
  readonly ttlMs: number;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export class HttpApi {
  private readonly base: string;
  private readonly fetchImpl: FetchLike;

  constructor(baseUrl: string, fetchImpl?: FetchLike, private readonly timeoutMs = 10_000) {
    this.base = baseUrl.replace(/\/+$/, '');
    // Browsers throw "Illegal invocation" when fetch is called as a method of another object: bind it.
    const globalFetch = (globalThis as { fetch?: FetchLike }).fetch;
    const f = fetchImpl ?? globalFetch?.bind(globalThis);
    if (!f) throw new Error('HttpApi: no fetch in this environment; pass one in the options');
    this.fetchImpl = f;
  }

  async register(username: string, password: string, appId = 'default'): Promise<{ userId: string }> {
    // `appId` is sent only off `default`, so a client talks to a server that predates apps unchanged.
    const body = await this.call('POST', '/v1/register', { username, password, ...(appId === 'default' ? {} : { appId }) });
    return { userId: String(field(body, 'userId')) };
  }

  async login(username: string, password: string, deviceId: string, platform: PlatformName, appId = 'default'): Promise<Session> {
    return toSession(await this.call('POST', '/v1/login', { username, password, deviceId, platform, ...(appId === 'default' ? {} : { appId }) }));
  }

  /** Rotates the refresh token: the old one stops working. */
  async refresh(refreshToken: string): Promise<Session> {
    return toSession(await this.call('POST', '/v1/refresh', { refreshToken }));
  }

  /** A session for another device of the user holding `accessToken` (POST /v1/sessions): e.g. a new browser tab. */
  async addDevice(accessToken: string, deviceId: string, platform: PlatformName): Promise<Session> {
    return toSession(await this.call('POST', '/v1/sessions', { deviceId, platform }, accessToken));
  }

  async logout(accessToken: string): Promise<void> {
    await this.call('POST', '/v1/logout', undefined, accessToken);
  }

  async access(params: { clientVersion?: string; region?: string }, url?: string): Promise<AccessList> {
    const u = new URL(url ?? `${this.base}/v1/access`);
    if (params.clientVersion) u.searchParams.set('clientVersion', params.clientVersion);
    if (params.region) u.searchParams.set('region', params.region);
    const body = await this.call('GET', u.toString());
    const list = field(body, 'endpoints');
    if (!Array.isArray(list)) throw new XinboxError(Errors.INTERNAL, 'access: endpoints is not a list');
    const endpoints: GatewayEndpoint[] = [];
    for (const e of list as unknown[]) {
      if (typeof e !== 'object' || e === null) continue;
      const r = e as Record<string, unknown>;
      if (typeof r.ws !== 'string') continue;
      const tcp = r.tcp as { host?: unknown; port?: unknown } | undefined;
      endpoints.push({
        ws: r.ws,
        tcp: tcp && typeof tcp.host === 'string' && typeof tcp.port === 'number' ? { host: tcp.host, port: tcp.port } : undefined,
        weight: typeof r.weight === 'number' ? r.weight : 1,
      });
    }
    const ttl = (body as Record<string, unknown>).ttlMs;
    return { endpoints, ttlMs: typeof ttl === 'number' ? ttl : 60_000 };
  }

  private async call(method: string, path: string, json?: unknown, bearer?: string): Promise<unknown> {
    const url = /^https?:\/\//.test(path) ? path : this.base + path;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (json !== undefined) headers['content-type'] = 'application/json';
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers,
        body: json === undefined ? undefined : JSON.stringify(json),
        signal: abort.signal,
      });
      text = await res.text();
    } catch (err) {
      const e = new XinboxError(Errors.UNAVAILABLE, `${method} ${url}: ${(err as Error).message ?? String(err)}`);
      (e as { cause?: unknown }).cause = err;
      throw e;
    } finally {
      clearTimeout(timer);
    }
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        if (res.ok) throw new XinboxError(Errors.INTERNAL, `${method} ${url}: response is not JSON`);
      }
    }
    if (!res.ok) throw httpError(res.status, body);
    return body;
  }
}

function httpError(status: number, body: unknown): XinboxError {
  const e = (body as { error?: { code?: unknown; message?: unknown; retryAfterMs?: unknown } } | undefined)?.error;
  if (e && typeof e.code === 'number') {
    const msg = typeof e.message === 'string' && e.message ? e.message : undefined;
    return new XinboxError(errorByCode(e.code) ?? Errors.INTERNAL, msg, typeof e.retryAfterMs === 'number' ? e.retryAfterMs : 0);
  }
  const spec = status === 429 ? Errors.RATE_LIMITED : status >= 500 ? Errors.UNAVAILABLE : Errors.INVALID_ARGUMENT;
  return new XinboxError(spec, `HTTP ${status}`);
}

function field(body: unknown, name: string): unknown {
  if (typeof body !== 'object' || body === null || !(name in body)) {
    throw new XinboxError(Errors.INTERNAL, `response lacks "${name}"`);
  }
  return (body as Record<string, unknown>)[name];
}

function toSession(body: unknown): Session {
  return {
    userId: String(field(body, 'userId')),
    deviceId: String(field(body, 'deviceId')),
    accessToken: String(field(body, 'accessToken')),
    refreshToken: String(field(body, 'refreshToken')),
    accessExpiresAt: Number(field(body, 'accessExpiresAt')),
    refreshExpiresAt: Number(field(body, 'refreshExpiresAt')),
  };
}
