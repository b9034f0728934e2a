/**
 * Per-app webhooks wired in a real node: an app created and given a webhook
 * through the admin routes is read by the node's webhook delivery (the same
 * AppDirectory), and none of the default app's events reach it; the config's
 * receiver gets them as before; the events of the other app's users (who
 * register and log in with its app id) go to its receiver only, signed with
 * its secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/devtools/free-port.js';
import { TEST_ADMIN_TOKEN, adminGet } from '../support/admin.js';
import { body } from '../support/frames.js';
import { device, register, text } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const CONFIG_SECRET = 'node-default-signing-0123456789';
const APP_SECRET = 'node-other-app-signing-012345';

describe('per-app webhooks in a node', () => {
  let node: Awaited<ReturnType<typeof startTestNode>>;
  let configReceiver: WebhookReceiver, appReceiver: WebhookReceiver;
  beforeAll(async () => {
    configReceiver = new WebhookReceiver(CONFIG_SECRET, await freePort());
    appReceiver = new WebhookReceiver(APP_SECRET, await freePort());
    await Promise.all([configReceiver.start(), appReceiver.start()]);
    node = await startTestNode({ webhookUrl: configReceiver.url, webhookSecret: CONFIG_SECRET, webhookEvents: 'message.sent' });
  });
  afterAll(async () => {
    await node?.cleanup();
    await Promise.all([configReceiver?.stop(), appReceiver?.stop()]);
  });

  it('keeps the default app\'s events on the config\'s receiver after another app gets a webhook', async () => {
    const admin = (method: string, path: string, b?: unknown) => fetch(`${node.httpUrl}/v1/admin${path}`, {
      method, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' }, ...(b ? { body: JSON.stringify(b) } : {}),
    });
    expect((await admin('POST', '/apps', { id: 'other-app' })).status).toBe(201);
    expect((await admin('PATCH', '/apps/other-app', { webhook: { url: appReceiver.url, signingSecrets: [APP_SECRET], events: '*' } })).status).toBe(200);
    // The node reads the apps every 2 s; wait past one refresh.
    await new Promise((r) => setTimeout(r, 2_500));

    const [alice, bob] = await Promise.all([register(node.httpUrl, 'alice'), register(node.httpUrl, 'bob')]);
    const a = await device(node, alice, 'a-phone');
    const conv = body(await a.request({ case: 'openDirect', value: { userId: bob.userId } }), 'conversationInfo').conversation!.conversationId;
    for (let i = 1; i <= 3; i++) body(await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: `m${i}`, content: text(`hi ${i}`) } }), 'sendAck');
    a.close();
    await waitFor('the config receiver got the messages', () => configReceiver.ofType('message.sent').length === 3);
    expect(configReceiver.requests.every((r) => r.verified)).toBe(true);
    // user.online/offline happened too, but `default` subscribes to message.sent only; and nothing went to the other app.
    await new Promise((r) => setTimeout(r, 500));
    expect(configReceiver.events.map((e) => e.type)).toEqual(['message.sent', 'message.sent', 'message.sent']);
    expect(appReceiver.requests).toHaveLength(0);
    // The node did read the other app's subscription (`*`): presence events were kept until their app (default,
    // message.sent only) was known, then dropped; without another app they would have been dropped at emit, uncounted.
    const metrics = await (await adminGet(node.httpUrl, '/v1/metrics')).json() as { webhooks: { unsubscribed: number } };
    expect(metrics.webhooks.unsubscribed).toBeGreaterThanOrEqual(2);
  });

  it('sends the events of the other app\'s users to that app\'s receiver only, signed with its secret', async () => {
    const [carol, dave] = await Promise.all([register(node.httpUrl, 'carol', 'other-app'), register(node.httpUrl, 'dave', 'other-app')]);
    const c = await device(node, carol, 'c-phone');
    const conv = body(await c.request({ case: 'openDirect', value: { userId: dave.userId } }), 'conversationInfo').conversation!.conversationId;
    for (let i = 1; i <= 3; i++) body(await c.request({ case: 'send', value: { conversationId: conv, clientMsgId: `o${i}`, content: text(`other ${i}`) } }), 'sendAck');
    c.close();
    await waitFor('the other app\'s receiver got its messages', () => appReceiver.ofType('message.sent').length === 3);
    expect(appReceiver.requests.every((r) => r.verified)).toBe(true);
    expect(appReceiver.ofType('message.sent').map((e) => (e.data as { conversationId: string }).conversationId)).toEqual([conv, conv, conv]);
    await new Promise((r) => setTimeout(r, 500));
    expect(configReceiver.ofType('message.sent')).toHaveLength(3); // still only the default app's three

    // The delivery log names each attempt's app and filters by it.
    type Log = { deliveries: Array<{ app: string; events: Array<{ type: string; orderKey: string }> }> };
    const log = async (q: string) => (await (await adminGet(node.httpUrl, `/v1/admin/webhooks/deliveries?limit=1000${q}`)).json() as Log).deliveries;
    const all = await log('');
    expect(new Set(all.map((d) => d.app))).toEqual(new Set(['default', 'other-app']));
    const ofOther = await log('&app=other-app');
    expect(ofOther.length).toBeGreaterThan(0);
    expect(ofOther.every((d) => d.app === 'other-app')).toBe(true);
    const sent = ofOther.flatMap((d) => d.events).filter((e) => e.type === 'message.sent');
    expect(sent.map((e) => e.orderKey)).toEqual([`conversation:${conv}`, `conversation:${conv}`, `conversation:${conv}`]);
    const ofDefault = await log('&app=default');
    expect(ofDefault.length).toBeGreaterThan(0);
    expect(ofDefault.every((d) => d.app === 'default')).toBe(true);
    expect(ofDefault.length + ofOther.length).toBe(all.length);
    expect(await log('&app=nobody-here')).toEqual([]);
  });
});
