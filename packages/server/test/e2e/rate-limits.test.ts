import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Errors, type Frame } from '@xinbox/protocol';
import { RawClient, device, login, postJson, register, text, type Account } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body } from '../support/frames.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rateLimited(f: Frame): number {
  if (f.body.case !== 'error') throw new Error(`expected RATE_LIMITED, got ${f.body.case}`);
  expect(f.body.value.name).toBe('RATE_LIMITED');
  expect(f.body.value.code).toBe(Errors.RATE_LIMITED.code);
  expect(f.body.value.retryable).toBe(true);
  expect(f.body.value.retryAfterMs).toBeGreaterThan(0);
  return f.body.value.retryAfterMs;
}

describe('request rate limits per user and per IP', () => {
  let node: Node;
  let alice: Account;
  let bob: Account;
  let conv: string;

  beforeAll(async () => {
    node = await startTestNode({
      rateLimits: true, limitBurstSeconds: 1,
      limitSendPerUser: 5, limitReadPerUser: 3, limitCreatePerUser: 1,
      limitSendPerIp: 0, limitReadPerIp: 0, limitCreatePerIp: 0,
      limitRegisterPerIpPerMin: 0, limitLoginPerIpPerMin: 0,
    });
    [alice, bob] = await Promise.all([register(node.httpUrl, 'rla'), register(node.httpUrl, 'rlb')]);
    const a = await device(node, alice, 'setup');
    conv = body(await a.request({ case: 'openDirect', value: { userId: bob.userId } }), 'conversationInfo').conversation!.conversationId;
    a.close();
  });
  afterAll(async () => node.cleanup());

  it('refuses sends beyond the user\'s budget with RATE_LIMITED and retryAfterMs, stores nothing for them, and lets the user continue after the wait', async () => {
    await sleep(1_100); // the bucket is full again after setup
    const a = await device(node, alice, 'sender');
    const replies = await Promise.all(Array.from({ length: 8 }, (_, i) => a.request({ case: 'send', value: { conversationId: conv, clientMsgId: `burst-${i}`, content: text(`m${i}`) } })));
    const acked = replies.filter((f) => f.body.case === 'sendAck');
    const refused = replies.filter((f) => f.body.case === 'error');
    expect(acked).toHaveLength(5);
    expect(refused).toHaveLength(3);
    const wait = Math.max(...refused.map(rateLimited));
    expect(wait).toBeLessThanOrEqual(1_000);
    // Other users are not affected by alice's budget.
    const b = await device(node, bob, 'bob');
    expect((await b.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'bob-1', content: text('hi') } })).body.case).toBe('sendAck');
    // Nothing refused was stored.
    const hist = body(await b.request({ case: 'history', value: { conversationId: conv, limit: 100 } }), 'historyResult');
    expect(hist.messages.filter((m) => m.clientMsgId.startsWith('burst-')).length).toBe(5);
    await sleep(wait);
    expect((await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'after-wait', content: text('ok') } })).body.case).toBe('sendAck');
    a.close();
    b.close();
  });

  it('limits read requests (history, sync, lists) and creations per user', async () => {
    await sleep(1_100);
    const a = await device(node, alice, 'reader');
    const reads = await Promise.all([
      a.request({ case: 'history', value: { conversationId: conv } }),
      a.request({ case: 'sync', value: { cursor: 0 } }),
      a.request({ case: 'listConversations', value: {} }),
      a.request({ case: 'pullRange', value: { conversationId: conv, fromSeq: 1, toSeq: 2 } }),
    ]);
    expect(reads.slice(0, 3).map((f) => f.body.case)).toEqual(['historyResult', 'syncResult', 'conversationList']);
    rateLimited(reads[3]!);
    // Pings and acks are never limited.
    expect((await a.request({ case: 'ping', value: {} })).body.case).toBe('pong');
    const carol = await register(node.httpUrl, 'rlc');
    const dave = await register(node.httpUrl, 'rld');
    const c = await device(node, carol, 'creator');
    expect((await c.request({ case: 'openDirect', value: { userId: alice.userId } })).body.case).toBe('conversationInfo');
    rateLimited(await c.request({ case: 'groupCreate', value: { name: 'g', memberIds: [dave.userId] } }));
    a.close();
    c.close();
  });
});

describe('per-IP limits and login backoff', () => {
  let node: Node;
  afterAll(async () => node.cleanup());

  it('limits sends per IP across users, registrations per IP, and backs off an account after a wrong password', async () => {
    node = await startTestNode({
      rateLimits: true, limitBurstSeconds: 1,
      limitSendPerUser: 100, limitSendPerIp: 4,
      limitRegisterPerIpPerMin: 3, limitLoginPerIpPerMin: 0,
      loginBackoffBaseMs: 400, loginBackoffMaxMs: 5_000,
    });
    const [x, y] = await Promise.all([register(node.httpUrl, 'ipx'), register(node.httpUrl, 'ipy')]);
    const a = await device(node, x, 'x');
    const conv = body(await a.request({ case: 'openDirect', value: { userId: y.userId } }), 'conversationInfo').conversation!.conversationId;
    const b = await device(node, y, 'y');
    await sleep(1_100);
    const sends = await Promise.all([a, a, b, b, a, b].map((c, i) => c.request({ case: 'send', value: { conversationId: conv, clientMsgId: `ip-${i}`, content: text('x') } })));
    expect(sends.filter((f) => f.body.case === 'sendAck')).toHaveLength(4);
    for (const f of sends.filter((f) => f.body.case === 'error')) rateLimited(f);

    // Registration: 3 per minute from this address (2 used above).
    expect((await postJson(node.httpUrl, '/v1/register', { username: `ipz${Date.now() % 1e6}`, password: 'long enough pw' })).status).toBe(201);
    const res = await fetch(`${node.httpUrl}/v1/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ipw', password: 'long enough pw' }) });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const err = ((await res.json()) as { error: { name: string; retryAfterMs: number } }).error;
    expect(err.name).toBe('RATE_LIMITED');
    expect(err.retryAfterMs).toBeGreaterThan(1_000);

    // Password guessing: a wrong password makes the account wait, even for the right one.
    const wrong = await postJson(node.httpUrl, '/v1/login', { username: x.username, password: 'wrong password', deviceId: 'g' });
    expect(wrong.status).toBe(401);
    const early = await postJson(node.httpUrl, '/v1/login', { username: x.username, password: x.password, deviceId: 'g' });
    expect(early.status).toBe(429);
    const wait = (early.json.error as { retryAfterMs: number }).retryAfterMs;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(400);
    // A second failure doubles the wait.
    await sleep(wait + 20);
    expect((await postJson(node.httpUrl, '/v1/login', { username: x.username, password: 'again wrong', deviceId: 'g' })).status).toBe(401);
    const early2 = await postJson(node.httpUrl, '/v1/login', { username: x.username, password: x.password, deviceId: 'g' });
    expect((early2.json.error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(400);
    await sleep((early2.json.error as { retryAfterMs: number }).retryAfterMs + 20);
    // After the wait the right password works, and success clears the backoff.
    expect((await login(node.httpUrl, x, 'g')).accessToken).toBeTruthy();
    expect((await login(node.httpUrl, x, 'g2')).accessToken).toBeTruthy();
    const fresh = await RawClient.ws(node.wsUrl);
    fresh.close();
    a.close();
    b.close();
  });
});
