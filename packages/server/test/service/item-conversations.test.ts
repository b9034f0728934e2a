import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Errors } from '@xinbox/protocol';
import { device, register, text, type RawClient } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body, errorCode } from '../support/frames.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

const card = (itemId: string, title: string, price = '99.00') => ({
  itemId, title, price, currency: 'CNY', imageUrl: `https://img.example.com/${itemId}.jpg`, mediaId: '', link: `https://market.example.com/item/${itemId}`,
});

/** Item conversations (闲鱼: person + person + item) over real sockets. */
describe.each(['sqlite', 'memory'] as const)('item conversations on %s', (storage) => {
  let node: Node;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    node = await startTestNode({ storage });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await node.cleanup();
  });

  it('gives one pair of users a distinct conversation per item, with its card, listed for both', async () => {
    const [buyer, seller] = await Promise.all([register(node.httpUrl, 'buyer'), register(node.httpUrl, 'seller')]);
    const b = await device(node, buyer, 'b');
    const s = await device(node, seller, 's', 'tcp');
    clients.push(b, s);
    const open = async (c: RawClient, sellerId: string, item: ReturnType<typeof card>) =>
      body(await c.request({ case: 'itemConversationOpen', value: { sellerId, item } }), 'itemConversationInfo').conversation!;
    const camera = await open(b, seller.userId, card('cam-1', '富士 X100V'));
    const lens = await open(b, seller.userId, card('lens-7', '35mm 镜头', '1200.50'));
    expect(camera.conversationId).not.toBe(lens.conversationId);
    expect(camera).toMatchObject({ buyerId: buyer.userId, sellerId: seller.userId, item: card('cam-1', '富士 X100V') });
    // Opening again returns the same conversation and keeps the first card.
    expect((await open(b, seller.userId, card('cam-1', 'changed title'))).conversationId).toBe(camera.conversationId);
    expect((await open(b, seller.userId, card('cam-1', 'changed title'))).item!.title).toBe('富士 X100V');
    // The pair's direct chat is yet another conversation.
    const direct = body(await b.request({ case: 'openDirect', value: { userId: seller.userId } }), 'conversationInfo').conversation!.conversationId;
    expect(new Set([direct, camera.conversationId, lens.conversationId]).size).toBe(3);

    // Ordinary messaging: each item's messages stay in its conversation.
    body(await b.request({ case: 'send', value: { conversationId: camera.conversationId, clientMsgId: `${storage}-c1`, content: text('还在吗?') } }), 'sendAck');
    body(await b.request({ case: 'send', value: { conversationId: lens.conversationId, clientMsgId: `${storage}-l1`, content: text('镜头能便宜点吗') } }), 'sendAck');
    await s.waitForPushes(2);
    expect(s.pushes(camera.conversationId)).toHaveLength(1);
    expect(s.pushes(lens.conversationId)).toHaveLength(1);
    const list = body(await s.request({ case: 'listConversations', value: {} }), 'conversationList').conversations;
    expect(list.filter((x) => [camera.conversationId, lens.conversationId].includes(x.conversationId)).map((x) => x.unread)).toEqual([1, 1]);

    // The seller sees both (grouping by item is the client's: each carries its card).
    const items = body(await s.request({ case: 'itemConversationList', value: {} }), 'itemConversations').conversations;
    expect(items.map((x) => [x.conversationId, x.item!.itemId])).toEqual([[lens.conversationId, 'lens-7'], [camera.conversationId, 'cam-1']]);
    // Another buyer of the same item gets their own conversation.
    const other = await register(node.httpUrl, 'buyer2');
    const o = await device(node, other, 'o');
    clients.push(o);
    const third = await open(o, seller.userId, card('cam-1', '富士 X100V'));
    expect(third.conversationId).not.toBe(camera.conversationId);
    expect(body(await s.request({ case: 'itemConversationList', value: {} }), 'itemConversations').conversations.filter((x) => x.item!.itemId === 'cam-1')).toHaveLength(2);
  });

  it('refuses bad cards, oneself, and a seller who blocked the buyer', async () => {
    const [buyer, seller] = await Promise.all([register(node.httpUrl, 'buyer'), register(node.httpUrl, 'seller')]);
    const b = await device(node, buyer, 'b2');
    const s = await device(node, seller, 's2');
    clients.push(b, s);
    const refuse = async (item: Record<string, string>, sellerId = seller.userId) =>
      errorCode(await b.request({ case: 'itemConversationOpen', value: { sellerId, item: { ...card('x', 't'), ...item } } }));
    expect(await refuse({ itemId: '' })).toBe(Errors.INVALID_ITEM.code);
    expect(await refuse({ title: '' })).toBe(Errors.INVALID_ITEM.code);
    expect(await refuse({ price: '12,5' })).toBe(Errors.INVALID_ITEM.code);
    expect(await refuse({ link: 'javascript:alert(1)' })).toBe(Errors.INVALID_ITEM.code);
    expect(await refuse({ imageUrl: 'not a url' })).toBe(Errors.INVALID_ITEM.code);
    expect(await refuse({}, buyer.userId)).toBe(Errors.INVALID_ARGUMENT.code);
    expect(await refuse({}, '99999')).toBe(Errors.NOT_FOUND.code);
    body(await s.request({ case: 'blockSet', value: { userId: buyer.userId, blocked: true } }), 'relations');
    expect(await refuse({})).toBe(Errors.BLOCKED.code);
  });
});
