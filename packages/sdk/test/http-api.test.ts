import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Errors, XinboxError } from '@xinbox/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpApi } from '../src/http-api.js';

interface Seen {
  method: string;
  url: string;
  auth?: string;
  body: string;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function serve(reply: (req: Seen) => { status: number; body?: unknown; raw?: string }): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const s: Seen = { method: req.method!, url: req.url!, auth: req.headers.authorization, body };
      seen.push(s);
      const r = reply(s);
      const text = r.raw ?? (r.body === undefined ? '' : JSON.stringify(r.body));
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server!.address() as { port: number }).port}`, seen };
}

const tokens = { userId: 12, deviceId: 'd1', accessToken: 'A', refreshToken: 'R', accessExpiresAt: 1000, refreshExpiresAt: 2000 };

describe('HttpApi', () => {
  it('logs in with the device and platform and returns a session with string ids', async () => {
    const { url, seen } = await serve(() => ({ status: 200, body: tokens }));
    const s = await new HttpApi(url + '/').login('alice', 'pw', 'd1', 'desktop');
    expect(s).toEqual({ ...tokens, userId: '12' });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/login' });
    expect(JSON.parse(seen[0]!.body)).toEqual({ username: 'alice', password: 'pw', deviceId: 'd1', platform: 'desktop' });
  });

  it('register, refresh and logout hit their endpoints; logout sends the bearer token', async () => {
    const { url, seen } = await serve((r) => (r.url === '/v1/register' ? { status: 201, body: { userId: 5 } } : r.url === '/v1/logout' ? { status: 204 } : { status: 200, body: tokens }));
    const api = new HttpApi(url);
    expect(await api.register('bob', 'pw')).toEqual({ userId: '5' });
    expect((await api.refresh('R0')).refreshToken).toBe('R');
    await api.logout('A1');
    expect(seen.map((s) => s.url)).toEqual(['/v1/register', '/v1/refresh', '/v1/logout']);
    expect(JSON.parse(seen[1]!.body)).toEqual({ refreshToken: 'R0' });
    expect(seen[2]!.auth).toBe('Bearer A1');
  });

  it('maps the error body to a XinboxError from the catalog', async () => {
    const { url } = await serve(() => ({ status: 409, body: { error: { code: 1104, name: 'USERNAME_TAKEN', message: 'taken!', retryable: false } } }));
    const err = await new HttpApi(url).register('x', 'y').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XinboxError);
    expect(err).toMatchObject({ code: Errors.USERNAME_TAKEN.code, errorName: 'USERNAME_TAKEN', message: 'taken!' });
  });

  it('maps bare statuses when there is no error body', async () => {
    const { url } = await serve(() => ({ status: 503, raw: 'oops' }));
    await expect(new HttpApi(url).refresh('r')).rejects.toMatchObject({ code: Errors.UNAVAILABLE.code, retryable: true });
  });

  it('turns network failures into retryable UNAVAILABLE', async () => {
    await expect(new HttpApi('http://127.0.0.1:1').refresh('r')).rejects.toMatchObject({ code: Errors.UNAVAILABLE.code, retryable: true });
  });

  it('reads the access list with its query and tolerates missing tcp addresses', async () => {
    const { url, seen } = await serve(() => ({
      status: 200,
      body: { endpoints: [{ ws: 'ws://a/ws', tcp: { host: 'a', port: 1 }, weight: 3 }, { ws: 'ws://b/ws', tcp: null, weight: 1 }, { bogus: true }], ttlMs: 500 },
    }));
    const list = await new HttpApi(url).access({ clientVersion: '1.2', region: 'eu' });
    expect(list).toEqual({ endpoints: [{ ws: 'ws://a/ws', tcp: { host: 'a', port: 1 }, weight: 3 }, { ws: 'ws://b/ws', tcp: undefined, weight: 1 }], ttlMs: 500 });
    expect(seen[0]!.url).toBe('/v1/access?clientVersion=1.2&region=eu');
  });
});
