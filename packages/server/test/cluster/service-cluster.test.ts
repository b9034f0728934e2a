import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceStatus } from '@xinbox/protocol';
import { device, register, type RawClient } from '../support/raw-client.js';
import { ClusterHarness } from '../support/cluster-harness.js';
import { body } from '../support/frames.js';
import { assignedTo, available, event, historyTexts, open, say } from '../service/service-client.js';

/**
 * Customer service in a cluster (in-process harness: 2 logic nodes, 2
 * gateways): service frames reach the shop's router wherever they enter,
 * the conversations themselves are owned by whichever logic node the ring
 * says, and membership changes made by the router reach those owners.
 */
describe('customer service across a cluster', () => {
  const h = new ClusterHarness();
  const clients: RawClient[] = [];

  beforeAll(async () => {
    const fast = { serviceSweepMs: 100 };
    await h.start('logic-1', ['logic'], fast);
    await h.start('logic-2', ['logic'], fast);
    await h.start('gw-1', ['gateway', 'api'], fast);
    await h.start('gw-2', ['gateway', 'api'], fast);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await h.close();
  });

  it('routes customers on one gateway to agents on another, and reroutes when an agent drops', async () => {
    const gw1 = h.node('gw-1');
    const gw2 = h.node('gw-2');
    const [adminAcc, aAcc, bAcc] = await Promise.all([register(gw1.httpUrl, 'cadm'), register(gw1.httpUrl, 'cag'), register(gw2.httpUrl, 'cbg')]);
    const admin = await device(gw1, adminAcc, 'adm');
    clients.push(admin);
    const shopId = body(await admin.request({ case: 'shopCreate', value: { name: 'cluster shop', skills: ['presale'] } }), 'shopInfo').shop!.shopId;
    for (const acc of [aAcc, bAcc]) body(await admin.request({ case: 'shopAgentSet', value: { shopId, userId: acc.userId, skills: ['presale'], capacity: 10 } }), 'shopInfo');
    const a = await device(gw1, aAcc, 'a');
    const b = await device(gw2, bAcc, 'b');
    clients.push(b);
    await available(a, shopId, true);

    // Several customers on gw-2, so their conversations land on both logic nodes of the ring.
    const customers = await Promise.all(Array.from({ length: 6 }, async (_, i) => {
      const acc = await register(gw2.httpUrl, 'ccu');
      const c = await device(i % 2 ? gw2 : gw1, acc, `c${i}`);
      clients.push(c);
      return c;
    }));
    const convs: string[] = [];
    for (const [i, c] of customers.entries()) {
      const s = await open(c, shopId);
      expect(s).toMatchObject({ status: ServiceStatus.ASSIGNED, agentId: aAcc.userId });
      convs.push(s.conversationId);
      await say(c, s.conversationId, `question ${i}`);
      await say(a, s.conversationId, `answer ${i}`);
      await c.waitFor((f) => f.body.case === 'push' && f.body.value.message?.senderId === aAcc.userId && f.body.value.message.conversationId === s.conversationId);
    }

    // A drops: everything moves to B (on the other gateway), who can read and answer in each.
    await available(b, shopId, true);
    a.close();
    for (const [i, c] of customers.entries()) {
      await event(c, convs[i]!, assignedTo(bAcc));
      expect(await historyTexts(b, convs[i]!)).toEqual([`question ${i}`, `answer ${i}`]);
      await say(b, convs[i]!, `B here ${i}`);
      await c.waitFor((f) => f.body.case === 'push' && f.body.value.message?.senderId === bAcc.userId && f.body.value.message.conversationId === convs[i]);
    }
    const board = body(await b.request({ case: 'serviceList', value: { shopId } }), 'serviceBoard');
    expect(board.active.map((x) => x.conversationId).sort()).toEqual([...convs].sort());
    expect(board.agents.find((x) => x.userId === aAcc.userId)).toMatchObject({ online: false, active: 0 });
  });
});
