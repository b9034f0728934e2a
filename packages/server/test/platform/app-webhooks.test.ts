/**
 * Per-app webhooks (ADR 0013): two apps with two local receivers over real
 * HTTP and a real SQLite outbox. Each receiver gets only its own app's
 * events, in order per key, signed with its own app's secret; an app
 * without a webhook gets none; a changed webhook takes effect; one app's
 * receiver being down holds back no other app's events; events of an app
 * that lost its webhook while waiting are discarded, not retried forever.
 *
 * The app of a user comes from an injected AppOfUser (tenant-core's identity
 * provides it in the node); here a table of the test's users.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAppStore } from '../../src/adapters/memory/memory-app-store.js';
import { openSqliteDatabase } from '../../src/adapters/sqlite/sqlite-database.js';
import { SqliteWebhookOutbox } from '../../src/adapters/sqlite/sqlite-webhook-outbox.js';
import { buildConfig } from '../../src/config.js';
import type { AppDirectory } from '../../src/core/apps/app-directory.js';
import { DEFAULT_APP_ID } from '../../src/core/ports/app-store.js';
import { freePort } from '../../src/devtools/free-port.js';
import { createLogger } from '../../src/logger.js';
import { createAppDirectory } from '../../src/platform/apps/create-app-directory.js';
import { createWebhooks, type Webhooks } from '../../src/platform/webhooks/index.js';
import { verifyWebhook } from '../../src/platform/webhooks/index.js';
import { tempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const CONFIG_SECRET = 'default-app-signing-0123456789';
const B_SECRET = 'shop-b-signing-secret-abcdefgh';
const B_SECRET_2 = 'shop-b-rotated-secret-ijklmnop';

describe('per-app webhooks', () => {
  const dir = tempDir();
  let defaultReceiver: WebhookReceiver, bReceiver: WebhookReceiver, bReceiver2: WebhookReceiver;
  let outbox: SqliteWebhookOutbox;
  let apps: AppDirectory;
  let webhooks: Webhooks;
  // Users 1xx are in `default`, 2xx in shop-b, 3xx in shop-c (no webhook).
  const appOf = async (userId: number) => (userId >= 300 ? 'shop-c' : userId >= 200 ? 'shop-b' : DEFAULT_APP_ID);
  const message = (senderId: number, conversationId: number, seq: number) =>
    webhooks.events.emit('message.sent', `conversation:${conversationId}`, { conversationId: String(conversationId), senderId: String(senderId), seq });

  beforeAll(async () => {
    [defaultReceiver, bReceiver, bReceiver2] = [new WebhookReceiver(CONFIG_SECRET, await freePort()), new WebhookReceiver(B_SECRET, await freePort()), new WebhookReceiver(B_SECRET_2, await freePort())];
    await Promise.all([defaultReceiver.start(), bReceiver.start(), bReceiver2.start()]);
    const config = buildConfig({ webhookUrl: defaultReceiver.url, webhookSecret: CONFIG_SECRET, webhookRetryBaseMs: 50, webhookRetryMaxMs: 200, logLevel: 'silent' });
    apps = createAppDirectory(config, new MemoryAppStore(), { cacheMs: 0 });
    await apps.create('shop-b', 'Shop B');
    await apps.update('shop-b', { webhook: { url: bReceiver.url, signingSecrets: [B_SECRET], events: 'message.sent,user.*' } });
    await apps.create('shop-c', 'Shop C');
    outbox = new SqliteWebhookOutbox(openSqliteDatabase({ path: `${dir.path}/xinbox.db` }));
    webhooks = await createWebhooks({ config, outbox, nodeId: 'n1', deliver: true, log: createLogger('silent'), apps, appOfUser: appOf });
  });
  afterAll(async () => {
    await webhooks?.stop();
    await outbox?.close();
    await Promise.all([defaultReceiver, bReceiver, bReceiver2].map((r) => r?.stop()));
    dir.remove();
  });

  it('delivers each app\'s events to its own receiver only, in order, signed with its own secret', async () => {
    for (const u of [101, 201, 301]) webhooks.events.emit('user.online', `user:${u}`, { userId: String(u), deviceId: 'd', platform: 'web' });
    for (let seq = 1; seq <= 20; seq++) {
      message(101, 10, seq);
      message(201, 20, seq);
      message(301, 30, seq);
    }
    // shop-b does not subscribe to rooms; `default` subscribes to everything.
    webhooks.events.emit('room.created', 'room:b-room', { roomId: 'b-room', hostId: '201' });
    webhooks.events.emit('room.created', 'room:d-room', { roomId: 'd-room', hostId: '101' });

    await waitFor('default app events', () => defaultReceiver.ofType('message.sent').length === 20 && defaultReceiver.ofType('room.created').length === 1);
    await waitFor('shop-b events', () => bReceiver.ofType('message.sent').length === 20 && bReceiver.ofType('user.online').length === 1);

    // Different keys use different lanes: order holds within a key only.
    expect(defaultReceiver.events.map((e) => e.orderKey).filter((k) => k !== 'conversation:10').sort()).toEqual(['room:d-room', 'user:101']);
    expect(defaultReceiver.ofType('message.sent').map((e) => e.data.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(bReceiver.events.map((e) => e.orderKey).filter((k) => k !== 'conversation:20')).toEqual(['user:201']);
    expect(bReceiver.ofType('message.sent').map((e) => e.data.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // Nothing of shop-c (no webhook) reached anyone, nor was kept.
    for (const r of [defaultReceiver, bReceiver]) expect(r.events.some((e) => ['user:301', 'conversation:30'].includes(e.orderKey))).toBe(false);
    expect(webhooks.stats()).toMatchObject({ unsubscribed: 22 }); // shop-c: 1 + 20; shop-b's room event: 1

    // Each signed with its app's secret only.
    expect(defaultReceiver.requests.every((r) => r.verified)).toBe(true);
    expect(bReceiver.requests.every((r) => r.verified)).toBe(true);
    const stamp = (r: { headers: Record<string, unknown> }) => Number(r.headers['xinbox-timestamp']) * 1000;
    for (const r of bReceiver.requests) expect(verifyWebhook(CONFIG_SECRET, r.headers as Record<string, string>, r.body, stamp(r)).ok).toBe(false);
    for (const r of defaultReceiver.requests) expect(verifyWebhook(B_SECRET, r.headers as Record<string, string>, r.body, stamp(r)).ok).toBe(false);
  });

  it('follows a changed webhook (new URL and secret), and discards waiting events of an app that removed its webhook', async () => {
    await apps.update('shop-b', { webhook: { url: bReceiver2.url, signingSecrets: [B_SECRET_2], events: 'message.sent' } });
    await waitFor('the new settings to be read', async () => {
      message(201, 21, 1);
      await new Promise((r) => setTimeout(r, 100));
      return bReceiver2.ofType('message.sent').length > 0;
    });
    expect(bReceiver2.requests.every((r) => r.verified)).toBe(true);

    // The receiver is down: the events wait in the outbox; then the app drops its webhook.
    await bReceiver2.stop();
    const before = bReceiver2.events.length;
    for (let seq = 1; seq <= 5; seq++) message(201, 22, seq);
    await waitFor('a failed attempt', () => ((webhooks.stats() as { failedAttempts: number }).failedAttempts) > 0);
    // shop-b's receiver being down holds back nothing of the default app's, on any lane (each app has lanes of its own).
    for (let c = 100; c < 164; c++) message(101, c, 1);
    await waitFor('every default conversation delivered while shop-b is down',
      () => Array.from({ length: 64 }, (_, i) => `conversation:${100 + i}`).every((k) => defaultReceiver.events.some((e) => e.orderKey === k)));
    await apps.update('shop-b', { webhook: null });
    await waitFor('the waiting events discarded', () => ((webhooks.stats() as { discarded: number }).discarded) === 5);
    expect(await outbox.lanes()).toEqual([]);
    expect(bReceiver2.events.length).toBe(before);
    // The default app is untouched by all this.
    message(102, 11, 1);
    await waitFor('default still delivered', () => defaultReceiver.events.some((e) => e.orderKey === 'conversation:11'));
  });
});
