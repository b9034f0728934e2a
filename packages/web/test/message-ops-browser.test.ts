/**
 * Message operations in the web client, in headless Chromium against a real
 * server (in process, SQLite): reply with a quote, react, edit in place,
 * recall, each seen by the other person; and the unread fix: messages and
 * operations arriving in the conversation one is looking at never raise the
 * badge or the tab title (direct chat and group).
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatPage } from './support/chat-page.js';
import { startWebHarness, type WebHarness } from './support/web-harness.js';

const WAIT = { timeout: 15_000, interval: 100 };

let harness: WebHarness | undefined;
beforeAll(async () => {
  harness = await startWebHarness('xinbox-web-ops-');
}, 10 * 60_000);
afterAll(async () => harness?.close());

async function openUser(username: string): Promise<ChatPage & { context: BrowserContext }> {
  const { user, context } = await harness!.openUser(username, { viewport: { width: 960, height: 600 } });
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
    await tab.goto(harness!.node.httpUrl);
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

  it('a group owner recalls and pins a member\'s message from the message menu; a member sees neither action on others\' messages', async () => {
    const owner = await openUser('ownerolga');
    const member = await openUser('memberpeter');
    await owner.createGroup('Moderated group', ['memberpeter']);
    await owner.send('rules: be kind');
    await member.openConversation('Moderated group');
    await member.send('something rude');
    await member.send('something fine');
    await expect.poll(() => owner.texts(), WAIT).toEqual(['rules: be kind', 'something rude', 'something fine']);

    // The member's menu on the owner's message: no Recall, no Pin.
    await message(member, 'rules: be kind').hover();
    await message(member, 'rules: be kind').getByTestId('message-actions').waitFor();
    expect(await message(member, 'rules: be kind').getByRole('button', { name: 'Recall' }).count()).toBe(0);
    expect(await message(member, 'rules: be kind').getByRole('button', { name: 'Pin' }).count()).toBe(0);

    // The owner pins the member's fine message and recalls the rude one.
    await message(owner, 'something fine').hover();
    await message(owner, 'something fine').getByRole('button', { name: 'Pin', exact: true }).click();
    await expect.poll(() => message(owner, 'something fine').getByRole('button', { name: 'Unpin' }).count(), WAIT).toBe(1);
    await message(owner, 'something rude').hover();
    await message(owner, 'something rude').getByRole('button', { name: 'Recall' }).click();
    await expect.poll(() => member.texts(), WAIT).toEqual(['rules: be kind', 'something fine']);
    await member.page.locator('[data-recalled="true"]').filter({ hasText: 'ownerolga recalled a message' }).waitFor();
    await owner.page.locator('[data-recalled="true"]').filter({ hasText: 'You recalled a message' }).waitFor();
  });
});
