/**
 * The web client end to end: a real Xinbox server (in-process, SQLite in a
 * temp dir) serving the built app, and headless Chromium with two browser
 * contexts as two people. Everything goes through the UI; assertions count
 * what is in the DOM, so a duplicated or lost message fails the test.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, startWebHarness, type WebHarness } from './support/web-harness.js';

const WAIT = { timeout: 15_000, interval: 100 };

let web: WebHarness;

beforeAll(async () => {
  web = await startWebHarness('xinbox-web-', {
    // Chromium's offline mode stalls an open WebSocket rather than closing it,
    // as a real network loss does; the SDK notices by heartbeat silence, so a
    // short heartbeat contract keeps that within the test's time budget.
    pingIntervalMs: 1_000,
    heartbeatTimeoutMs: 3_000,
  });
}, 10 * 60_000);

afterAll(async () => {
  await web?.close();
});

const openUser = (username: string, viewport?: { width: number; height: number }) => web.openUser(username, { viewport });

describe('web client in Chromium', () => {
  it('two people chat: unread, receipts, typing, offline catch-up, history paging, themes', async () => {
    const { user: alice } = await openUser('alice');
    const { user: bob, context: bobContext } = await openUser('bob');

    // The app is served at / and the tab title has no unread count yet.
    expect(await bob.page.title()).toBe('Xinbox');

    // Alice starts the chat; Bob, on his conversation list, gets an unread badge.
    await alice.startChat('bob');
    await alice.send('Hello Bob');
    await expect.poll(() => alice.delivered().count(), WAIT).toBe(1);
    await expect.poll(() => bob.badge('alice').textContent(), WAIT).toBe('1');
    await expect.poll(() => bob.page.title(), WAIT).toBe('(1) Xinbox');
    await bob.page.screenshot({ path: join(ARTIFACTS, 'unread-badge.png') });

    // Opening the chat reads it: the badge and the title count clear, Alice sees ✓✓.
    await bob.openConversation('alice');
    await expect.poll(() => bob.badge('alice').count(), WAIT).toBe(0);
    await expect.poll(() => bob.page.title(), WAIT).toBe('Xinbox');
    await expect.poll(() => alice.page.locator('[data-seq="1"] [data-receipt]').getAttribute('data-receipt'), WAIT).toBe('read');

    // Typing shows on the other side; then the reply arrives.
    await bob.composer().pressSequentially('Hi Alice');
    await expect.poll(() => alice.page.getByTestId('typing').textContent(), WAIT).toContain('bob is typing');
    await bob.composer().press('Enter');
    await expect.poll(() => alice.texts(), WAIT).toEqual(['Hello Bob', 'Hi Alice']);
    await expect.poll(() => bob.texts(), WAIT).toEqual(['Hello Bob', 'Hi Alice']);
    await expect.poll(() => alice.page.getByTestId('typing').textContent(), WAIT).toBe('');
    // Alice has the chat open: no unread piles up there.
    expect(await alice.badge('bob').count()).toBe(0);

    // Bob goes offline: the banner says so; Alice writes meanwhile, Bob writes too (queued).
    await bobContext.setOffline(true);
    await bob.banner().waitFor();
    // ...and the SDK itself notices the dead connection and starts reconnecting.
    await bob.page.locator('[data-testid="connection-banner"][data-state="reconnecting"]').waitFor();
    for (const t of ['away 1', 'away 2', 'away 3']) await alice.send(t);
    await expect.poll(() => alice.delivered().count(), WAIT).toBe(5);
    await bob.send('written offline');
    await expect.poll(() => bob.pending().count(), WAIT).toBe(1);
    await bob.page.screenshot({ path: join(ARTIFACTS, 'offline-banner.png') });
    await bobContext.setOffline(false);

    // Back online: everything arrives exactly once on both sides, in order.
    const expected = ['Hello Bob', 'Hi Alice', 'away 1', 'away 2', 'away 3', 'written offline'];
    await expect.poll(() => bob.texts(), { timeout: 30_000, interval: 200 }).toEqual(expected);
    await expect.poll(() => alice.texts(), WAIT).toEqual(expected);
    await bob.banner().waitFor({ state: 'detached' });
    expect(await bob.pending().count()).toBe(0);
    expect(await bob.delivered().count()).toBe(6);
    expect(await alice.delivered().count()).toBe(6);

    // History: 12 more messages, Bob reloads, only the newest page is shown; scrolling up brings the rest.
    const more = Array.from({ length: 12 }, (_, i) => `history ${i + 1}`);
    for (const t of more) await alice.send(t);
    const all = [...expected, ...more];
    await expect.poll(() => bob.texts(), WAIT).toEqual(all);
    await bob.page.reload();
    await bob.page.getByTestId('chat-title').filter({ hasText: 'alice' }).waitFor();
    await expect.poll(() => bob.delivered().count(), WAIT).toBeGreaterThanOrEqual(10);
    const firstPage = await bob.texts();
    expect(firstPage.length).toBeLessThan(all.length);
    expect(firstPage).toEqual(all.slice(all.length - firstPage.length));
    for (let i = 0; i < 10 && (await bob.delivered().count()) < all.length; i++) {
      await bob.scrollHistoryToTop();
      await bob.page.waitForTimeout(300);
    }
    await expect.poll(() => bob.texts(), WAIT).toEqual(all);
    await bob.page.getByText('Beginning of the conversation').waitFor();

    // Emoji from the picker row (keyboard only), and an image sent as a URL reference.
    await bob.page.getByRole('button', { name: 'Show emoji' }).click();
    await bob.page.getByRole('toolbar', { name: 'Emoji' }).getByRole('button').first().focus();
    await bob.page.keyboard.press('ArrowRight');
    await bob.page.keyboard.press('ArrowRight');
    await bob.page.keyboard.press('Enter');
    await bob.composer().press('End');
    await bob.composer().pressSequentially(' nice history');
    await bob.composer().press('Enter');
    await bob.page.getByRole('button', { name: 'Send a link to media hosted elsewhere' }).click();
    const attach = bob.page.getByRole('dialog', { name: 'Link to media' });
    await attach.getByLabel('Address (URL)').fill('https://example.org/photos/cat.png');
    await attach.getByRole('button', { name: 'Send image' }).click();
    await expect.poll(() => alice.texts(), WAIT).toEqual([...all, '😊 nice history']);
    await alice.page.getByTestId('media').filter({ hasText: 'cat.png' }).waitFor();
    await expect.poll(() => alice.delivered().count(), WAIT).toBe(all.length + 2);
    await expect.poll(() => bob.page.locator('[data-testid="message"][data-own="true"] [data-receipt="read"]').count(), WAIT).toBe(4);

    // Light and dark themes, desktop and phone width.
    await alice.page.screenshot({ path: join(ARTIFACTS, 'chat-light.png') });
    await alice.page.emulateMedia({ colorScheme: 'dark' });
    await alice.page.screenshot({ path: join(ARTIFACTS, 'chat-dark.png') });
    await bob.page.emulateMedia({ colorScheme: 'dark' });
    await bob.page.setViewportSize({ width: 360, height: 740 });
    await bob.page.screenshot({ path: join(ARTIFACTS, 'phone-chat-dark.png') });
    await bob.page.getByRole('button', { name: 'Back to conversations' }).click();
    await bob.conversation('alice').waitFor();
    expect(await bob.page.getByTestId('chat-title').count()).toBe(0);
    await bob.page.screenshot({ path: join(ARTIFACTS, 'phone-list-dark.png') });
  });

  it('groups and the live-room screen', async () => {
    const { user: carol } = await openUser('carol');
    const { user: dave } = await openUser('dave');

    await carol.createGroup('Weekend plans', ['dave']);
    await carol.send('Who is in?');
    await expect.poll(() => dave.badge('Weekend plans').textContent(), WAIT).toBeTruthy();
    await dave.openConversation('Weekend plans');
    await expect.poll(() => dave.texts(), WAIT).toContain('Who is in?');
    await dave.send('Me 🙋');
    await expect.poll(() => carol.texts(), WAIT).toEqual(['Who is in?', 'Me 🙋']);

    // Member list, closed with Esc.
    await dave.page.getByRole('button', { name: 'Members' }).click();
    const members = dave.page.getByRole('dialog');
    await members.getByRole('list', { name: 'Members' }).getByText('carol').waitFor();
    await members.getByText('dave (you)').waitFor();
    await dave.page.screenshot({ path: join(ARTIFACTS, 'group-members.png') });
    await dave.page.keyboard.press('Escape');
    await members.waitFor({ state: 'detached' });

    // Live rooms: a server without them answers UNKNOWN_OPERATION and the screen
    // says so; one with them joins (or explains that no such room is open).
    await dave.page.getByRole('button', { name: 'Live room' }).click();
    await dave.page.getByRole('button', { name: 'Join', exact: true }).click();
    const unavailable = dave.page.getByTestId('rooms-unavailable');
    const joined = dave.page.getByRole('heading', { name: 'Live room: lobby' });
    const notOpen = dave.page.getByTestId('room-error');
    await unavailable.or(joined).or(notOpen).waitFor();
    if (await unavailable.isVisible()) expect(await unavailable.textContent()).toContain('Live rooms are unavailable');
    if (await notOpen.isVisible()) expect(await notOpen.textContent()).toContain('no open live room');
    await dave.page.screenshot({ path: join(ARTIFACTS, 'live-room.png') });
  });
});
