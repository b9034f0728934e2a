import { describe, expect, it } from 'vitest';
import { createMemoryAdapters } from '../../src/adapters/memory/index.js';
import { ServiceRouter } from '../../src/core/service/service-router.js';
import { createUsers } from '../contracts/contract-support.js';

/**
 * Two routers acting on one shop at once (as two nodes could while the ring
 * changes): the store's compare-and-swap on the shop version lets only
 * decisions made from the current state commit, so capacity holds and no
 * conversation is assigned twice.
 */
describe('service router fencing', () => {
  it('never over-assigns when two routers route the same shop concurrently', async () => {
    const s = createMemoryAdapters();
    const [admin, agent, ...customers] = await createUsers(s.identity, 12);
    await s.presence.online(agent!, 'd', 'web', 'n', Date.now());
    const shop = await s.service.createShop('s', admin!, [], 1);
    await s.service.putAgent({ shopId: shop.id, userId: agent!, skills: [], capacity: 3, available: true });
    const router = () => new ServiceRouter(s.service, s.conversations, s.messages, s.presence, () => true, { answerTimeoutMs: 60_000, sweepMs: 1_000 });
    const [r1, r2] = [router(), router()];
    await Promise.all(customers.map(async (c, i) => {
      const { record } = await s.service.openConversation(shop.id, c, 1);
      await (i % 2 ? r1 : r2).transact(shop.id, async (tx) => {
        const r = (await tx.get(record.conversationId))!;
        tx.set({ ...r, status: 'queued', session: 1, queuedAt: i + 1 }, 'queued');
      });
    }));
    const open = await s.service.listOpen(shop.id);
    expect(open).toHaveLength(10);
    const assigned = open.filter((r) => r.status === 'assigned');
    expect(assigned).toHaveLength(3);
    expect(assigned.every((r) => r.agentId === agent)).toBe(true);
    // Members follow: exactly the three assigned conversations have the agent as a member.
    const withAgent = await Promise.all(open.map(async (r) => (await s.conversations.memberIds(r.conversationId)).includes(agent!)));
    expect(withAgent.filter(Boolean)).toHaveLength(3);
    // The version moved once per committed pass, never twice for one.
    expect((await s.service.getShop(shop.id))!.version).toBeGreaterThanOrEqual(10);
    await s.close();
  });
});
