import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Errors } from '@xinbox/protocol';
import { device, login, postJson, register } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { tempDir } from '../support/temp-dir.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;
type ErrorBody = { error: { code: number; name: string; message: string; retryable: boolean } };

describe('HTTP API (fastify, JSON-schema routes) keeps its contract', () => {
  let node: Node;
  const web = tempDir();
  beforeAll(async () => {
    mkdirSync(join(web.path, 'assets'));
    writeFileSync(join(web.path, 'index.html'), '<!doctype html><title>xinbox</title>');
    writeFileSync(join(web.path, 'assets', 'app.js'), 'console.log(1)');
    node = await startTestNode({ webRoot: web.path, httpMaxBodyBytes: 2048 });
  });
  afterAll(async () => {
    await node.cleanup();
    web.remove();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) => fetch(node.httpUrl + path, { method: 'POST', body, headers });

  it('registers, logs in, refreshes and logs out with the documented statuses and CORS headers', async () => {
    const r = await post('/v1/register', JSON.stringify({ username: 'httpuser', password: 'long-enough' }), { 'content-type': 'application/json' });
    expect(r.status).toBe(201);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('x-request-id')).toBeTruthy();
    const { userId } = (await r.json()) as { userId: number };
    expect(Number.isInteger(userId)).toBe(true);
    // Bodies are JSON whatever the content type says (fetch sends text/plain for a string).
    const l = await post('/v1/login', JSON.stringify({ username: 'httpuser', password: 'long-enough', deviceId: 'd1', platform: 'web' }));
    expect(l.status).toBe(200);
    const session = (await l.json()) as Record<string, unknown>;
    expect(Object.keys(session).sort()).toEqual(['accessExpiresAt', 'accessToken', 'deviceId', 'refreshExpiresAt', 'refreshToken', 'userId']);
    const refreshed = await postJson(node.httpUrl, '/v1/refresh', { refreshToken: session.refreshToken });
    expect(refreshed.status).toBe(200);
    const out = await fetch(node.httpUrl + '/v1/logout', { method: 'POST', headers: { authorization: `Bearer ${refreshed.json.accessToken as string}` } });
    expect(out.status).toBe(204);
    expect(await out.text()).toBe('');
  });

  it('answers bad input with catalog errors: the same bodies as before fastify', async () => {
    const expectError = async (res: Response, status: number, name: string, message?: string) => {
      expect(res.status).toBe(status);
      const b = (await res.json()) as ErrorBody;
      expect(b.error).toMatchObject({ name, code: (Errors as Record<string, { code: number }>)[name]!.code });
      expect(typeof b.error.retryable).toBe('boolean');
      if (message) expect(b.error.message).toBe(message);
    };
    await expectError(await post('/v1/login', '{not json'), 400, 'INVALID_ARGUMENT', 'body must be a JSON object');
    await expectError(await post('/v1/login', '[1,2]'), 400, 'INVALID_ARGUMENT', 'body must be a JSON object');
    await expectError(await post('/v1/register', JSON.stringify({ password: 'long-enough' })), 400, 'INVALID_ARGUMENT', 'username is required');
    await expectError(await post('/v1/register', JSON.stringify({ username: 42, password: 'long-enough' })), 400, 'INVALID_ARGUMENT', 'username must be a string');
    await expectError(await post('/v1/register', ''), 400, 'INVALID_ARGUMENT', 'username is required; password is required');
    await expectError(await post('/v1/register', JSON.stringify({ username: 'x!', password: 'long-enough' })), 400, 'INVALID_ARGUMENT', 'username must be 3-32 of a-z 0-9 _ . -');
    await expectError(await post('/v1/register', JSON.stringify({ username: 'shortpw', password: 'short' })), 400, 'INVALID_ARGUMENT', 'password must be 8 to 256 characters');
    // A refresh without a usable token is REFRESH_INVALID, as it always was.
    await expectError(await post('/v1/refresh', '{}'), 401, 'REFRESH_INVALID');
    await expectError(await post('/v1/refresh', JSON.stringify({ refreshToken: 7 })), 401, 'REFRESH_INVALID');
    await expectError(await post('/v1/logout', ''), 401, 'TOKEN_INVALID', 'Authorization: Bearer <token> is required');
    await expectError(await post('/v1/login', JSON.stringify({ username: 'x', password: 'y'.repeat(3000), deviceId: 'd' })), 413, 'FRAME_TOO_LARGE', 'request body exceeds 2048 bytes');
    await expectError(await fetch(node.httpUrl + '/v1/nothing'), 404, 'NOT_FOUND', 'no such endpoint');
    await expectError(await fetch(node.httpUrl + '/v1/register'), 404, 'NOT_FOUND', 'no such endpoint');
  });

  it('answers CORS preflights, health and the access list', async () => {
    const pre = await fetch(node.httpUrl + '/v1/login', { method: 'OPTIONS' });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toBe('content-type, authorization');
    expect(await (await fetch(node.httpUrl + '/healthz')).json()).toEqual({ ok: true });
    const access = (await (await fetch(node.httpUrl + '/v1/access?clientVersion=1.0')).json()) as { endpoints: Array<Record<string, unknown>>; ttlMs: number };
    expect(access.ttlMs).toBe(30_000);
    expect(access.endpoints[0]).toEqual({ ws: node.wsUrl, tcp: { host: '127.0.0.1', port: node.tcpPort }, weight: expect.any(Number), nodeId: node.nodeId });
  });

  it('serves the web client (assets cached, unknown paths fall back to index.html) and WebSocket on the same port', async () => {
    const index = await fetch(node.httpUrl + '/');
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('<title>xinbox</title>');
    const asset = await fetch(node.httpUrl + '/assets/app.js');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toBe('console.log(1)');
    expect(await (await fetch(node.httpUrl + '/chat/42')).text()).toContain('<title>xinbox</title>');
    expect((await fetch(node.httpUrl + '/../../etc/passwd')).status).not.toBe(500);
    const bad = await fetch(node.httpUrl + '/anything', { method: 'POST', body: '{}' });
    expect(bad.status).toBe(404);
    expect(await bad.json()).toEqual({ error: 'not found' });
    const acc = await register(node.httpUrl, 'wsu');
    await login(node.httpUrl, acc, 'w0');
    const c = await device(node, acc, 'w1');
    expect((await c.request({ case: 'ping', value: {} })).body.case).toBe('pong');
    c.close();
  });
});
