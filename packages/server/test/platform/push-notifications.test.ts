/**
 * Offline push notifications end to end, against local stand-ins of APNs
 * (HTTP/2, ES256 provider token checked with the public key) and FCM HTTP v1
 * (OAuth token exchange, RS256 assertion checked), plus the generic webhook
 * provider: only offline users get them, bursts are coalesced, badge = total
 * unread, muted conversations stay silent, preview can be turned off, dead
 * tokens are removed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/devtools/free-port.js';
import { body } from '../support/frames.js';
import { device, login, postJson, register, text, type Account, type RawClient } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { tempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';
import { ApnsStandIn, FcmStandIn } from '../support/push-standins.js';

const SECRET = 'push-webhook-secret-0123456789';
const COALESCE_MS = 400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const APNS_BOB = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';
const APNS_ERIN = 'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100';
const APNS_FRANK = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';

describe('offline push notifications', () => {
  const dir = tempDir();
  const apns = new ApnsStandIn('TEAM123456', 'KEY1234567', 'com.example.chat');
  const fcm = new FcmStandIn('xinbox-test');
  let hook: WebhookReceiver;
  let node: Awaited<ReturnType<typeof startTestNode>>;
  let alice: Account, bob: Account, carol: Account, dave: Account, erin: Account;
  let a: RawClient;

  const registerToken = async (who: Account, deviceId: string, provider: string, token: string, preview = true) => {
    const l = await login(node.httpUrl, who, deviceId);
    const r = await postJson(node.httpUrl, '/v1/push/tokens', { provider, token, preview }, { authorization: `Bearer ${l.accessToken}` });
    expect(r.status).toBe(204);
    return l;
  };
  const openDirect = async (c: RawClient, peer: Account) => body(await c.request({ case: 'openDirect', value: { userId: peer.userId } }), 'conversationInfo').conversation!.conversationId;
  const send = async (c: RawClient, conv: string, t: string) => body(await c.request({ case: 'send', value: { conversationId: conv, clientMsgId: `${t}-${Math.random()}`, content: text(t) } }), 'sendAck');

  beforeAll(async () => {
    const apnsUrl = await apns.start();
    const fcmUrl = await fcm.start();
    hook = new WebhookReceiver(SECRET, await freePort());
    await hook.start();
    const keyFile = join(dir.path, 'apns.p8');
    writeFileSync(keyFile, apns.privateKeyPem);
    const accountFile = join(dir.path, 'service-account.json');
    writeFileSync(accountFile, JSON.stringify(fcm.serviceAccount));
    node = await startTestNode({
      apnsUrl, apnsTeamId: apns.teamId, apnsKeyId: apns.keyId, apnsKeyFile: keyFile, apnsTopic: apns.topic,
      fcmUrl, fcmServiceAccountFile: accountFile, pushWebhookUrl: hook.url, webhookSecret: SECRET,
      notifyCoalesceMs: COALESCE_MS, notifyRetryBaseMs: 50,
    });
    [alice, bob, carol, dave, erin] = (await Promise.all(['alice', 'bob', 'carol', 'dave', 'erin'].map((n) => register(node.httpUrl, n)))) as [Account, Account, Account, Account, Account];
    a = await device(node, alice, 'a-phone');
  });
  afterAll(async () => {
    await node.cleanup();
    await Promise.all([apns.stop(), fcm.stop(), hook.stop()]);
    dir.remove();
  });

  it('refuses token registration without a valid access token or with a bad provider', async () => {
    expect((await postJson(node.httpUrl, '/v1/push/tokens', { provider: 'apns', token: 'x' })).status).toBe(401);
    const l = await login(node.httpUrl, bob, 'bob-x');
    const bad = await postJson(node.httpUrl, '/v1/push/tokens', { provider: 'pigeon', token: 'x' }, { authorization: `Bearer ${l.accessToken}` });
    expect(bad.status).toBe(400);
    expect((bad.json.error as { name: string }).name).toBe('INVALID_ARGUMENT');
  });

  it('notifies an offline iOS device once per burst with badge = total unread, and nothing for an online user', async () => {
    await registerToken(bob, 'bob-phone', 'apns', APNS_BOB);
    await registerToken(erin, 'erin-phone', 'apns', APNS_ERIN);
    const e = await device(node, erin, 'erin-laptop'); // erin is online on another device
    const toBob = await openDirect(a, bob);
    const toErin = await openDirect(a, erin);
    for (const t of ['one', 'two', 'three']) await send(a, toBob, t);
    await send(a, toErin, 'hi erin');
    await waitFor('bob notified', () => apns.pushes.length >= 1);
    await sleep(COALESCE_MS * 2);
    expect(apns.pushes).toHaveLength(1);
    const p = apns.pushes[0]!;
    expect(p.token).toBe(APNS_BOB);
    expect(p.headers['apns-topic']).toBe('com.example.chat');
    expect(p.headers['apns-push-type']).toBe('alert');
    expect(p.headers['apns-collapse-id']).toBe(`conversation-${toBob}`);
    expect(p.payload.aps.badge).toBe(3);
    expect(p.payload.aps.alert).toEqual({ title: alice.username, body: '3 new messages · three' });
    expect(p.payload.conversationId).toBe(toBob);

    // A second conversation: the badge counts both.
    const c = await device(node, carol, 'c-phone');
    await send(c, await openDirect(c, bob), 'from carol');
    await waitFor('second push', () => apns.pushes.length >= 2);
    expect(apns.pushes[1]!.payload.aps.badge).toBe(4);
    expect(apns.pushes[1]!.payload.aps.alert.body).toBe('from carol');
    e.close();
    c.close();
  });

  it('stays silent for a muted conversation', async () => {
    const b = await device(node, bob, 'bob-phone');
    const group = body(await a.request({ case: 'groupCreate', value: { name: 'quiet', memberIds: [bob.userId] } }), 'groupInfo').group!.conversationId;
    const r = await b.request({ case: 'groupSettings', value: { conversationId: group, doNotDisturb: true } });
    expect(r.body.case).not.toBe('error');
    b.close();
    await b.waitClosed();
    await sleep(100);
    const before = apns.pushes.length;
    await send(a, group, 'shh');
    await sleep(COALESCE_MS * 3);
    expect(apns.pushes.length).toBe(before);
  });

  it('stays silent for a direct chat the user muted in conversation settings, and leaves it out of the badge unless chosen', async () => {
    const frank = await register(node.httpUrl, 'frank');
    await registerToken(frank, 'frank-phone', 'apns', APNS_FRANK);
    const f = await device(node, frank, 'frank-phone');
    const c = await device(node, carol, 'c-tablet');
    const fromAlice = await openDirect(a, frank);
    const fromCarol = await openDirect(c, frank);
    body(await f.request({ case: 'conversationSettingsSet', value: { conversationId: fromAlice, fields: ['muted'], muted: true } }), 'conversationSettings');
    f.close();
    await f.waitClosed();
    await sleep(100);
    const mine = () => apns.pushes.filter((p) => p.token === APNS_FRANK);
    await send(a, fromAlice, 'muted one');
    await send(a, fromAlice, 'muted two');
    await sleep(COALESCE_MS * 3);
    expect(mine()).toHaveLength(0);
    // An unmuted conversation notifies; the muted one's 2 unread do not count in the badge.
    await send(c, fromCarol, 'loud');
    await waitFor('frank notified', () => mine().length >= 1);
    expect(mine()[0]!.payload.aps.badge).toBe(1);
    expect(mine()[0]!.payload.conversationId).toBe(fromCarol);
    // The user chose to count muted conversations: the badge is the whole total again.
    const f2 = await device(node, frank, 'frank-laptop');
    body(await f2.request({ case: 'conversationSettingsSet', value: { conversationId: fromAlice, fields: ['muted_counts_in_badge'], mutedCountsInBadge: true } }), 'conversationSettings');
    f2.close();
    await f2.waitClosed();
    await sleep(100);
    await send(c, fromCarol, 'louder');
    await waitFor('frank notified again', () => mine().length >= 2);
    expect(mine()[1]!.payload.aps.badge).toBe(4);
    c.close();
  });

  it('reaches Android through FCM (OAuth token exchanged once) and removes a token FCM calls unregistered', async () => {
    await registerToken(carol, 'carol-android', 'fcm', 'fcm-token-carol');
    const conv = await openDirect(a, carol);
    await send(a, conv, 'hello android');
    await waitFor('fcm message', () => fcm.messages.length >= 1);
    const m = fcm.messages[0]!.message;
    expect(m.token).toBe('fcm-token-carol');
    expect(m.notification).toEqual({ title: alice.username, body: 'hello android' });
    expect(m.data.conversationId).toBe(conv);
    expect(fcm.tokenRequests).toBe(1);

    fcm.dead.add('fcm-token-carol');
    await send(a, conv, 'are you there');
    await waitFor('refused', () => fcm.refused.length === 1);
    await sleep(COALESCE_MS);
    fcm.dead.clear();
    await send(a, conv, 'once more');
    await sleep(COALESCE_MS * 3);
    expect(fcm.messages).toHaveLength(1); // the removed token is not tried again
    expect(fcm.refused).toHaveLength(1);
  });

  it('removes an APNs token after 410 Unregistered', async () => {
    apns.dead.add(APNS_BOB);
    const conv = await openDirect(a, bob);
    await send(a, conv, 'gone?');
    await waitFor('410', () => apns.refused.includes(APNS_BOB));
    apns.dead.clear();
    const before = apns.pushes.length;
    await sleep(COALESCE_MS);
    await send(a, conv, 'still gone');
    await sleep(COALESCE_MS * 3);
    expect(apns.pushes.length).toBe(before);
  });

  it('sends the application\'s own push service signed notifications, without preview when the device asked for privacy', async () => {
    await registerToken(dave, 'dave-pager', 'webhook', 'pager-42', false);
    const conv = await openDirect(a, dave);
    await send(a, conv, 'secret plans');
    await waitFor('webhook push', () => hook.requests.length >= 1);
    const r = hook.requests[0]!;
    expect(r.verified).toBe(true);
    const n = JSON.parse(r.body) as { type: string; data: Record<string, unknown> };
    expect(n.type).toBe('push.notification');
    expect(n.data).toMatchObject({ userId: dave.userId, deviceId: 'dave-pager', token: 'pager-42', title: 'New message', body: 'You have a new message', badge: 1 });
    expect(r.body).not.toContain('secret plans');
    expect(r.body).not.toContain(alice.username);
  });
});
