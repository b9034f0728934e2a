import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Errors, ServiceStatus } from '@xinbox/protocol';
import { device, register, type RawClient } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body, errorCode } from '../support/frames.js';
import { assignedTo, available, customer, event, historyTexts, open, say, shopWithAgents } from './service-client.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

/**
 * Customer-service routing (消息分流) over real sockets: least busy relative
 * to capacity, skill groups, capacity and the queue with pushed positions,
 * sticky agents, reroute on a dropped connection, transfer, close and rating.
 */
describe.each(['sqlite', 'memory'] as const)('customer service routing on %s', (storage) => {
  let node: Node;
  const clients: RawClient[] = [];
  const track = <T extends { client: RawClient }>(x: T): T => {
    clients.push(x.client);
    return x;
  };

  beforeAll(async () => {
    node = await startTestNode({ storage, serviceSweepMs: 100, serviceAnswerTimeoutMs: 600_000 });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await node.cleanup();
  });

  it('picks the least busy agent relative to capacity, respects capacity, queues the rest and pushes their positions', async () => {
    const { shopId, agents: [a, b] } = await shopWithAgents(node, [{ skills: ['presale'], capacity: 2 }, { skills: ['presale'], capacity: 4, available: false }]);
    clients.push(a!.client, b!.client);
    const c = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(() => customer(node).then(track)));
    const opened = async (k: number) => open(c[k]!.client, shopId);

    // Only A is available: A.
    expect(await opened(0)).toMatchObject({ status: ServiceStatus.ASSIGNED, agentId: a!.account.userId, session: 1, skill: 'presale' });
    await available(b!.client, shopId, true);
    // B at 0/4 is less busy than A at 1/2, then 1/4 < 1/2.
    expect((await opened(1)).agentId).toBe(b!.account.userId);
    expect((await opened(2)).agentId).toBe(b!.account.userId);
    // A 1/2 and B 2/4 are equally busy: fewer active conversations wins (A).
    expect((await opened(3)).agentId).toBe(a!.account.userId);
    // A is full (2/2): B, until B is full too (4/4).
    expect((await opened(4)).agentId).toBe(b!.account.userId);
    expect((await opened(5)).agentId).toBe(b!.account.userId);
    // Everyone is full: the next customers wait, and see where.
    expect(await opened(6)).toMatchObject({ status: ServiceStatus.QUEUED, queuePosition: 1, agentId: '0' });
    expect(await opened(7)).toMatchObject({ status: ServiceStatus.QUEUED, queuePosition: 2 });
    const board = body(await b!.client.request({ case: 'serviceList', value: { shopId } }), 'serviceBoard');
    expect(board.queue.map((q) => q.customerId)).toEqual([c[6]!.account.userId, c[7]!.account.userId]);
    expect(board.active).toHaveLength(4);
    expect(board.agents.map((x) => [x.userId, x.active, x.online])).toEqual(expect.arrayContaining([[a!.account.userId, 2, true], [b!.account.userId, 4, true]]));

    // B closes one: the head of the queue goes to B, and the next customer is told it moved up.
    const conv1 = board.active.find((x) => x.customerId === c[1]!.account.userId)!.conversationId;
    body(await b!.client.request({ case: 'serviceClose', value: { shopId, conversationId: conv1 } }), 'serviceConversation');
    const c6conv = (await open(c[6]!.client, shopId)).conversationId;
    await event(c[6]!.client, c6conv, assignedTo(b!.account));
    const c7conv = (await open(c[7]!.client, shopId)).conversationId;
    await event(c[7]!.client, c7conv, (s, reason) => reason === 'position' && s.queuePosition === 1);
  });

  it('routes by skill group, and the agent reads and answers the conversation like any other (unread, history, both devices)', async () => {
    const { shopId, agents: [pre, after] } = await shopWithAgents(node, [{ skills: ['presale'], capacity: 3 }, { skills: ['aftersale'], capacity: 3 }]);
    clients.push(pre!.client, after!.client);
    const cu = track(await customer(node));
    const second = await device(node, cu.account, 'cust-2', 'tcp');
    clients.push(second);
    const s = await open(cu.client, shopId, 'aftersale', { orderId: 'order-42' });
    expect(s).toMatchObject({ agentId: after!.account.userId, orderId: 'order-42', shopName: '小米之家', customerName: cu.account.username });
    // The agent hears of it (workbench) and gets the customer's messages as pushes.
    await event(after!.client, s.conversationId, assignedTo(after!.account));
    await say(cu.client, s.conversationId, '我的订单还没到');
    await after!.client.waitFor((f) => f.body.case === 'push' && f.body.value.message?.conversationId === s.conversationId);
    const unread = body(await after!.client.request({ case: 'listConversations', value: {} }), 'conversationList')
      .conversations.find((x) => x.conversationId === s.conversationId);
    expect(unread?.unread).toBe(1);
    await say(after!.client, s.conversationId, '马上帮您查');
    // Both customer devices get the answer, in order.
    await second.waitFor((f) => f.body.case === 'push' && f.body.value.message?.senderId === after!.account.userId);
    expect(await historyTexts(second, s.conversationId)).toEqual(['我的订单还没到', '马上帮您查']);
    // The presale agent is no member.
    expect(errorCode(await pre!.client.request({ case: 'history', value: { conversationId: s.conversationId, limit: 5 } }))).toBe(Errors.NOT_A_MEMBER.code);
  });

  it('is sticky to the agent who served the customer last, and takes a rating once after closing', async () => {
    const { shopId, agents: [a, b] } = await shopWithAgents(node, [{ skills: ['presale'], capacity: 5 }, { skills: ['presale'], capacity: 5, available: false }]);
    clients.push(a!.client, b!.client);
    const cu = track(await customer(node));
    const first = await open(cu.client, shopId);
    expect(first.agentId).toBe(a!.account.userId);
    // Load A so that B would be the least busy choice.
    for (let i = 0; i < 2; i++) await open(track(await customer(node)).client, shopId);
    await available(b!.client, shopId, true);

    expect(errorCode(await cu.client.request({ case: 'serviceRate', value: { shopId, conversationId: first.conversationId, score: 5 } }))).toBe(Errors.SERVICE_NOT_CLOSED.code);
    const closed = body(await a!.client.request({ case: 'serviceClose', value: { shopId, conversationId: first.conversationId } }), 'serviceConversation');
    expect(closed).toMatchObject({ status: ServiceStatus.CLOSED, agentId: '0' });
    await event(cu.client, first.conversationId, (s, reason) => reason === 'closed' && s.status === ServiceStatus.CLOSED);
    expect(errorCode(await cu.client.request({ case: 'serviceRate', value: { shopId, conversationId: first.conversationId, score: 6 } }))).toBe(Errors.INVALID_ARGUMENT.code);
    expect(errorCode(await a!.client.request({ case: 'serviceRate', value: { shopId, conversationId: first.conversationId, score: 5 } }))).toBe(Errors.NOT_FOUND.code);
    const rated = body(await cu.client.request({ case: 'serviceRate', value: { shopId, conversationId: first.conversationId, score: 4, comment: '回复很快' } }), 'serviceConversation');
    expect(rated).toMatchObject({ rating: 4, ratingComment: '回复很快' });
    await event(a!.client, first.conversationId, (s, reason) => reason === 'rated' && s.rating === 4);
    expect(errorCode(await cu.client.request({ case: 'serviceRate', value: { shopId, conversationId: first.conversationId, score: 1 } }))).toBe(Errors.ALREADY_RATED.code);
    // A closed session refuses transfer and close.
    expect(errorCode(await a!.client.request({ case: 'serviceClose', value: { shopId, conversationId: first.conversationId } }))).toBe(Errors.SERVICE_CLOSED.code);

    // Reopening: a new session of the same conversation, back to A (sticky) although B is idle.
    const again = await open(cu.client, shopId);
    expect(again).toMatchObject({ conversationId: first.conversationId, session: 2, agentId: a!.account.userId, rating: 0 });
  });

  it('reroutes the conversations of an agent whose connection drops; the new agent sees the whole history', async () => {
    const { shopId, agents: [a, b] } = await shopWithAgents(node, [{ skills: ['presale'], capacity: 5 }, { skills: ['presale'], capacity: 5, available: false }]);
    clients.push(b!.client);
    const cu = track(await customer(node));
    const s = await open(cu.client, shopId);
    expect(s.agentId).toBe(a!.account.userId);
    await say(cu.client, s.conversationId, 'hello?');
    await say(a!.client, s.conversationId, 'hi, A here');
    await available(b!.client, shopId, true);
    a!.client.close();
    const moved = await event(cu.client, s.conversationId, assignedTo(b!.account));
    expect(moved.session).toBe(1);
    await event(b!.client, s.conversationId, assignedTo(b!.account));
    expect(await historyTexts(b!.client, s.conversationId)).toEqual(['hello?', 'hi, A here']);
    await say(b!.client, s.conversationId, 'B takes over');
    // A is no longer a member.
    const aAgain = await device(node, a!.account, 'agent0-again');
    clients.push(aAgain);
    expect(errorCode(await aAgain.request({ case: 'history', value: { conversationId: s.conversationId, limit: 5 } }))).toBe(Errors.NOT_A_MEMBER.code);
  });

  it('transfers to a named agent or back to the router, and refuses an unavailable target', async () => {
    const { shopId, agents: [a, b, off] } = await shopWithAgents(node, [
      { skills: ['presale'], capacity: 5 }, { skills: ['presale', 'aftersale'], capacity: 5, available: false }, { skills: ['presale'], capacity: 5, available: false },
    ]);
    clients.push(a!.client, b!.client, off!.client);
    const cu = track(await customer(node));
    const s = await open(cu.client, shopId);
    expect(s.agentId).toBe(a!.account.userId);
    expect(errorCode(await a!.client.request({ case: 'serviceTransfer', value: { shopId, conversationId: s.conversationId, toAgentId: off!.account.userId } })))
      .toBe(Errors.AGENT_UNAVAILABLE.code);
    expect(errorCode(await b!.client.request({ case: 'serviceTransfer', value: { shopId, conversationId: s.conversationId, toAgentId: b!.account.userId } })))
      .toBe(Errors.NOT_AN_AGENT.code);
    await available(b!.client, shopId, true);
    const t = body(await a!.client.request({ case: 'serviceTransfer', value: { shopId, conversationId: s.conversationId, toAgentId: b!.account.userId, skill: 'aftersale' } }), 'serviceConversation');
    expect(t).toMatchObject({ agentId: b!.account.userId, skill: 'aftersale', status: ServiceStatus.ASSIGNED });
    await event(cu.client, s.conversationId, (x, reason) => reason === 'transferred' && x.agentId === b!.account.userId);
    // Back to the router: it picks someone other than the transferring agent.
    await available(off!.client, shopId, true);
    const back = body(await b!.client.request({ case: 'serviceTransfer', value: { shopId, conversationId: s.conversationId, skill: 'presale' } }), 'serviceConversation');
    expect(back.status).toBe(ServiceStatus.ASSIGNED);
    expect(back.agentId).not.toBe(b!.account.userId);
  });

  it('answers bad requests with catalogued errors', async () => {
    const { shopId, agents: [a] } = await shopWithAgents(node, [{ skills: ['presale'], capacity: 1 }]);
    clients.push(a!.client);
    const cu = track(await customer(node));
    expect(errorCode(await cu.client.request({ case: 'serviceOpen', value: { shopId: '987654321', skill: '' } }))).toBe(Errors.SHOP_NOT_FOUND.code);
    expect(errorCode(await cu.client.request({ case: 'serviceOpen', value: { shopId, skill: 'warranty' } }))).toBe(Errors.UNKNOWN_SKILL.code);
    expect(errorCode(await cu.client.request({ case: 'serviceList', value: { shopId } }))).toBe(Errors.NOT_AN_AGENT.code);
    expect(errorCode(await cu.client.request({ case: 'serviceAgentStatus', value: { shopId, available: true } }))).toBe(Errors.NOT_AN_AGENT.code);
    expect(errorCode(await cu.client.request({ case: 'shopAgentSet', value: { shopId, userId: cu.account.userId, skills: [], capacity: 1 } }))).toBe(Errors.NOT_SHOP_ADMIN.code);
    expect(errorCode(await cu.client.request({ case: 'shopCreate', value: { name: '', skills: [] } }))).toBe(Errors.INVALID_ARGUMENT.code);
    // Outsiders see a shop's name and skills, not its agents.
    const seen = body(await cu.client.request({ case: 'shopGet', value: { shopId } }), 'shopInfo').shop!;
    expect(seen).toMatchObject({ name: '小米之家', skills: ['presale', 'aftersale'], agents: [] });
    const other = await register(node.httpUrl, 'stranger');
    const conv = (await open(cu.client, shopId)).conversationId;
    const stranger = await device(node, other, 'stranger');
    clients.push(stranger);
    expect(errorCode(await stranger.request({ case: 'serviceClose', value: { shopId, conversationId: conv } }))).toBe(Errors.PERMISSION_DENIED.code);
  });
});
