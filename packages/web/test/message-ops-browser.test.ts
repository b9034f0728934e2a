/**
 * Message operations in the web client, in headless Chromium against a real
 * server (in process, SQLite): reply with a quote, react, edit in place,
 * recall, each seen by the other person; and the unread fix: messages and
 * operations arriving in the conversation one is looking at never raise the
 * badge or the tab title (direct chat and group).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXinbox, type XinboxNode } from '@xinbox/server';
import { ChatPage } from './support/chat-page.js';
import { ensureChromium, launchChromium } from './support/chromium.js';
import { DIST_DIR, ensureWebBuild } from './support/web-build.js';

const PASSWORD = 'correct-horse-battery';
const WAIT = { timeout: 15_000, interval: 100 };

let node: XinboxNode | undefined;
let browser: Browser | undefined;
let dataDir: string | undefined;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const missing = ensureChromium();
  if (missing) throw new Error(missing);
  ensureWebBuild();
  dataDir = mkdtempSync(join(tmpdir(), 'xinbox-web-ops-'));
  node = await startXinbox({ host: '127.0.0.1', port: 0, tcpPort: -1, dataDir, storage: 'sqlite', logLevel: 'error', scryptCost: 10, webRoot: DIST_DIR });
  browser = await launchChromium();
}, 10 * 60_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await node?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function openUser(username: string): Promise<ChatPage & { context: BrowserContext }> {
  const context = await browser!.newContext({ viewport: { width: 960, height: 600 }, colorScheme: 'light' });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (err) => console.error(`[${username} page error]`, err.message));
  const user = new ChatPage(page, username);
  await user.register(node!.httpUrl, PASSWORD);
  return Object.assign(user, { context });
}

function message(user: ChatPage, text: string) {
  return user.page.locator('[data-testid="message"][data-seq]', { hasText: text });
}

describe('message operations in the web client', () => {
  it('reply, react, edit and recall reach the other person; none of it is unread in the open chat', async () => {
    const alice = await openUser('opsalice');
    const bob = await openUser('opsbob');
    await alice.startChat('opsbob');
    await alice.send('hello bob');
    await bob.openConversation('opsalice');
    await expect.poll(() => bob.texts(), WAIT).toEqual(['hello bob']);

    // Reply: the preview sits above the composer; the quote arrives with the message.
    await message(bob, 'hello bob').hover();
    await message(bob, 'hello bob').getByRole('button', { name: 'Reply' }).click();
    await bob.page.getByTestId('reply-preview').filter({ hasText: 'hello bob' }).waitFor();
    await bob.send('hi alice');
    await bob.page.getByTestId('reply-preview').waitFor({ state: 'detached' });
    await expect.poll(() => message(alice, 'hi alice').getByTestId('quote').textContent(), WAIT).toContain('hello bob');

    // React: a chip with the count on both sides.
    await message(bob, 'hello bob').getByRole('button', { name: 'React 👍' }).click();
    await expect.poll(() => message(alice, 'hello bob').locator('[data-testid="reaction"][data-emoji="👍"]').textContent(), WAIT).toContain('1');

    // Edit in place: the other side shows the new text, marked edited.
    await alice.send('draft');
    await expect.poll(() => bob.texts(), WAIT).toContain('draft');
    await message(alice, 'draft').getByRole('button', { name: 'Edit' }).click();
    await alice.page.getByTestId('edit-input').fill('final text');
    await alice.page.getByTestId('edit-input').press('Enter');
    await expect.poll(() => bob.texts(), WAIT).toEqual(['hello bob', 'hi alice', 'final text']);
    await message(bob, 'final text').getByTestId('edited').waitFor();

    // Recall: the text is gone everywhere, a placeholder stays.
    await message(alice, 'final text').getByRole('button', { name: 'Recall' }).click();
    await expect.poll(() => bob.texts(), WAIT).toEqual(['hello bob', 'hi alice']);
    await bob.page.locator('[data-recalled="true"]').filter({ hasText: 'opsalice recalled a message' }).waitFor();

    // Bob has been looking at the chat all along: no badge, no count in the title.
    expect(await bob.page.title()).toBe('Xinbox');
    expect(await bob.badge('opsalice').count()).toBe(0);
    // Alice, looking at hers, got a reply and a reaction: still nothing unread.
    expect(await alice.page.title()).toBe('Xinbox');

    // A new tab of Bob's browser is logged in already (a device of its own) and shows the same chat.
    const tab = await bob.context.newPage();
    await tab.goto(node!.httpUrl);
    await tab.getByTestId('me').filter({ hasText: 'opsbob' }).waitFor();
    const second = new ChatPage(tab, 'opsbob');
    await second.openConversation('opsalice');
    await expect.poll(() => second.texts(), WAIT).toEqual(['hello bob', 'hi alice']);
    // The first tab keeps its connection (its own device): it still receives.
    await alice.send('to both tabs');
    await expect.poll(() => bob.texts(), WAIT).toContain('to both tabs');
    await expect.poll(() => second.texts(), WAIT).toContain('to both tabs');
  });

  it('messages arriving in the group one is looking at do not stay unread', async () => {
    const carol = await openUser('unreadcarol');
    const dave = await openUser('unreaddave');
    await carol.createGroup('Unread group', ['unreaddave']);
    await carol.send('welcome');
    await dave.openConversation('Unread group');
    await expect.poll(() => dave.texts(), WAIT).toEqual(['welcome']);
    for (let i = 1; i <= 5; i++) await carol.send(`burst ${i}`);
    await expect.poll(() => dave.texts(), WAIT).toEqual(['welcome', 'burst 1', 'burst 2', 'burst 3', 'burst 4', 'burst 5']);
    // Give a late unread count time to show up before asserting it did not.
    await dave.page.waitForTimeout(1_000);
    expect(await dave.page.title()).toBe('Xinbox');
    expect(await dave.badge('Unread group').count()).toBe(0);
  });
});
