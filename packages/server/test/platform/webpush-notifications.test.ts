/**
 * Web Push end to end: a node with VAPID keys notifies offline browsers
 * through a local push service (test/support/webpush-standin.ts) that
 * implements the contract — verifies the VAPID JWT, decrypts the aes128gcm
 * payload with the subscription's private key the test made, answers 201 or
 * 410 Gone (after which the token is removed and never tried again).
 */
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { body } from '../support/frames.js';
import { device, login, postJson, register, text, type Account, type RawClient } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { tempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { WebPushStandIn } from '../support/webpush-standin.js';

const COALESCE_MS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Web Push notifications', () => {
  const dir = tempDir();
  const service = new WebPushStandIn(dir.path);
  const vapid = webpush.generateVAPIDKeys();
  let node: Awaited<ReturnType<typeof startTestNode>>;
  let alice: Account, bob: Account, carol: Account;
  let a: RawClient;

  const subscribe = async (who: Account, deviceId: string, token: string) => {
    const l = await login(node.httpUrl, who, deviceId, 'web');
    return postJson(node.httpUrl, '/v1/push/tokens', { provider: 'webpush', token }, { authorization: `Bearer ${l.accessToken}` });
  };
  const openDirect = async (c: RawClient, peer: Account) => body(await c.request({ case: 'openDirect', value: { userId: peer.userId } }), 'conversationInfo').conversation!.conversationId;
  const send = async (c: RawClient, conv: string, t: string) => body(await c.request({ case: 'send', value: { conversationId: conv, clientMsgId: `${t}-${Math.random()}`, content: text(t) } }), 'sendAck');

  beforeAll(async () => {
    await service.start();
    node = await startTestNode({
      webPushPublicKey: vapid.publicKey, webPushPrivateKey: vapid.privateKey, webPushSubject: 'mailto:ops@example.com',
      webPushAllowedHosts: '127.0.0.1', webPushCaFile: service.caFile,
      notifyCoalesceMs: COALESCE_MS, notifyRetryBaseMs: 50,
    });
    [alice, bob, carol] = (await Promise.all(['alice', 'bob', 'carol'].map((n) => register(node.httpUrl, n)))) as [Account, Account, Account];
    a = await device(node, alice, 'a-laptop');
  });
  afterAll(async () => {
    await node.cleanup();
    await service.stop();
    dir.remove();
  });

  it('serves the VAPID public key browsers subscribe with', async () => {
    const r = await fetch(`${node.httpUrl}/v1/push/webpush-key`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ publicKey: vapid.publicKey });
  });

  it('refuses a subscription that is not one, or points outside the allowed push services', async () => {
    for (const token of ['not json', JSON.stringify({ endpoint: 'https://evil.example/push/1', keys: { p256dh: 'x', auth: 'y' } })]) {
      const r = await subscribe(bob, 'bob-bad', token);
      expect(r.status).toBe(400);
      expect((r.json.error as { name: string }).name).toBe('INVALID_ARGUMENT');
    }
    const good = JSON.parse(service.subscribe().json) as { keys: { auth: string } };
    const shortAuth = JSON.stringify({ ...good, keys: { ...good.keys, auth: 'AAAA' } });
    expect((await subscribe(bob, 'bob-bad', shortAuth)).status).toBe(400);
  });

  it('delivers an encrypted, VAPID-signed notification to an offline browser, coalesced, badge = total unread', async () => {
    const sub = service.subscribe();
    expect((await subscribe(bob, 'bob-browser', sub.json)).status).toBe(204);
    const conv = await openDirect(a, bob);
    for (const t of ['one', 'two']) await send(a, conv, t);
    await waitFor('web push delivered', () => service.deliveries.length >= 1);
    await sleep(COALESCE_MS * 2);
    expect(service.refused).toEqual([]);
    expect(service.deliveries).toHaveLength(1);
    const d = service.deliveries[0]!;
    expect(d.subscriptionId).toBe(sub.id);
    expect(d.payload).toEqual({ title: alice.username, body: '2 new messages · two', badge: 2, conversationId: conv, tag: `conversation-${conv}`, count: 2 });
    expect(d.claims).toMatchObject({ aud: service.origin, sub: 'mailto:ops@example.com' });
    expect(d.headers.ttl).toBe('86400');
    expect(d.headers.urgency).toBe('high');
    expect(d.headers.topic).toBe(`conversation-${conv}`);
  });

  it('stays silent for a muted conversation and while the user is online', async () => {
    const sub = service.subscribe();
    expect((await subscribe(carol, 'carol-browser', sub.json)).status).toBe(204);
    const c = await device(node, carol, 'carol-phone');
    const group = body(await a.request({ case: 'groupCreate', value: { name: 'quiet', memberIds: [carol.userId] } }), 'groupInfo').group!.conversationId;
    const direct = await openDirect(a, carol);
    await send(a, direct, 'carol is online');
    await sleep(COALESCE_MS * 2); // the burst is decided after its window, while carol is still connected
    const r = await c.request({ case: 'groupSettings', value: { conversationId: group, doNotDisturb: true } });
    expect(r.body.case).not.toBe('error');
    c.close();
    await c.waitClosed();
    await sleep(100);
    await send(a, group, 'shh');
    await sleep(COALESCE_MS * 3);
    expect(service.attempts.get(sub.id) ?? 0).toBe(0);
  });

  it('removes the subscription after 410 Gone and never tries it again', async () => {
    const sub = service.subscribe();
    expect((await subscribe(bob, 'bob-old-browser', sub.json)).status).toBe(204);
    service.dead.add(sub.id);
    const conv = await openDirect(a, bob);
    await send(a, conv, 'gone?');
    await waitFor('410 answered', () => service.refused.includes('subscription expired'));
    await sleep(COALESCE_MS);
    const before = service.attempts.get(sub.id);
    await send(a, conv, 'still gone');
    await waitFor('the live subscription still gets it', () => service.deliveries.some((d) => d.payload.body === 'still gone' || String(d.payload.body).endsWith('still gone')));
    expect(service.attempts.get(sub.id)).toBe(before);
  });
});
