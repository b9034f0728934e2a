/**
 * The web client's friend-request UI, agent workbench and item card, end to
 * end: a real Xinbox server serving the built app, headless Chromium with one
 * browser context per person, and SDK clients (Node) as customers and buyers.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceStatus } from '@xinbox/protocol';
import { XinboxClient, textOf } from '@xinbox/sdk';
import type { ChatPage } from './support/chat-page.js';
import { ARTIFACTS, PASSWORD, startWebHarness, type WebHarness } from './support/web-harness.js';

const WAIT = { timeout: 15_000, interval: 100 };

let harness: WebHarness | undefined;
const sdkClients: XinboxClient[] = [];
beforeAll(async () => {
  harness = await startWebHarness('xinbox-web-service-');
}, 10 * 60_000);
afterAll(async () => {
  for (const c of sdkClients) await c.close().catch(() => undefined);
  await harness?.close();
});

async function openUser(username: string): Promise<ChatPage> {
  return (await harness!.openUser(username, { viewport: { width: 1100, height: 700 } })).user;
}

/** A user on the SDK in this process (a customer or a buyer). */
async function sdkUser(username: string): Promise<XinboxClient> {
  const client = new XinboxClient({ baseUrl: harness!.node.httpUrl, deviceId: `${username}-node`, platform: 'desktop', accessUrl: false });
  sdkClients.push(client);
  await client.register(username, PASSWORD);
  await client.login(username, PASSWORD);
  await client.connect();
  return client;
}

