import { create, ItemConversationsSchema } from '@xinbox/protocol';
import type { CustomerService } from '../../core/service/customer-service.js';
import type { ItemConversationService } from '../../core/items/item-conversation-service.js';
import type { HandlerTable } from './types.js';
import { parseId } from './ids.js';

const shop = (raw: string) => parseId(raw, 'shopId');
const conv = (raw: string) => parseId(raw, 'conversationId');

/** Customer service and item conversation frames (issue #15); see docs/protocol.md "Customer service". */
export function serviceHandlers(service: CustomerService, items: ItemConversationService): HandlerTable {
  return {
    shopCreate: async ({ caller }, v) => ({ case: 'shopInfo', value: { shop: await service.createShop(caller.userId, v.name, v.skills) } }),
    shopGet: async ({ caller }, v) => ({ case: 'shopInfo', value: { shop: await service.getShop(caller.userId, shop(v.shopId)) } }),
    shopAgentSet: async ({ caller }, v) => ({
      case: 'shopInfo', value: { shop: await service.setAgent(caller.userId, shop(v.shopId), parseId(v.userId, 'userId'), v.skills, v.capacity, v.remove) },
    }),
    serviceAgentStatus: async ({ caller }, v) => ({ case: 'serviceBoard', value: await service.setAvailable(caller.userId, shop(v.shopId), v.available) }),
    serviceList: async ({ caller }, v) => ({ case: 'serviceBoard', value: await service.board(caller.userId, shop(v.shopId)) }),
    serviceOpen: async ({ caller }, v) => ({ case: 'serviceConversation', value: await service.open(caller.userId, shop(v.shopId), v.skill, v.itemId, v.orderId) }),
    serviceTransfer: async ({ caller }, v) => ({
      case: 'serviceConversation',
      value: await service.transfer(caller.userId, shop(v.shopId), conv(v.conversationId), v.toAgentId ? parseId(v.toAgentId, 'toAgentId', true) : 0, v.skill),
    }),
    serviceClose: async ({ caller }, v) => ({ case: 'serviceConversation', value: await service.close(caller.userId, shop(v.shopId), conv(v.conversationId)) }),
    serviceRate: async ({ caller }, v) => ({
      case: 'serviceConversation', value: await service.rate(caller.userId, shop(v.shopId), conv(v.conversationId), v.score, v.comment),
    }),
    itemConversationOpen: async ({ caller }, v) => ({
      case: 'itemConversationInfo', value: { conversation: await items.open(caller.userId, parseId(v.sellerId, 'sellerId'), v.item) },
    }),
    itemConversationList: async ({ caller }, v) => ({
      case: 'itemConversations', value: create(ItemConversationsSchema, { conversations: await items.list(caller.userId, v.limit) }),
    }),
  };
}
