/**
 * The before-send check per app, in a real node with two real receivers: the
 * config's hook checks `default`'s users as before; app B's hook (set with
 * the admin PATCH, signed with B's webhook secret) checks, rejects and
 * rewrites B's users' messages only; an app without a hook admits everything;
 * removing B's hook stops the checks. The PATCH validates the hook like the
 * config validates its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Errors } from '@xinbox/protocol';
import { freePort } from '../../src/devtools/free-port.js';
import { TEST_ADMIN_TOKEN, adminGet } from '../support/admin.js';
import { body, errorCode } from '../support/frames.js';
import { device, register, text, type Account } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const CONFIG_SECRET = 'config-before-send-secret-0123';
const B_SECRET = 'app-b-before-send-secret-01234';

interface BeforeSend { data: { senderId: string; content: { text?: { text: string } } } }

/** Past one refresh of the node's view of the apps (2 s). */
const pastRefresh = () => new Promise((r) => setTimeout(r, 2_500));

type Node = Awaited<ReturnType<typeof startTestNode>>;

function adminOf(node: Node) {
  return async (method: string, path: string, b?: unknown) => {
    const res = await fetch(`${node.httpUrl}/v1/admin${path}`, {
      method, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' }, ...(b ? { body: JSON.stringify(b) } : {}),
    });
    return { status: res.status, json: await res.json() as Record<string, unknown> };
  };
}

/** Two users of one app, a direct conversation between them, and a sender that answers with the ack or the error. */
async function pairIn(node: Node, appId?: string) {
  const [x, y] = await Promise.all([register(node.httpUrl, 'bsx', appId), register(node.httpUrl, 'bsy', appId)]) as [Account, Account];
  const dx = await device(node, x, 'x-phone');
  const dy = await device(node, y, 'y-phone');
  const conv = body(await dx.request({ case: 'openDirect', value: { userId: y.userId } }), 'conversationInfo').conversation!.conversationId;
  let n = 0;
  const send = (t: string) => dx.request({ case: 'send', value: { conversationId: conv, clientMsgId: `m${++n}`, content: text(t) } });
  const received = async (count: number) => {
    await dy.waitForPushes(count, conv);
    return dy.pushes(conv).map((p) => (body(p, 'push').message!.content!.kind.value as { text: string }).text);
  };
  return { x, y, conv, send, received, close: () => { dx.close(); dy.close(); } };
}

const checkedTexts = (r: WebhookReceiver) => r.requests.map((q) => (JSON.parse(q.body) as BeforeSend).data.content.text?.text);

