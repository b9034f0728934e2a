/**
 * The admin console (admin.html) in real Chromium against a real server: an
 * operator logs in with the admin token, finds a user, sees their logins and
 * connections, and bans them — the user's open chat tab loses its session at
 * once; lifting the ban lets them log in again. Usernames are unique per
 * app: the Users section's app picker finds and bans the user of a second app
 * while the same name in `default` stays connected.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCodes } from '@xinbox/protocol';
import { XinboxClient, type KickedEvent } from '@xinbox/sdk';
import { ChatPage } from './support/chat-page.js';
import { PASSWORD, startWebHarness, type WebHarness } from './support/web-harness.js';

const WAIT = { timeout: 20_000, interval: 100 };
const ADMIN_TOKEN = 'admin-console-test-token-0123456789';
let h: WebHarness;

beforeAll(async () => {
  h = await startWebHarness('xinbox-web-admin-', { adminToken: ADMIN_TOKEN });
}, 10 * 60_000);

afterAll(async () => h?.close());

describe('admin console', () => {
  it('bans a user from the console: their live session closes; unbanning lets them back in', async () => {
    const userContext = await h.browser.newContext();
    const user = new ChatPage(await userContext.newPage(), 'olga');
    user.page.setDefaultTimeout(20_000);
    await user.register(h.node.httpUrl, PASSWORD);

    const adminContext = await h.browser.newContext();
    const admin = await adminContext.newPage();
    admin.setDefaultTimeout(20_000);
    await admin.goto(`${h.node.httpUrl}/admin.html`);
    await admin.getByTestId('admin-token').fill('wrong-token');
    await admin.getByRole('button', { name: 'Log in' }).click();
    await admin.getByRole('alert').filter({ hasText: 'TOKEN_INVALID' }).waitFor();
    await admin.getByTestId('admin-token').fill(ADMIN_TOKEN);
    await admin.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => admin.getByTestId('admin-metrics').textContent(), WAIT).toMatch(/connections\s*1/);

    await admin.getByTestId('admin-user-query').fill('olga');
    await admin.getByRole('button', { name: 'Find' }).click();
    await expect.poll(() => admin.getByTestId('admin-user-state').textContent(), WAIT).toBe('active');
    // Her registration logged her in and connected: both are in the event log.
    await expect.poll(async () => {
      await admin.getByRole('button', { name: 'Find' }).click();
      return admin.locator('.admin__events tbody').textContent();
    }, WAIT).toMatch(/login.*connect/s);

    await admin.getByTestId('admin-ban').click();
    await expect.poll(() => admin.getByTestId('admin-user-state').textContent(), WAIT).toBe('banned');
    // Her tab loses its connection for good, with the reason.
    await expect.poll(() => user.page.getByTestId('connection-banner').getAttribute('data-state'), WAIT).toBe('closed');

    await admin.getByTestId('admin-ban').click();
    await expect.poll(() => admin.getByTestId('admin-user-state').textContent(), WAIT).toBe('active');
    const again = await fetch(`${h.node.httpUrl}/v1/login`, { method: 'POST', body: JSON.stringify({ username: 'olga', password: PASSWORD, deviceId: 'olga-2' }) });
    expect(again.status).toBe(200);
    await userContext.close();
    await adminContext.close();
  });

  it('bans the user of a second app picked in the Users section: only that app\'s session closes', async () => {
    const created = await fetch(`${h.node.httpUrl}/v1/admin/apps`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ id: 'console-b', name: 'Console B' }),
    });
    expect(created.status).toBe(201);
    const twin = async (appId: string) => {
      const c = new XinboxClient({ baseUrl: h.node.httpUrl, deviceId: `nadia-${appId}`, platform: 'desktop', accessUrl: false, appId });
      await c.register('nadia', PASSWORD);
      await c.login('nadia', PASSWORD);
      await c.connect();
      return c;
    };
    const inDefault = await twin('default');
    const inB = await twin('console-b');
    let defaultKicked: KickedEvent | null = null;
    inDefault.on('kicked', (e) => (defaultKicked = e));
    const bKicked = new Promise<KickedEvent>((r) => inB.on('kicked', r));

    const adminContext = await h.browser.newContext();
    const admin = await adminContext.newPage();
    admin.setDefaultTimeout(20_000);
    await admin.goto(`${h.node.httpUrl}/admin.html`);
    await admin.getByTestId('admin-token').fill(ADMIN_TOKEN);
    await admin.getByRole('button', { name: 'Log in' }).click();
    const picker = admin.getByTestId('admin-user-app');
    await expect.poll(() => picker.locator('option').allTextContents(), WAIT).toContain('console-b');
    // `default` first: its nadia.
    await admin.getByTestId('admin-user-query').fill('nadia');
    await admin.getByRole('button', { name: 'Find' }).click();
    await expect.poll(() => admin.getByTestId('admin-user-app-of').textContent(), WAIT).toBe('default');
    // Then app B's, banned from the console.
    await picker.selectOption('console-b');
    await admin.getByRole('button', { name: 'Find' }).click();
    await expect.poll(() => admin.getByTestId('admin-user-app-of').textContent(), WAIT).toBe('console-b');
    await admin.getByTestId('admin-ban').click();
    await expect.poll(() => admin.getByTestId('admin-user-state').textContent(), WAIT).toBe('banned');
    expect((await bKicked).code).toBe(CloseCodes.BANNED.code);
    // The `default` nadia is untouched: still active, still connected.
    await picker.selectOption('default');
    await admin.getByRole('button', { name: 'Find' }).click();
    await expect.poll(() => admin.getByTestId('admin-user-app-of').textContent(), WAIT).toBe('default');
    expect(await admin.getByTestId('admin-user-state').textContent()).toBe('active');
    expect(defaultKicked).toBeNull();
    await inDefault.listConversations(); // a round trip on its live connection
    expect(defaultKicked).toBeNull();
    await inDefault.close();
    await inB.close();
    await adminContext.close();
  });
});
