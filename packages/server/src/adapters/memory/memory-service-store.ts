import type { ConversationId, UserId } from '../../core/model.js';
import type { AgentRecord, ServiceConversationRecord, ServiceStore, ShopId, ShopRecord } from '../../core/ports/service-store.js';
import { insertBareConversation } from './memory-commerce-rows.js';
import type { MemoryTables } from './memory-tables.js';

/**
 * In-memory ServiceStore over the shared MemoryTables (it creates ordinary
 * conversations). Every call runs synchronously, so commitRouting's version
 * check and writes are one atomic step.
 */
export class MemoryServiceStore implements ServiceStore {
  private readonly shops = new Map<ShopId, ShopRecord>();
  private nextShopId = 1;
  private readonly agents = new Map<string, AgentRecord>();
  private readonly rows = new Map<ConversationId, ServiceConversationRecord>();
  private readonly byCustomer = new Map<string, ConversationId>();

  constructor(private readonly tables: MemoryTables) {}

  async createShop(name: string, adminId: UserId, skills: readonly string[], now: number): Promise<ShopRecord> {
    const shop: ShopRecord = Object.freeze({ id: this.nextShopId++, name, adminId, skills: Object.freeze([...skills]), version: 0, createdAt: now });
    this.shops.set(shop.id, shop);
    return shop;
  }

  async getShop(id: ShopId): Promise<ShopRecord | null> {
    return this.shops.get(id) ?? null;
  }

  async putAgent(agent: AgentRecord): Promise<void> {
    this.agents.set(`${agent.shopId}:${agent.userId}`, Object.freeze({ ...agent, skills: Object.freeze([...agent.skills]) }));
  }

  async removeAgent(shopId: ShopId, userId: UserId): Promise<boolean> {
    return this.agents.delete(`${shopId}:${userId}`);
  }

  async listAgents(shopId: ShopId): Promise<AgentRecord[]> {
    return [...this.agents.values()].filter((a) => a.shopId === shopId).sort((a, b) => a.userId - b.userId);
  }

  async shopsOfAgent(userId: UserId): Promise<ShopId[]> {
    return [...this.agents.values()].filter((a) => a.userId === userId).map((a) => a.shopId).sort((a, b) => a - b);
  }

  async openConversation(shopId: ShopId, customerId: UserId, now: number): Promise<{ record: ServiceConversationRecord; created: boolean }> {
    const key = `${shopId}:${customerId}`;
    const existing = this.byCustomer.get(key);
    if (existing !== undefined) return { record: this.rows.get(existing)!, created: false };
    if (!this.shops.has(shopId)) throw new Error(`shop ${shopId} does not exist`);
    const id = insertBareConversation(this.tables, 'group', [customerId], now);
    const record: ServiceConversationRecord = Object.freeze({
      conversationId: id, shopId, customerId, status: 'closed', agentId: 0, lastAgentId: 0, skipAgentId: 0, skill: '', itemId: '', orderId: '',
      session: 0, openedAt: now, queuedAt: 0, assignedAt: 0, assignedSeq: 0, answered: false, closedAt: 0, rating: 0, ratingComment: '',
    });
    this.rows.set(id, record);
    this.byCustomer.set(key, id);
    return { record, created: true };
  }

  async getConversation(conversationId: ConversationId): Promise<ServiceConversationRecord | null> {
    return this.rows.get(conversationId) ?? null;
  }

  async listOpen(shopId: ShopId): Promise<ServiceConversationRecord[]> {
    return [...this.rows.values()].filter((r) => r.shopId === shopId && r.status !== 'closed')
      .sort((a, b) => a.queuedAt - b.queuedAt || a.conversationId - b.conversationId);
  }

  async shopsWithOpen(limit: number): Promise<ShopId[]> {
    const shops = new Set<ShopId>();
    for (const r of this.rows.values()) if (r.status !== 'closed') shops.add(r.shopId);
    return [...shops].sort((a, b) => a - b).slice(0, limit);
  }

  async commitRouting(shopId: ShopId, expectVersion: number, rows: readonly ServiceConversationRecord[]): Promise<boolean> {
    const shop = this.shops.get(shopId);
    if (!shop || shop.version !== expectVersion) return false;
    for (const r of rows) if (!this.rows.has(r.conversationId) || this.rows.get(r.conversationId)!.shopId !== shopId) return false;
    this.shops.set(shopId, Object.freeze({ ...shop, version: shop.version + 1 }));
    for (const r of rows) this.rows.set(r.conversationId, Object.freeze({ ...r }));
    return true;
  }
}