describe('web client: friends, agent workbench, item cards', () => {
  it('sends, answers and cancels friend requests, and manages the blocklist, between two browsers', async () => {
    const alice = await openUser('fr_alice');
    const bob = await openUser('fr_bob');
    await openUser('fr_carol');

    await alice.page.getByRole('button', { name: 'Friends' }).click();
    const add = alice.page.getByRole('form', { name: 'Add a friend' });
    await add.getByLabel('Username').fill('fr_bob');
    await add.getByLabel('Note').fill('我是 Alice, 加个好友');
    await add.getByRole('button', { name: 'Send friend request' }).click();
    await alice.page.getByTestId('outgoing-requests').locator('[data-peer="fr_bob"]').waitFor();
    // A request to carol, cancelled again.
    await add.getByLabel('Username').fill('fr_carol');
    await add.getByRole('button', { name: 'Send friend request' }).click();
    const toCarol = alice.page.getByTestId('outgoing-requests').locator('[data-peer="fr_carol"]');
    await toCarol.getByRole('button', { name: 'Cancel' }).click();
    await toCarol.waitFor({ state: 'detached' });
    // An unknown name is refused with a message.
    await add.getByLabel('Username').fill('fr_nobody');
    await add.getByRole('button', { name: 'Send friend request' }).click();
    await expect.poll(() => add.getByRole('alert').textContent(), WAIT).toContain('No user named fr_nobody');

    // Bob sees the request with its note, live, and accepts it.
    await bob.page.getByRole('button', { name: 'Friends' }).click();
    const fromAlice = bob.page.getByTestId('incoming-requests').locator('[data-peer="fr_alice"]');
    await expect.poll(() => fromAlice.textContent(), WAIT).toContain('我是 Alice, 加个好友');
    await bob.page.screenshot({ path: join(ARTIFACTS, 'friend-request.png') });
    await fromAlice.getByRole('button', { name: 'Accept' }).click();
    await bob.page.getByTestId('friend-list').locator('[data-peer="fr_alice"]').waitFor();
    // Alice's screen follows without a reload: the request is gone, Bob is a friend.
    await alice.page.getByTestId('friend-list').locator('[data-peer="fr_bob"]').waitFor();
    await alice.page.getByTestId('outgoing-requests').locator('[data-peer="fr_bob"]').waitFor({ state: 'detached' });

    // Blocklist: Bob blocks carol, sees her listed, unblocks her.
    const blockForm = bob.page.getByRole('form', { name: 'Block a user' });
    await blockForm.getByLabel('Username').fill('fr_carol');
    await blockForm.getByRole('button', { name: 'Block' }).click();
    const carolRow = bob.page.getByTestId('blocklist').locator('[data-peer="fr_carol"]');
    await carolRow.waitFor();
    await carolRow.getByRole('button', { name: 'Unblock' }).click();
    await carolRow.waitFor({ state: 'detached' });
  });

  it('routes a customer to the agent\'s workbench; the agent answers, transfers nothing and closes', async () => {
    const agent = await openUser('desk_agent');
    const page = agent.page;
    await page.getByRole('button', { name: 'Service desk' }).click();
    const create = page.getByRole('form', { name: 'Create a shop' });
    await create.getByLabel('Shop name').fill('小米之家');
    await create.getByRole('button', { name: 'Create shop' }).click();
    const desk = page.getByTestId('workbench').locator('[data-shop]');
    await desk.waitFor();
    const shopId = (await desk.getAttribute('data-shop'))!;
    // The admin makes themself an agent, then goes available.
    const addAgent = page.getByRole('form', { name: 'Add an agent' });
    await addAgent.getByLabel('Agent username').fill('desk_agent');
    await addAgent.getByRole('button', { name: 'Add agent (shop admin)' }).click();
    await page.getByTestId('service-agents').locator('[data-agent="desk_agent"]').waitFor();
    await page.getByRole('button', { name: 'Start taking customers' }).click();
    await page.locator('[data-testid="availability"][data-available="yes"]').waitFor();

    // A customer (SDK, another process's view) opens a service conversation and writes.
    const customer = await sdkUser('desk_customer');
    const opened = await customer.openService(shopId, { skill: 'presale', itemId: 'sku-9' });
    expect(opened.status).toBe(ServiceStatus.ASSIGNED);
    await customer.send(opened.conversationId, '这款手机有现货吗？');

    // It appears on the workbench at once, with who the customer is and what they ask about.
    const row = page.getByTestId('service-active').locator('[data-customer="desk_customer"]');
    await expect.poll(() => row.textContent(), WAIT).toContain('item sku-9');
    await page.screenshot({ path: join(ARTIFACTS, 'workbench.png') });
    await row.getByRole('button', { name: 'Open chat' }).click();
    await page.getByTestId('chat-title').filter({ hasText: 'desk_customer' }).waitFor();
    await expect.poll(() => agent.texts(), WAIT).toEqual(['这款手机有现货吗？']);
    const me = customer.userId;
    const answered = new Promise<string>((r) => customer.on('message', (m) => m.senderId !== me && r(textOf(m.content) ?? '')));
    await agent.send('有的，今天下单明天到');
    expect(await answered).toBe('有的，今天下单明天到');

    // Close from the workbench: the customer is told, the row goes away.
    const closed = new Promise((r) => customer.on('service', (e) => e.reason === 'closed' && r(e)));
    await page.getByRole('button', { name: 'Service desk' }).click();
    await row.getByRole('button', { name: 'Close' }).click();
    await closed;
    await row.waitFor({ state: 'detached' });
    const rated = await customer.rateService(shopId, opened.conversationId, 5, '很快');
    expect(rated.rating).toBe(5);
  });

  it('shows the item card on top of an item conversation', async () => {
    const seller = await openUser('item_seller');
    const buyer = await sdkUser('item_buyer');
    const sellerId = (await buyer.lookupUser('item_seller'))!.userId;
    const c = await buyer.openItemConversation(sellerId, { itemId: 'cam-1', title: '富士 X100V 相机', price: '6800.00', currency: 'CNY', link: 'https://market.example.com/item/cam-1' });
    await buyer.send(c.conversationId, '还在吗？');
    // The list names it by its item (the buyer's name follows once the directory knows it).
    const row = seller.page.locator('[data-testid="conversation"][data-title^="富士 X100V 相机 · "]');
    await row.waitFor();
    await row.click();
    const card = seller.page.getByTestId('item-card');
    await card.waitFor();
    expect(await card.getAttribute('data-item')).toBe('cam-1');
    await expect.poll(() => card.getByTestId('item-price').textContent(), WAIT).toBe('¥6800.00');
    expect(await card.getByRole('link', { name: 'View item' }).getAttribute('href')).toBe('https://market.example.com/item/cam-1');
    await expect.poll(() => seller.texts(), WAIT).toEqual(['还在吗？']);
    await seller.page.screenshot({ path: join(ARTIFACTS, 'item-card.png') });

    // More chats: another buyer of the same camera, and the first buyer about a lens; grouped by item on request.
    const other = await sdkUser('item_buyer2');
    const c2 = await other.openItemConversation(sellerId, { itemId: 'cam-1', title: '富士 X100V 相机', price: '6800.00' });
    await other.send(c2.conversationId, '能便宜点吗');
    const c3 = await buyer.openItemConversation(sellerId, { itemId: 'lens-7', title: '35mm 镜头', price: '1200.00' });
    await buyer.send(c3.conversationId, '镜头呢？');
    await seller.page.getByLabel('Group item chats by item').check();
    const camGroup = seller.page.locator('[data-testid="item-group"][data-item="cam-1"]');
    await expect.poll(() => camGroup.getByTestId('conversation').count(), WAIT).toBe(2);
    await expect.poll(() => seller.page.locator('[data-testid="item-group"][data-item="lens-7"]').getByTestId('conversation').count(), WAIT).toBe(1);
    await seller.page.screenshot({ path: join(ARTIFACTS, 'item-groups.png') });
  });
});
