import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCodes, type Frame } from '@xinbox/protocol';
import { TokenSigner } from '../../src/core/identity/tokens.js';
import { RawClient, login, postJson, register, type Account } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

function errorName(f: Frame): string {
  if (f.body.case !== 'error') throw new Error(`expected error, got ${f.body.case}`);
  return f.body.value.name;
}

async function connect(node: Node, token: string): Promise<RawClient> {
  const c = await RawClient.ws(node.wsUrl);
  expect((await c.request({ case: 'auth', value: { token } })).body.case).toBe('authOk');
  return c;
}

describe('tokens end where they should', () => {
  let node: Node;
  let alice: Account;

  beforeAll(async () => {
    node = await startTestNode();
    alice = await register(node.httpUrl, 'se');
  });
  afterAll(async () => node.cleanup());

  it('refuses logout with an already revoked token (401 TOKEN_REVOKED), like every other endpoint', async () => {
    const l = await login(node.httpUrl, alice, 'logout-twice');
    const auth = { authorization: `Bearer ${l.accessToken}` };
    expect((await postJson(node.httpUrl, '/v1/logout', {}, auth)).status).toBe(204);
    const again = await postJson(node.httpUrl, '/v1/logout', {}, auth);
    expect(again.status).toBe(401);
    expect((again.json.error as { name: string }).name).toBe('TOKEN_REVOKED');
    const c = await RawClient.ws(node.wsUrl);
    expect(errorName(await c.request({ case: 'auth', value: { token: l.accessToken } }))).toBe('TOKEN_REVOKED');
    expect(await c.waitClosed()).toBe(CloseCodes.AUTH_FAILED.code);
  });

  it('refuses logout with an expired token (401 TOKEN_EXPIRED)', async () => {
    const { readFileSync } = await import('node:fs');
    const secret = readFileSync(`${node.dataDir}/token-secret`, 'utf8').trim();
    const l = await login(node.httpUrl, alice, 'logout-expired');
    const sid = JSON.parse(Buffer.from(l.accessToken.split('.')[0]!, 'base64url').toString()).sid as string;
    const expired = new TokenSigner(secret).sign({ uid: Number(alice.userId), did: 'logout-expired', sid, plat: 'other', exp: Date.now() - 1 });
    const r = await postJson(node.httpUrl, '/v1/logout', {}, { authorization: `Bearer ${expired}` });
    expect(r.status).toBe(401);
    expect((r.json.error as { name: string }).name).toBe('TOKEN_EXPIRED');
  });

  it('reusing a rotated refresh token revokes the whole family: the newer tokens die and the live connection is closed', async () => {
    const l = await login(node.httpUrl, alice, 'family');
    const r1 = await postJson(node.httpUrl, '/v1/refresh', { refreshToken: l.refreshToken });
    expect(r1.status).toBe(200);
    const rotated = r1.json as { accessToken: string; refreshToken: string };
    const live = await connect(node, rotated.accessToken);
    // The first token again: someone holds a copy.
    const reuse = await postJson(node.httpUrl, '/v1/refresh', { refreshToken: l.refreshToken });
    expect(reuse.status).toBe(401);
    expect((reuse.json.error as { name: string }).name).toBe('REFRESH_INVALID');
    expect(await live.waitClosed()).toBe(CloseCodes.LOGGED_OUT.code);
    // The legitimate-looking newest refresh token is dead too.
    const next = await postJson(node.httpUrl, '/v1/refresh', { refreshToken: rotated.refreshToken });
    expect(next.status).toBe(401);
    const c = await RawClient.ws(node.wsUrl);
    expect(errorName(await c.request({ case: 'auth', value: { token: rotated.accessToken } }))).toBe('TOKEN_REVOKED');
  });

  it('a forged refresh token (not issued by the server) revokes nothing', async () => {
    const l = await login(node.httpUrl, alice, 'forged');
    const [sid] = l.refreshToken.split('.');
    const forged = await postJson(node.httpUrl, '/v1/refresh', { refreshToken: `${sid}.guess.AAAAAAAAAAAAAAAAAAAAAAAA` });
    expect(forged.status).toBe(401);
    expect((await postJson(node.httpUrl, '/v1/refresh', { refreshToken: l.refreshToken })).status).toBe(200);
  });
});

describe('a live connection ends with its access token', () => {
  let node: Node;
  afterAll(async () => node.cleanup());

  it('closes the connection with TOKEN_EXPIRED (4012, refresh then reconnect) when its token expires', async () => {
    node = await startTestNode({ accessTokenTtlMs: 1_500 });
    const bob = await register(node.httpUrl, 'sx');
    const l = await login(node.httpUrl, bob, 'short');
    const c = await connect(node, l.accessToken);
    const started = Date.now();
    expect(await c.waitClosed(10_000)).toBe(CloseCodes.TOKEN_EXPIRED.code);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(c.frames.some((f) => f.body.case === 'kicked' && f.body.value.closeCode === CloseCodes.TOKEN_EXPIRED.code)).toBe(true);
    // The refreshed token connects again.
    const r = await postJson(node.httpUrl, '/v1/refresh', { refreshToken: l.refreshToken });
    expect(r.status).toBe(200);
    (await connect(node, (r.json as { accessToken: string }).accessToken)).close();
  });
});
