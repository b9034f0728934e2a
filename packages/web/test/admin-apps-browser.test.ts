/**
 * The admin console's Apps section in real Chromium against a real server:
 * create an app (its secret shown once, copied with the button, matching
 * the digest the list shows), rotate and retire a secret, edit the app's
 * webhook and limits (a bad signing secret is refused with the server's
 * message; the saved secret is shown masked only), and `default` stays
 * read-only.
 */
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHarness, type WebHarness } from './support/web-harness.js';

const WAIT = { timeout: 20_000, interval: 100 };
const ADMIN_TOKEN = 'admin-apps-test-token-0123456789';
const SIGNING = 'shop-web-signing-secret-0123';
const digest = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);

let h: WebHarness;

beforeAll(async () => {
  h = await startWebHarness('xinbox-web-admin-apps-', { adminToken: ADMIN_TOKEN });
}, 10 * 60_000);

afterAll(async () => {
  await h?.close();
});

async function adminPage(): Promise<Page> {
  const context = await h.browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.node.httpUrl });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${h.node.httpUrl}/admin.html`);
  await page.getByTestId('admin-token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('admin-apps').waitFor();
  return page;
}

const appRow = (page: Page, id: string) => page.locator(`[data-testid="admin-app"][data-app-id="${id}"]`);
const digests = async (page: Page, id: string) => (await appRow(page, id).locator('[data-testid="admin-app-digest"] code').allTextContents());

async function appJson(id: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${h.node.httpUrl}/v1/admin/apps/${id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return ((await res.json()) as { app: Record<string, unknown> }).app;
}

describe('admin console: apps', () => {
  it('creates an app showing its secret once, rotates and retires secrets; default is read-only', async () => {
    const page = await adminPage();
    const apps = page.getByTestId('admin-apps');
    await appRow(page, 'default').waitFor();
    expect(await appRow(page, 'default').getByRole('button', { name: 'Rotate secret' }).count()).toBe(0);
    expect(await appRow(page, 'default').textContent()).toContain('from the server config');

    await apps.getByLabel('New app id').fill('shop-web');
    await apps.getByLabel('New app name').fill('Web Shop');
    await apps.getByRole('button', { name: 'Create app' }).click();
    const shown = page.getByTestId('admin-app-secret-value');
    const secret = (await shown.textContent())!;
    expect(secret).toMatch(/^xbs_/);
    await page.getByTestId('admin-app-secret').getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText()), WAIT).toBe(secret);
    await expect.poll(() => digests(page, 'shop-web'), WAIT).toEqual([digest(secret)]);
    await page.getByTestId('admin-app-secret').getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('admin-app-secret').count()).toBe(0);
    // The secret is nowhere on the page any more.
    expect(await page.content()).not.toContain(secret);

    await appRow(page, 'shop-web').getByRole('button', { name: 'Rotate secret' }).click();
    const second = (await page.getByTestId('admin-app-secret-value').textContent())!;
    expect(second).not.toBe(secret);
    await expect.poll(() => digests(page, 'shop-web'), WAIT).toEqual([digest(secret), digest(second)]);
    await appRow(page, 'shop-web').getByRole('button', { name: `Retire ${digest(secret)}` }).click();
    await expect.poll(() => digests(page, 'shop-web'), WAIT).toEqual([digest(second)]);
    // The last secret cannot be retired: no button for it.
    expect(await appRow(page, 'shop-web').getByRole('button', { name: /^Retire / }).count()).toBe(0);

    // A taken id: the server's error is shown.
    await apps.getByLabel('New app id').fill('shop-web');
    await apps.getByRole('button', { name: 'Create app' }).click();
    await expect.poll(() => apps.getByRole('alert').textContent(), WAIT).toContain('APP_ID_TAKEN');
    await page.context().close();
  });

  it('edits an app\'s webhook and limits; a bad signing secret is refused with the server\'s message', async () => {
    const page = await adminPage();
    const row = appRow(page, 'shop-web');
    await row.waitFor();
    await row.getByRole('button', { name: 'Edit shop-web' }).click();
    const editor = row.getByTestId('admin-app-editor');
    await editor.getByLabel('Webhook URL').fill('https://hooks.example.com/shop-web');
    await editor.getByLabel('Signing secret').fill('too-short');
    await editor.getByLabel('Events').fill('message.sent,user.*');
    await editor.getByLabel('limitSendPerUser').fill('7');
    await editor.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('admin-apps').getByRole('alert').textContent(), WAIT).toMatch(/INVALID_ARGUMENT: .*at least 16 characters/);
    expect((await appJson('shop-web')).webhook).toBeNull();

    await editor.getByLabel('Signing secret').fill(SIGNING);
    await editor.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => row.getByTestId('admin-app-webhook').textContent(), WAIT)
      .toBe('Webhook: https://hooks.example.com/shop-web [message.sent,user.*] signed with …0123');
    expect(await row.getByTestId('admin-app-limits').textContent()).toBe('Limits: limitSendPerUser=7');
    expect(await page.content()).not.toContain(SIGNING);
    expect(await appJson('shop-web')).toMatchObject({ limits: { limitSendPerUser: 7 }, webhook: { url: 'https://hooks.example.com/shop-web', events: 'message.sent,user.*' } });

    // Editing again without a secret keeps the stored one.
    await row.getByRole('button', { name: 'Edit shop-web' }).click();
    await row.getByTestId('admin-app-editor').getByLabel('Webhook URL').fill('https://hooks.example.com/v2');
    await row.getByTestId('admin-app-editor').getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => row.getByTestId('admin-app-webhook').textContent(), WAIT).toContain('https://hooks.example.com/v2 [message.sent,user.*] signed with …0123');
    expect(await row.getByTestId('admin-app-before-send').textContent()).toBe('Before-send check: none (every message admitted)');

    // The app's before-send check: checked like the config's (timeout range), then shown.
    await row.getByRole('button', { name: 'Edit shop-web' }).click();
    const hookEditor = row.getByTestId('admin-app-editor');
    await hookEditor.getByLabel('Before-send URL').fill('https://hooks.example.com/check');
    await hookEditor.getByLabel('Before-send timeout').fill('5');
    await hookEditor.getByLabel('Before-send on failure').selectOption('reject');
    await hookEditor.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('admin-apps').getByRole('alert').textContent(), WAIT).toMatch(/INVALID_ARGUMENT: .*beforeSend\.timeoutMs/);
    await hookEditor.getByLabel('Before-send timeout').fill('800');
    await hookEditor.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => row.getByTestId('admin-app-before-send').textContent(), WAIT)
      .toBe('Before-send check: https://hooks.example.com/check · 800 ms · on failure reject');
    expect((await appJson('shop-web')).webhook).toMatchObject({ beforeSend: { url: 'https://hooks.example.com/check', timeoutMs: 800, onFailure: 'reject' } });
    await page.context().close();
  });
});
