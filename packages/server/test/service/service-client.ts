import { ServiceStatus, type Frame, type ServiceConversation } from '@xinbox/protocol';
import { device, register, text, type Account, type RawClient } from '../support/raw-client.js';
import { body } from '../support/frames.js';

/** Customer-service protocol helpers over RawClient (tests see exactly what the server sends). */

export interface TestNode { httpUrl: string; wsUrl: string; tcpPort: number }

export interface Agent { account: Account; client: RawClient }

/** An admin with a shop of the given skills, and agents (skills, capacity) connected and available. */
export async function shopWithAgents(node: TestNode, agents: ReadonlyArray<{ skills: string[]; capacity: number; available?: boolean }>, skills = ['presale', 'aftersale']) {
  const adminAccount = await register(node.httpUrl, 'shopadmin');
  const admin = await device(node, adminAccount, 'admin');
  const shop = body(await admin.request({ case: 'shopCreate', value: { name: '小米之家', skills } }), 'shopInfo').shop!;
  const out: Agent[] = [];
  for (const [i, a] of agents.entries()) {
    const account = await register(node.httpUrl, `agent${i}`);
    body(await admin.request({ case: 'shopAgentSet', value: { shopId: shop.shopId, userId: account.userId, skills: a.skills, capacity: a.capacity } }), 'shopInfo');
    const client = await device(node, account, `agent${i}`);
    if (a.available !== false) await available(client, shop.shopId, true);
    out.push({ account, client });
  }
  return { shopId: shop.shopId, admin, adminAccount, agents: out };
}

export async function available(c: RawClient, shopId: string, on: boolean): Promise<void> {
  body(await c.request({ case: 'serviceAgentStatus', value: { shopId, available: on } }), 'serviceBoard');
}

export async function customer(node: TestNode, prefix = 'cust'): Promise<{ account: Account; client: RawClient }> {
  const account = await register(node.httpUrl, prefix);
  return { account, client: await device(node, account, `${prefix}-1`) };
}

export async function open(c: RawClient, shopId: string, skill = 'presale', extra: { itemId?: string; orderId?: string } = {}): Promise<ServiceConversation> {
  return body(await c.request({ case: 'serviceOpen', value: { shopId, skill, itemId: extra.itemId ?? '', orderId: extra.orderId ?? '' } }), 'serviceConversation');
}

/** The next ServiceEvent (already received or arriving) for the conversation that matches. */
export async function event(c: RawClient, conversationId: string, match: (s: ServiceConversation, reason: string) => boolean, timeoutMs = 10_000): Promise<ServiceConversation> {
  const f = await c.waitFor((fr: Frame) => fr.id === 0 && fr.body.case === 'serviceEvent' && fr.body.value.conversation?.conversationId === conversationId
    && match(fr.body.value.conversation, fr.body.value.reason), timeoutMs);
  return body(f, 'serviceEvent').conversation!;
}

export const assignedTo = (agent: Account) => (s: ServiceConversation) => s.status === ServiceStatus.ASSIGNED && s.agentId === agent.userId;

export async function say(c: RawClient, conversationId: string, t: string, clientMsgId = `m-${Math.random().toString(36).slice(2)}`): Promise<number> {
  return body(await c.request({ case: 'send', value: { conversationId, clientMsgId, content: text(t) } }), 'sendAck').seq;
}

export async function historyTexts(c: RawClient, conversationId: string): Promise<string[]> {
  const h = body(await c.request({ case: 'history', value: { conversationId, limit: 50 } }), 'historyResult');
  return h.messages.map((m) => (m.content?.kind.case === 'text' ? m.content.kind.value.text : '')).reverse();
}
