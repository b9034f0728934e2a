import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCodes, Errors, withLengthPrefix, type Frame } from '@xinbox/protocol';
import { TokenSigner } from '../../src/core/identity/tokens.js';
import { RawClient, device, login, postJson, register, text, type Account } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

function errorOf(f: Frame): { code: number; name: string } {
  if (f.body.case !== 'error') throw new Error(`expected error, got ${f.body.case}`);
  return f.body.value;
}

describe('bad input gets its documented error and loses nothing', () => {
  let node: Node;
  let alice: Account;
  let bob: Account;
  let mallory: Account;
  let conv: string;

  beforeAll(async () => {
    node = await startTestNode({ authTimeoutMs: 400 });
    const accounts = await Promise.all(['alice', 'bob', 'mallory'].map((p) => register(node.httpUrl, p)));
    [alice, bob, mallory] = [accounts[0]!, accounts[1]!, accounts[2]!];
    const a = await device(node, alice, 'a');
    const r = await a.request({ case: 'openDirect', value: { userId: bob.userId } });
    conv = r.body.case === 'conversationInfo' ? r.body.value.conversation!.conversationId : '';
    await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'private-1', content: text('secret') } });
    a.close();
  });
  afterAll(async () => node.cleanup());

  /** A healthy session proves the server still serves others after each abuse. */
  async function stillServing(): Promise<void> {
    const b = await device(node, bob, `b-${Math.random()}`);
    const h = await b.request({ case: 'history', value: { conversationId: conv } });
    expect(h.body.case).toBe('historyResult');
    b.close();
  }

  it('answers garbage bytes inside a valid length prefix with BAD_FRAME and keeps the connection', async () => {
    const c = await RawClient.ws(node.wsUrl);
    c.sendRaw(withLengthPrefix(new Uint8Array([0xff, 0xff, 0xff, 0x0f, 0x01, 0x02])));
    expect(errorOf(await c.waitFor((f) => f.body.case === 'error')).code).toBe(Errors.BAD_FRAME.code);
    const pong = await c.request({ case: 'ping', value: {} });
    expect(pong.body.case).toBe('pong');
    c.close();
    await stillServing();
  });

  it('closes a TCP stream whose length prefix is oversized, with FRAME_TOO_LARGE', async () => {
    const c = await RawClient.tcp(node.tcpPort);
    const prefix = new Uint8Array(4);
    new DataView(prefix.buffer).setUint32(0, 10_000_000);
    c.sendRaw(prefix);
    expect(await c.waitClosed()).toBe(CloseCodes.FRAME_TOO_LARGE.code);
    await stillServing();
  });

  it('closes a WebSocket carrying an oversized frame with 4007', async () => {
    const c = await RawClient.ws(node.wsUrl);
    c.sendRaw(withLengthPrefix(new Uint8Array(70_000)));
    expect(await c.waitClosed()).toBe(CloseCodes.FRAME_TOO_LARGE.code);
    await stillServing();
  });

  it('answers a truncated WebSocket frame with BAD_FRAME', async () => {
    const c = await RawClient.ws(node.wsUrl);
    // The prefix promises 9 bytes; the message ends after 1.
    c.sendRaw(new Uint8Array([0, 0, 0, 9, 1]));
    expect(errorOf(await c.waitFor((f) => f.body.case === 'error')).code).toBe(Errors.BAD_FRAME.code);
    c.close();
  });

  it('answers an unknown frame type with UNKNOWN_OPERATION', async () => {
    const c = await device(node, alice, 'a-unknown');
    // Field 1999 is not in Frame's oneof: decodes to an empty body.
    c.sendRaw(withLengthPrefix(new Uint8Array([0x08, 0x07, 0xfa, 0xfc, 0x07, 0x00])));
    const e = await c.waitFor((f) => f.body.case === 'error');
    expect(errorOf(e).code).toBe(Errors.UNKNOWN_OPERATION.code);
    // A server-only frame sent by a client is refused the same way.
    expect(errorOf(await c.request({ case: 'push', value: {} })).code).toBe(Errors.UNKNOWN_OPERATION.code);
    c.close();
  });

  it('refuses operations before auth, then closes at the auth deadline', async () => {
    const c = await RawClient.tcp(node.tcpPort);
    const r = await c.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'x', content: text('x') } });
    expect(errorOf(r).code).toBe(Errors.NOT_AUTHENTICATED.code);
    expect(await c.waitClosed(5000)).toBe(CloseCodes.AUTH_TIMEOUT.code);
  });

  it('rejects forged and expired tokens with their codes and close 4002', async () => {
    const forged = new TokenSigner('not-the-server-secret-at-all').sign({ uid: Number(alice.userId), did: 'x', sid: 'y', plat: 'web', exp: Date.now() + 60_000 });
    const c1 = await RawClient.ws(node.wsUrl);
    expect(errorOf(await c1.request({ case: 'auth', value: { token: forged } })).code).toBe(Errors.TOKEN_INVALID.code);
    expect(await c1.waitClosed()).toBe(CloseCodes.AUTH_FAILED.code);

    const { readFileSync } = await import('node:fs');
    const secret = readFileSync(`${node.dataDir}/token-secret`, 'utf8').trim();
    const l = await login(node.httpUrl, alice, 'a-exp');
    const sid = JSON.parse(Buffer.from(l.accessToken.split('.')[0]!, 'base64url').toString()).sid as string;
    const expired = new TokenSigner(secret).sign({ uid: Number(alice.userId), did: 'a-exp', sid, plat: 'other', exp: Date.now() - 1 });
    const c2 = await RawClient.ws(node.wsUrl);
    expect(errorOf(await c2.request({ case: 'auth', value: { token: expired } })).code).toBe(Errors.TOKEN_EXPIRED.code);
    await c2.waitClosed();
  });

  it('revokes on logout: the token stops working and the live connection is closed with LOGGED_OUT', async () => {
    const l = await login(node.httpUrl, alice, 'a-logout');
    const c = await RawClient.ws(node.wsUrl);
    expect((await c.request({ case: 'auth', value: { token: l.accessToken } })).body.case).toBe('authOk');
    const out = await postJson(node.httpUrl, '/v1/logout', {}, { authorization: `Bearer ${l.accessToken}` });
    expect(out.status).toBe(204);
    expect(await c.waitClosed()).toBe(CloseCodes.LOGGED_OUT.code);
    const c2 = await RawClient.ws(node.wsUrl);
    expect(errorOf(await c2.request({ case: 'auth', value: { token: l.accessToken } })).code).toBe(Errors.TOKEN_REVOKED.code);
  });

  it('refreshes tokens once: the rotated refresh token is dead', async () => {
    const l = await login(node.httpUrl, alice, 'a-refresh');
    const r1 = await postJson(node.httpUrl, '/v1/refresh', { refreshToken: l.refreshToken });
    expect(r1.status).toBe(200);
    const r2 = await postJson(node.httpUrl, '/v1/refresh', { refreshToken: l.refreshToken });
    expect(r2.status).toBe(401);
    expect((r2.json.error as { name: string }).name).toBe('REFRESH_INVALID');
  });

  it('kicks the stale connection when a device logs in again', async () => {
    const old = await device(node, alice, 'a-dup');
    const fresh = await device(node, alice, 'a-dup');
    expect(await old.waitClosed()).toBe(CloseCodes.REPLACED.code);
    expect((await fresh.request({ case: 'ping', value: {} })).body.case).toBe('pong');
    fresh.close();
  });

  it('forbids sending into or reading a conversation one is not part of, and stores nothing', async () => {
    const m = await device(node, mallory, 'm');
    expect(errorOf(await m.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'evil', content: text('hi') } })).code).toBe(Errors.NOT_A_MEMBER.code);
    expect(errorOf(await m.request({ case: 'history', value: { conversationId: conv } })).code).toBe(Errors.NOT_A_MEMBER.code);
    expect(errorOf(await m.request({ case: 'pullRange', value: { conversationId: conv, fromSeq: 1, toSeq: 5 } })).code).toBe(Errors.NOT_A_MEMBER.code);
    expect(errorOf(await m.request({ case: 'markRead', value: { conversationId: conv, seq: 1 } })).code).toBe(Errors.NOT_A_MEMBER.code);
    expect(errorOf(await m.request({ case: 'presenceQuery', value: { userIds: [alice.userId] } })).code).toBe(Errors.PERMISSION_DENIED.code);
    expect(errorOf(await m.request({ case: 'send', value: { conversationId: '99999999', clientMsgId: 'x', content: text('x') } })).code).toBe(Errors.NOT_FOUND.code);
    m.close();
    const b = await device(node, bob, 'b-check');
    const h = await b.request({ case: 'history', value: { conversationId: conv } });
    expect(h.body.case === 'historyResult' && h.body.value.messages.map((x) => x.clientMsgId)).toEqual(['private-1']);
    b.close();
  });

  it('validates content: empty, oversized, forged system notices, bad media, bad ids', async () => {
    const a = await device(node, alice, 'a-content');
    const send = (content: unknown, extra: Record<string, unknown> = {}) =>
      a.request({ case: 'send', value: { conversationId: conv, clientMsgId: `v${Math.random()}`, content, ...extra } as never });
    expect(errorOf(await send(undefined)).code).toBe(Errors.CONTENT_INVALID.code);
    expect(errorOf(await send(text(''))).code).toBe(Errors.CONTENT_INVALID.code);
    expect(errorOf(await send(text('字'.repeat(6000)))).code).toBe(Errors.MESSAGE_TOO_LARGE.code);
    expect(errorOf(await send({ kind: { case: 'system', value: { kind: 'fake', text: 'admin says' } } })).code).toBe(Errors.PERMISSION_DENIED.code);
    expect(errorOf(await send({ kind: { case: 'image', value: { url: 'javascript:alert(1)' } } })).code).toBe(Errors.CONTENT_INVALID.code);
    expect(errorOf(await a.request({ case: 'send', value: { conversationId: '0', clientMsgId: 'q', content: text('x') } })).code).toBe(Errors.INVALID_ARGUMENT.code);
    expect(errorOf(await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: '', content: text('x') } })).code).toBe(Errors.INVALID_ARGUMENT.code);
    const ok = await send({ kind: { case: 'image', value: { url: 'https://cdn.example/a.png', size: 1234, mimeType: 'image/png', width: 10, height: 20 } } });
    expect(ok.body.case).toBe('sendAck');
    a.close();
  });

  it('returns JSON errors from the HTTP API', async () => {
    const dup = await postJson(node.httpUrl, '/v1/register', { username: alice.username, password: 'whatever-long' });
    expect(dup.status).toBe(409);
    expect((dup.json.error as { code: number }).code).toBe(Errors.USERNAME_TAKEN.code);
    const bad = await postJson(node.httpUrl, '/v1/login', { username: alice.username, password: 'wrong-password', deviceId: 'd' });
    expect(bad.status).toBe(401);
    const res = await fetch(node.httpUrl + '/v1/login', { method: 'POST', body: '{not json' });
    expect(res.status).toBe(400);
  });
});
