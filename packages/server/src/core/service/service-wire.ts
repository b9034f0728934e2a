import {
  create, ServiceAgentSchema, ServiceConversationSchema, ServiceStatus as WireStatus, type ServiceAgent, type ServiceConversation,
} from '@xinbox/protocol';
import type { AgentRecord, ServiceConversationRecord, ServiceStatus, ShopRecord } from '../ports/service-store.js';
import type { AgentLoad } from './routing-rules.js';

const STATUS_TO_WIRE: Record<ServiceStatus, WireStatus> = {
  queued: WireStatus.QUEUED, assigned: WireStatus.ASSIGNED, closed: WireStatus.CLOSED,
};

export function serviceToWire(r: ServiceConversationRecord, shop: ShopRecord, customerName: string, position: number): ServiceConversation {
  return create(ServiceConversationSchema, {
    conversationId: String(r.conversationId),
    shopId: String(r.shopId),
    shopName: shop.name,
    customerId: String(r.customerId),
    customerName,
    agentId: String(r.status === 'assigned' ? r.agentId : 0),
    skill: r.skill,
    status: STATUS_TO_WIRE[r.status],
    queuePosition: r.status === 'queued' ? position : 0,
    itemId: r.itemId,
    orderId: r.orderId,
    session: r.session,
    openedAt: r.openedAt,
    assignedAt: r.status === 'assigned' ? r.assignedAt : 0,
    closedAt: r.closedAt,
    rating: r.rating,
    ratingComment: r.ratingComment,
  });
}

export function agentToWire(a: AgentRecord, load: AgentLoad | undefined, username: string): ServiceAgent {
  return create(ServiceAgentSchema, {
    userId: String(a.userId),
    skills: [...a.skills],
    capacity: a.capacity,
    available: a.available,
    online: load?.online ?? false,
    active: load?.active ?? 0,
    username,
  });
}
