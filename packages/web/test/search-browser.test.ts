/**
 * Search, @mentions and group read receipts in the web client, end to end:
 * a real Xinbox node serving the built app, headless Chromium, two people.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatPage } from './support/chat-page.js';
import { startWebHarness, type WebHarness } from './support/web-harness.js';

const WAIT = { timeout: 15_000, interval: 100 };

let harness: WebHarness | undefined;
beforeAll(async () => {
  harness = await startWebHarness('xinbox-web-search-');
}, 10 * 60_000);
afterAll(async () => harness?.close());

async function openUser(username: string): Promise<ChatPage> {
  return (await harness!.openUser(username, { viewport: { width: 1100, height: 700 } })).user;
}

describe('web client: search, @mentions, group receipts', () => {
  it('finds Chinese and English messages with highlights, mentions with autocomplete and badge, @all only for the owner, receipts by name', async () => {
    const ann = await openUser(`ann${Date.now() % 100000}`);
    const ben = await openUser(`ben${Date.now() % 100000}`);
    await ann.createGroup('Budget team', [ben.username]);
    await ann.send('季度预算报告在这里');
    await ann.send('The budget meeting is at 3');
    await ann.startChat(ben.username); // ann looks elsewhere, so the group's badge shows

    // Search everything, Chinese then English; a hit opens its conversation.
    await expect.poll(() => ben.badge('Budget team').textContent(), WAIT).toBeTruthy();
    await ben.page.getByRole('button', { name: 'Search messages' }).click();
    const panel = ben.page.getByRole('dialog', { name: 'Search messages' });
    await panel.getByRole('searchbox').fill('预算');
    await panel.getByRole('searchbox').press('Enter');
    await expect.poll(() => panel.getByTestId('search-hit').count(), WAIT).toBe(1);
    expect(await panel.locator('mark').allInnerTexts()).toEqual(['预算']);
    await panel.getByRole('searchbox').fill('BUDGET');
    await panel.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => panel.locator('mark').allInnerTexts(), WAIT).toEqual(['budget']);
    await panel.getByRole('searchbox').fill('nothing like this');
    await panel.getByRole('searchbox').press('Enter');
    await expect.poll(() => panel.getByTestId('search-count').textContent(), WAIT).toContain('No messages found');
    await panel.getByRole('searchbox').fill('报告');
    await panel.getByRole('searchbox').press('Enter');
    await panel.getByTestId('search-hit').first().click();
    await ben.page.getByTestId('chat-title').filter({ hasText: 'Budget team' }).waitFor();

    // Search within the open conversation.
    await ben.page.getByRole('button', { name: 'Search', exact: true }).click();
    const inChat = ben.page.getByRole('dialog', { name: 'Search in Budget team' });
    await inChat.getByRole('searchbox').fill('meeting');
    await inChat.getByRole('searchbox').press('Enter');
    await expect.poll(() => inChat.getByTestId('search-snippet').allInnerTexts(), WAIT).toEqual(['The budget meeting is at 3']);
    await inChat.getByRole('button', { name: 'Close dialog' }).click();
    await inChat.waitFor({ state: 'detached' });

    // Group receipts: ann's last message was read by ben.
    await ann.openConversation('Budget team');
    await expect.poll(() => ann.page.getByTestId('group-receipts').textContent(), WAIT).toBe(`Read by ${ben.username}`);
    await ann.startChat(ben.username);

    // @mention autocomplete: a member gets no @all, picks ann with the keyboard.
    await ben.composer().fill('');
    await ben.composer().pressSequentially('@a');
    const list = ben.page.getByTestId('mention-list');
    await expect.poll(() => list.getByRole('option').allInnerTexts(), WAIT).toEqual([`@${ann.username}`]);
    await ben.composer().press('Enter');
    expect(await ben.composer().inputValue()).toBe(`@${ann.username} `);
    await ben.composer().pressSequentially('please check');
    await ben.composer().press('Enter');
    await expect.poll(() => ben.texts(), WAIT).toContain(`@${ann.username} please check`);

    // ann sees the mention badge in the list, then the marked message.
    await expect.poll(() => ann.badge('Budget team').textContent(), WAIT).toContain('@');
    await ann.openConversation('Budget team');
    await expect.poll(() => ann.page.locator('[data-testid="message"][data-mentioned="true"] .msg__text').allInnerTexts(), WAIT).toEqual([`@${ann.username} please check`]);

    // The owner may mention @all.
    await ann.composer().pressSequentially('@al');
    await expect.poll(() => ann.page.getByTestId('mention-list').getByRole('option').allInnerTexts(), WAIT).toEqual(['@all (everyone)']);
    await ann.composer().press('Tab');
    await ann.composer().pressSequentially('lunch is here');
    await ann.composer().press('Enter');
    await ann.startChat(ben.username);
    await ben.page.getByRole('button', { name: 'New chat' }).waitFor();
    await expect.poll(() => ben.page.locator('[data-testid="message"][data-mentioned="true"] .msg__text').allInnerTexts(), WAIT).toContain('@all lunch is here');
  });

  it('a host opens a live room from the web client, mutes and removes viewers, pins, and closes it', async () => {
    const host = await openUser(`host${Date.now() % 100000}`);
    const viewer = await openUser(`view${Date.now() % 100000}`);
    const roomId = `party-${Date.now() % 100000}`;

    await host.page.getByRole('button', { name: 'Live room' }).click();
    await host.page.getByLabel('Room id').fill(roomId);
    await host.page.getByRole('button', { name: 'Open as host' }).click();
    await host.page.getByRole('heading', { name: `Live room: ${roomId}` }).waitFor();
    await host.page.getByTestId('room-host').waitFor();

    await viewer.page.getByRole('button', { name: 'Live room' }).click();
    await viewer.page.getByLabel('Room id').fill(roomId);
    await viewer.page.getByRole('button', { name: 'Join', exact: true }).click();
    await viewer.page.getByRole('heading', { name: `Live room: ${roomId}` }).waitFor();
    expect(await viewer.page.getByTestId('room-host').count()).toBe(0);
    await viewer.page.getByLabel(`Send to room ${roomId}`).fill('hello host');
    await viewer.page.getByLabel(`Send to room ${roomId}`).press('Enter');

    await host.page.getByRole('button', { name: /^Mute / }).click();
    await expect.poll(() => host.page.getByTestId('room-host-status').textContent(), WAIT).toContain('muted');
    await viewer.page.getByText('You are muted in this room for now.').waitFor();
    await host.page.getByRole('button', { name: 'Unmute' }).click();
    await expect.poll(() => viewer.page.getByText('You are muted in this room for now.').count(), WAIT).toBe(0);

    await host.page.getByLabel('Pinned message').fill('Welcome to the party');
    await host.page.getByRole('button', { name: 'Pin', exact: true }).click();
    await expect.poll(() => host.page.getByTestId('room-host-status').textContent(), WAIT).toBe('Pinned.');

    await host.page.getByRole('button', { name: 'Close room' }).click();
    await viewer.page.getByText('The room was closed by its host.').waitFor();
  });

  it('jumps from a search hit to an old message: loads the history around it, scrolls it into view, highlights it; days are separated', async () => {
    const ann = await openUser(`jann${Date.now() % 100000}`);
    const ben = await openUser(`jben${Date.now() % 100000}`);
    await ann.startChat(ben.username);
    await ann.send('the needle-early 针 message');
    for (let i = 1; i <= 30; i++) await ann.send(`filler ${i}`);
    await expect.poll(() => ann.texts(), WAIT).toContain('filler 30');

    // Ben reloads after the messages arrived: the page holds none of them (they are before his sync cursor), so
    // the jump must page the history back to the hit (HISTORY_PAGE is 10).
    await ben.conversation(ann.username).waitFor();
    await ben.page.reload();
    await ben.conversation(ann.username).waitFor();
    await ben.page.getByRole('button', { name: 'Search messages' }).click();
    const panel = ben.page.getByRole('dialog', { name: 'Search messages' });
    await panel.getByRole('searchbox').fill('needle-early');
    await panel.getByRole('searchbox').press('Enter');
    await expect.poll(() => panel.getByTestId('search-hit').count(), WAIT).toBe(1);
    await panel.getByTestId('search-hit').click();
    await ben.page.getByTestId('chat-title').filter({ hasText: ann.username }).waitFor();

    const target = ben.page.locator('[data-testid="message"][data-highlighted="true"]');
    await expect.poll(() => target.locator('.msg__text').allInnerTexts(), WAIT).toEqual(['the needle-early 针 message']);
    // Everything from the target to the newest message is held (one gap-free range), the target in view.
    await expect.poll(async () => (await ben.texts()).length, WAIT).toBe(31);
    const list = await ben.page.getByTestId('messages').boundingBox();
    const box = await target.boundingBox();
    expect(box!.y).toBeGreaterThanOrEqual(list!.y - 1);
    expect(box!.y + box!.height).toBeLessThanOrEqual(list!.y + list!.height + 1);
    // One date separator above today's messages.
    expect(await ben.page.getByTestId('date-separator').allInnerTexts()).toEqual(['Today']);
    // The mark fades after a few seconds.
    await expect.poll(() => target.count(), { timeout: 10_000, interval: 200 }).toBe(0);
  });
});
