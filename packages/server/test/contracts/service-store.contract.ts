import { describe, expect, it } from 'vitest';
import type { UserId } from '../../src/core/model.js';
import type { ConversationStore, IdentityStore } from '../../src/core/ports/index.js';
import type { ItemCardRecord, ItemConversationStore } from '../../src/core/ports/item-conversation-store.js';
import type { ServiceStore } from '../../src/core/ports/service-store.js';
import { createUsers, useFixture, type FixtureFactory } from './contract-support.js';

export interface CommercePorts {
  readonly identity: IdentityStore;
  readonly conversations: ConversationStore;
  readonly service: ServiceStore;
  readonly items: ItemConversationStore;
}

const card = (itemId: string, title = '二手相机'): ItemCardRecord => ({
  itemId, title, price: '1200.00', currency: 'CNY', imageUrl: 'https://img.test/1.jpg', mediaId: '', link: 'https://shop.test/i/1',
});

/** The ServiceStore and ItemConversationStore contracts (core/ports/service-store.ts, item-conversation-store.ts). */
export function describeCommerceContract(name: string, makeStores: FixtureFactory<CommercePorts>): void {
  describe(`ServiceStore and ItemConversationStore contract: ${name}`, () => {
    const ctx = useFixture(makeStores);
    const users = (n: number) => createUsers(ctx.stores().identity, n);

    it('creates shops and keeps agents', async () => {
      const { service } = ctx.stores();
      const [admin, a, b] = (await users(3)) as [UserId, UserId, UserId];
      const shop = await service.createShop('小店', admin, ['presale', 'aftersale'], 7);
      expect(shop).toMatchObject({ name: '小店', adminId: admin, skills: ['presale', 'aftersale'], version: 0, createdAt: 7 });
      expect(shop.id).toBeGreaterThan(0);
      expect(await service.getShop(shop.id)).toEqual(shop);
      expect(await service.getShop(shop.id + 1_000_000)).toBeNull();
      await service.putAgent({ shopId: shop.id, userId: b, skills: ['aftersale'], capacity: 2, available: false });
      await service.putAgent({ shopId: shop.id, userId: a, skills: ['presale'], capacity: 3, available: true });
      await service.putAgent({ shopId: shop.id, userId: b, skills: ['presale', 'aftersale'], capacity: 4, available: true });
      const agents = await service.listAgents(shop.id);
      expect(agents.map((x) => x.userId)).toEqual([a, b].sort((x, y) => x - y));
      expect(agents.find((x) => x.userId === b)).toEqual({ shopId: shop.id, userId: b, skills: ['presale', 'aftersale'], capacity: 4, available: true });
      expect(await service.shopsOfAgent(b)).toEqual([shop.id]);
      expect(await service.removeAgent(shop.id, b)).toBe(true);
      expect(await service.removeAgent(shop.id, b)).toBe(false);
      expect(await service.shopsOfAgent(b)).toEqual([]);
    });

    it('opens one ordinary conversation per (shop, customer), atomically, with the customer as its only member', async () => {
      const { service, conversations } = ctx.stores();
      const [admin, customer] = (await users(2)) as [UserId, UserId];
      const shop = await service.createShop('s', admin, [], 1);
      const results = await Promise.all([1, 2, 3, 4].map(() => service.openConversation(shop.id, customer, 5)));
      expect(new Set(results.map((r) => r.record.conversationId)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const { record } = results[0]!;
      expect(record).toMatchObject({ shopId: shop.id, customerId: customer, status: 'closed', session: 0, agentId: 0, openedAt: 5 });
      const conv = await conversations.getConversation(record.conversationId);
      expect(conv).toMatchObject({ kind: 'group', memberCount: 1, lastSeq: 0 });
      expect(await conversations.memberIds(record.conversationId)).toEqual([customer]);
      expect(await conversations.getGroup(record.conversationId)).toBeNull();
      expect(await service.getConversation(record.conversationId)).toEqual(record);
    });

    it('commits routing only against the expected shop version (compare-and-swap)', async () => {
      const { service } = ctx.stores();
      const [admin, c1, c2] = (await users(3)) as [UserId, UserId, UserId];
      const shop = await service.createShop('s', admin, ['presale'], 1);
      const r1 = (await service.openConversation(shop.id, c1, 1)).record;
      const r2 = (await service.openConversation(shop.id, c2, 1)).record;
      expect(await service.shopsWithOpen(100)).not.toContain(shop.id);
      const q1 = { ...r1, status: 'queued' as const, session: 1, queuedAt: 20, skill: 'presale' };
      const q2 = { ...r2, status: 'queued' as const, session: 1, queuedAt: 10 };
      // Two routers decided from version 0: exactly one commits.
      const results = await Promise.all([service.commitRouting(shop.id, 0, [q1, q2]), service.commitRouting(shop.id, 0, [{ ...q1, skill: 'x' }])]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const v1 = (await service.getShop(shop.id))!.version;
      expect(v1).toBe(1);
      if (results[0]) {
        expect((await service.listOpen(shop.id)).map((r) => r.conversationId)).toEqual([r2.conversationId, r1.conversationId]);
      }
      expect(await service.shopsWithOpen(100)).toContain(shop.id);
      const assigned = { ...q1, status: 'assigned' as const, agentId: admin, lastAgentId: admin, assignedAt: 30, assignedSeq: 4, answered: true, skill: 'presale' };
      expect(await service.commitRouting(shop.id, 0, [assigned])).toBe(false);
      expect(await service.commitRouting(shop.id, v1, [assigned])).toBe(true);
      expect(await service.getConversation(r1.conversationId)).toEqual(assigned);
      // A row of another shop refuses the whole commit.
      const other = await service.createShop('t', admin, [], 1);
      expect(await service.commitRouting(other.id, 0, [assigned])).toBe(false);
      expect((await service.getShop(other.id))!.version).toBe(0);
      const closed = { ...assigned, status: 'closed' as const, agentId: 0, closedAt: 40, rating: 5, ratingComment: '很好' };
      expect(await service.commitRouting(shop.id, v1 + 1, [closed])).toBe(true);
      expect(await service.getConversation(r1.conversationId)).toEqual(closed);
      expect((await service.listOpen(shop.id)).map((r) => r.conversationId)).toEqual(results[0] ? [r2.conversationId] : []);
    });

    it('gives each (buyer, seller, item) its own two-member conversation, atomically, keeping the first card', async () => {
      const { items, conversations } = ctx.stores();
      const [buyer, seller] = (await users(2)) as [UserId, UserId];
      const opened = await Promise.all([1, 2, 3].map(() => items.getOrCreate(buyer, seller, card('i-1'), 9)));
      expect(new Set(opened.map((o) => o.record.conversationId)).size).toBe(1);
      expect(opened.filter((o) => o.created)).toHaveLength(1);
      const first = opened[0]!.record;
      expect(first).toEqual({ conversationId: first.conversationId, buyerId: buyer, sellerId: seller, item: card('i-1'), createdAt: 9 });
      const again = await items.getOrCreate(buyer, seller, card('i-1', 'changed'), 10);
      expect(again).toEqual({ record: first, created: false });
      const second = (await items.getOrCreate(buyer, seller, card('i-2'), 11)).record;
      const swapped = (await items.getOrCreate(seller, buyer, card('i-1'), 12)).record;
      expect(new Set([first.conversationId, second.conversationId, swapped.conversationId]).size).toBe(3);
      expect(await conversations.getConversation(first.conversationId)).toMatchObject({ kind: 'direct', memberCount: 2 });
      expect(await conversations.memberIds(second.conversationId)).toEqual([buyer, seller].sort((x, y) => x - y));
      expect(await items.find(buyer, seller, 'i-2')).toEqual(second);
      expect(await items.find(buyer, seller, 'nope')).toBeNull();
      expect(await items.get(first.conversationId)).toEqual(first);
      expect((await items.listForUser(seller, 10)).map((r) => r.conversationId)).toEqual([swapped, second, first].map((r) => r.conversationId));
      expect(await items.listForUser(buyer, 1)).toHaveLength(1);
    });
  });
}
