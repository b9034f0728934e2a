/**
 * Per-user conversation settings in the web client, in headless Chromium
 * against a real server (in process, SQLite): pin, mute, archive from the
 * conversation menu, a draft typed in one tab and delete-for-me, all seen in a second tab
 * of the same user (its own device), which converges from the server.
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatPage } from './support/chat-page.js';
import { startWebHarness, type WebHarness } from './support/web-harness.js';

const WAIT = { timeout: 15_000, interval: 100 };

let h: WebHarness;

beforeAll(async () => {
  h = await startWebHarness('xinbox-web-settings-');
}, 10 * 60_000);

afterAll(async () => h?.close());

async function openUser(username: string): Promise<ChatPage & { context: BrowserContext }> {
  const { user, context } = await h.openUser(username, { viewport: { width: 960, height: 600 } });
  return Object.assign(user, { context });
}

const firstTitle = (u: ChatPage) => u.page.locator('[data-testid="conversation"]').first().getAttribute('data-title');

async function choose(u: ChatPage, title: string, item: string): Promise<void> {
  await u.page.getByRole('button', { name: `Options for ${title}` }).click();
  await u.page.getByRole('menuitem', { name: item }).click();
}

describe('conversation settings in the web client', () => {
  it('pins, mutes, archives and keeps drafts, the same in a second tab', async () => {
    const alice = await openUser('setalice');
    const bob = await openUser('setbob');
    await openUser('setcarol');
    await alice.startChat('setbob');
    await alice.send('to bob');
    await alice.startChat('setcarol');
    await alice.send('to carol');
    await expect.poll(() => firstTitle(alice), WAIT).toBe('setcarol');

    await choose(alice, 'setbob', 'Pin to top');
    await expect.poll(() => firstTitle(alice), WAIT).toBe('setbob');
    await choose(alice, 'setcarol', 'Mute');
    await expect.poll(() => alice.conversation('setcarol').getAttribute('aria-label'), WAIT).toContain('muted');

    // A draft typed in bob's chat, then the user switches away and back: it is restored.
    await alice.openConversation('setbob');
    await alice.composer().fill('half-written 草稿');
    await alice.page.waitForTimeout(1_000);
    await choose(alice, 'setcarol', 'Archive');
    await alice.page.getByTestId('archived-section').locator('summary').click();
    await alice.openConversation('setcarol');
    await alice.openConversation('setbob');
    await expect.poll(() => alice.composer().inputValue(), WAIT).toBe('half-written 草稿');

    // A second tab (its own device) shows the same state.
    const tab2 = new ChatPage(await alice.context.newPage(), 'setalice');
    tab2.page.setDefaultTimeout(15_000);
    await tab2.page.goto(h.node.httpUrl);
    await tab2.page.getByTestId('me').filter({ hasText: 'setalice' }).waitFor();
    await expect.poll(() => firstTitle(tab2), WAIT).toBe('setbob');
    await expect.poll(() => tab2.page.getByTestId('archived-section').locator('[data-testid="conversation"]').getAttribute('data-title'), WAIT).toBe('setcarol');
    await expect.poll(() => tab2.page.getByTestId('archived-section').locator('[data-testid="conversation"]').getAttribute('aria-label'), WAIT).toContain('muted');
    await tab2.openConversation('setbob');
    await expect.poll(() => tab2.composer().inputValue(), WAIT).toBe('half-written 草稿');

    // Delete for me in the second tab: gone in the first tab too, still there for bob.
    const msg = (u: ChatPage, t: string) => u.page.locator('[data-testid="message"][data-seq]', { hasText: t });
    await msg(tab2, 'to bob').hover();
    await msg(tab2, 'to bob').getByRole('button', { name: 'Delete for me' }).click();
    await expect.poll(() => msg(tab2, 'to bob').count(), WAIT).toBe(0);
    await expect.poll(() => msg(alice, 'to bob').count(), WAIT).toBe(0);
    await bob.openConversation('setalice');
    await expect.poll(() => bob.texts(), WAIT).toContain('to bob');

    // Unpinned in the second tab: the first tab follows without a reload.
    await choose(tab2, 'setbob', 'Unpin');
    await expect.poll(() => alice.page.locator('[data-pinned="true"]').count(), WAIT).toBe(0);
  });
});
