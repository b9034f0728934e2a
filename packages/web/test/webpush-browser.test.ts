/**
 * Web Push in the web client, in real Chromium against a real server with
 * VAPID keys: the notification toggle fetches the server's key and registers
 * the service worker (/push-sw.js), and a push message delivered to that
 * service worker (through the DevTools protocol, standing in for the
 * browser's push service, which headless Chromium here cannot reach) is shown
 * as a notification with the payload the server's Web Push adapter sends.
 */
import { createECDH } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatPage } from './support/chat-page.js';
import { PASSWORD, startWebHarness, type WebHarness } from './support/web-harness.js';

const WAIT = { timeout: 20_000, interval: 100 };
let h: WebHarness;

beforeAll(async () => {
  // A VAPID key pair as `web-push generate-vapid-keys` prints it: the P-256 point and scalar, base64url.
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const vapid = { publicKey: ecdh.getPublicKey().toString('base64url'), privateKey: ecdh.getPrivateKey().toString('base64url') };
  h = await startWebHarness('xinbox-web-push-', {
    webPushPublicKey: vapid.publicKey, webPushPrivateKey: vapid.privateKey, webPushSubject: 'mailto:ops@example.com',
  });
}, 10 * 60_000);

afterAll(async () => h?.close());

describe('Web Push in the web client', () => {
  it('registers the service worker from the toggle and shows a pushed notification', async () => {
    const context = await h.browser.newContext();
    await context.grantPermissions(['notifications'], { origin: h.node.httpUrl });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const user = new ChatPage(page, 'nora');
    await user.register(h.node.httpUrl, PASSWORD);

    const toggle = page.getByTestId('notification-toggle');
    await expect.poll(() => toggle.getAttribute('data-status'), WAIT).toBe('off');
    await toggle.click();
    // The service worker is registered at the site root whether or not this Chromium can reach a push service.
    await expect.poll(() => page.evaluate(async () => (await navigator.serviceWorker.getRegistration('/push-sw.js'))?.active?.scriptURL ?? ''), WAIT)
      .toBe(`${h.node.httpUrl}/push-sw.js`);
    await expect.poll(() => toggle.getAttribute('data-status'), WAIT).not.toBe('working');
    // Headless Chromium refuses the subscription itself ("Registration failed - permission denied"; it has no
    // push service here): the toggle stays off and says why, rather than claiming notifications are on.
    // The subscription → token → encrypted delivery path is tested against the push-service stand-in
    // (packages/server/test/platform/webpush-notifications.test.ts).
    if ((await toggle.getAttribute('data-status')) !== 'on') expect(await toggle.getAttribute('title')).toMatch(/Registration failed|push service/i);

    // Deliver a push message to the worker as the browser's push service would (after decryption).
    const cdp = await context.newCDPSession(page);
    const registrations: Array<{ registrationId: string; scopeURL: string }> = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: Array<{ registrationId: string; scopeURL: string }> }) => registrations.push(...e.registrations));
    await cdp.send('ServiceWorker.enable');
    await expect.poll(() => registrations.length, WAIT).toBeGreaterThan(0);
    const payload = { title: 'ada', body: '2 new messages · see you at 8', badge: 3, conversationId: '42', tag: 'conversation-42', count: 2 };
    // A delivery is one-shot: on a loaded machine it can reach a worker that is still starting and be lost. So
    // while nothing is shown, deliver again to the newest registration (same tag: a repeat replaces, never adds).
    const deliver = () => cdp.send('ServiceWorker.deliverPushMessage', { origin: h.node.httpUrl, registrationId: registrations[registrations.length - 1]!.registrationId, data: JSON.stringify(payload) });
    await deliver();
    const shown = async () => {
      const list = await page.evaluate(async () => {
        const reg = await navigator.serviceWorker.getRegistration('/push-sw.js');
        return (await reg!.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data as unknown }));
      });
      if (list.length === 0) await deliver();
      return list;
    };
    await expect.poll(shown, WAIT).toEqual([{ title: 'ada', body: '2 new messages · see you at 8', tag: 'conversation-42', data: { conversationId: '42' } }]);
    await context.close();
  });
});