describe('per-app before-send check', () => {
  let node: Node;
  let configHook: WebhookReceiver, bHook: WebhookReceiver;
  beforeAll(async () => {
    configHook = new WebhookReceiver(CONFIG_SECRET, await freePort());
    bHook = new WebhookReceiver(B_SECRET, await freePort());
    await Promise.all([configHook.start(), bHook.start()]);
    // The config's hook allows everything: a message it saw went through.
    configHook.answer = () => ({ status: 200, body: { action: 'allow' } });
    bHook.answer = (_req, json) => {
      const t = (json as unknown as BeforeSend).data.content.text?.text ?? '';
      if (t.includes('forbidden')) return { status: 200, body: { action: 'reject', reason: 'B says no' } };
      if (t.includes('rewrite me')) return { status: 200, body: { action: 'rewrite', content: { text: { text: t.replace('rewrite me', '[B rewrote]') } } } };
      return { status: 200, body: { action: 'allow' } };
    };
    node = await startTestNode({ beforeSendUrl: configHook.url, webhookSecret: CONFIG_SECRET, beforeSendTimeoutMs: 5_000 });
  });
  afterAll(async () => {
    await node?.cleanup();
    await Promise.all([configHook?.stop(), bHook?.stop()]);
  });

  it('validates the hook in the admin PATCH and shows it in the app', async () => {
    const admin = adminOf(node);
    expect((await admin('POST', '/apps', { id: 'hook-b' })).status).toBe(201);
    expect((await admin('POST', '/apps', { id: 'hook-none' })).status).toBe(201);
    const bad = await admin('PATCH', '/apps/hook-b', {
      webhook: { url: bHook.url, signingSecrets: [B_SECRET], beforeSend: { url: 'ftp://nope', timeoutMs: 5 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ name: 'INVALID_ARGUMENT' });
    expect((bad.json.error as { message: string }).message).toMatch(/beforeSend\.url.*beforeSend\.timeoutMs/s);
    expect((await admin('PATCH', '/apps/hook-b', { webhook: { url: bHook.url, signingSecrets: [B_SECRET], beforeSend: { url: bHook.url, onFailure: 'maybe' } } })).status)
      .toBe(400);
    const ok = await admin('PATCH', '/apps/hook-b', {
      webhook: { url: bHook.url, signingSecrets: [B_SECRET], events: 'user.none', beforeSend: { url: bHook.url, timeoutMs: 5_000, onFailure: 'reject' } },
    });
    expect(ok.status).toBe(200);
    expect((ok.json.app as { webhook: unknown }).webhook).toMatchObject({ beforeSend: { url: bHook.url, timeoutMs: 5_000, onFailure: 'reject' } });
    // A webhook edit without beforeSend keeps it.
    const kept = await admin('PATCH', '/apps/hook-b', { webhook: { url: bHook.url, events: 'user.none' } });
    expect((kept.json.app as { webhook: unknown }).webhook).toMatchObject({ beforeSend: { url: bHook.url } });
    await pastRefresh();
  });

  it('rejects and rewrites app B\'s messages with B\'s hook only; default\'s go to the config\'s hook; an app without one is not checked', async () => {
    const b = await pairIn(node, 'hook-b');
    const d = await pairIn(node);
    const none = await pairIn(node, 'hook-none');

    const rejected = await b.send('this is forbidden');
    expect(errorCode(rejected)).toBe(Errors.MESSAGE_REJECTED.code);
    expect(rejected.body.case === 'error' && rejected.body.value.message).toContain('B says no');
    body(await b.send('please rewrite me'), 'sendAck');
    body(await b.send('fine'), 'sendAck');
    expect(await b.received(2)).toEqual(['please [B rewrote]', 'fine']);

    // The same words from `default`'s users pass: the config's hook allows them, B's never sees them.
    body(await d.send('this is forbidden'), 'sendAck');
    body(await d.send('please rewrite me'), 'sendAck');
    expect(await d.received(2)).toEqual(['this is forbidden', 'please rewrite me']);
    body(await none.send('this is forbidden'), 'sendAck');
    expect(await none.received(1)).toEqual(['this is forbidden']);

    expect(checkedTexts(bHook)).toEqual(['this is forbidden', 'please rewrite me', 'fine']);
    expect(bHook.requests.every((r) => r.verified)).toBe(true); // signed with B's secret
    expect((bHook.requests.map((r) => (JSON.parse(r.body) as BeforeSend).data.senderId))).toEqual([b.x.userId, b.x.userId, b.x.userId]);
    expect(checkedTexts(configHook)).toEqual(['this is forbidden', 'please rewrite me']);
    expect(configHook.requests.every((r) => r.verified)).toBe(true);
    const metrics = await (await adminGet(node.httpUrl, '/v1/metrics')).json() as { webhooks: { beforeSend: Record<string, number> } };
    expect(metrics.webhooks.beforeSend).toMatchObject({ rejected: 1, rewritten: 1, allowed: 3 });
    for (const p of [b, d, none]) p.close();
  });

  it('fails closed with B\'s own onFailure, and stops checking B once its hook is removed', async () => {
    const admin = adminOf(node);
    const b = await pairIn(node, 'hook-b');
    bHook.answer = () => ({ status: 500 });
    expect(errorCode(await b.send('while B\'s hook is down'))).toBe(Errors.UNAVAILABLE.code);
    // The config's hook is `allow` on failure, but that is default's: B's says reject.
    const removed = await admin('PATCH', '/apps/hook-b', { webhook: { url: bHook.url, beforeSend: null } });
    expect((removed.json.app as { webhook: Record<string, unknown> }).webhook.beforeSend).toBeUndefined();
    const seen = bHook.requests.length;
    body(await b.send('unchecked now'), 'sendAck');
    expect(bHook.requests.length).toBe(seen);
    b.close();
  });
});

describe('per-app before-send check without a config hook', () => {
  let node: Node;
  let bHook: WebhookReceiver;
  beforeAll(async () => {
    bHook = new WebhookReceiver(B_SECRET, await freePort());
    await bHook.start();
    bHook.answer = () => ({ status: 200, body: { action: 'reject', reason: 'only B is checked' } });
    node = await startTestNode({});
  });
  afterAll(async () => {
    await node?.cleanup();
    await bHook?.stop();
  });

  it('is off until an app gets a hook, then checks that app\'s users only', async () => {
    const metricsOf = async () => (await (await adminGet(node.httpUrl, '/v1/metrics')).json() as { webhooks: { beforeSend?: unknown } }).webhooks;
    expect((await metricsOf()).beforeSend).toBeUndefined();
    const admin = adminOf(node);
    expect((await admin('POST', '/apps', { id: 'solo-b' })).status).toBe(201);
    expect((await admin('PATCH', '/apps/solo-b', { webhook: { url: bHook.url, signingSecrets: [B_SECRET], beforeSend: { url: bHook.url } } })).status).toBe(200);
    await pastRefresh();
    const b = await pairIn(node, 'solo-b');
    const d = await pairIn(node);
    expect(errorCode(await b.send('hello'))).toBe(Errors.MESSAGE_REJECTED.code);
    body(await d.send('hello'), 'sendAck');
    // (B's webhook, the same receiver here, also gets B's other events: count the checks only.)
    expect(bHook.requests.filter((r) => (JSON.parse(r.body) as { type?: string }).type === 'message.before_send')).toHaveLength(1);
    expect((await metricsOf()).beforeSend).toMatchObject({ rejected: 1 });
    b.close();
    d.close();
  });
});
