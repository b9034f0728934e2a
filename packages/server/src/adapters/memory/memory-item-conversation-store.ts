import type { ConversationId, UserId } from '../../core/model.js';
import type { ItemCardRecord, ItemConversationRecord, ItemConversationStore } from '../../core/ports/item-conversation-store.js';
import { insertBareConversation } from './memory-commerce-rows.js';
import type { MemoryTables } from './memory-tables.js';

/** In-memory ItemConversationStore over the shared MemoryTables; each call is atomic (synchronous). */
export class MemoryItemConversationStore implements ItemConversationStore {
  private readonly rows = new Map<ConversationId, ItemConversationRecord>();
  private readonly byKey = new Map<string, ConversationId>();

  constructor(private readonly tables: MemoryTables) {}

  async getOrCreate(buyerId: UserId, sellerId: UserId, item: ItemCardRecord, now: number): Promise<{ record: ItemConversationRecord; created: boolean }> {
    const key = `${buyerId}:${sellerId}:${item.itemId}`;
    const existing = this.byKey.get(key);
    if (existing !== undefined) return { record: this.rows.get(existing)!, created: false };
    const id = insertBareConversation(this.tables, 'direct', [buyerId, sellerId], now);
    const record: ItemConversationRecord = Object.freeze({ conversationId: id, buyerId, sellerId, item: Object.freeze({ ...item }), createdAt: now });
    this.rows.set(id, record);
    this.byKey.set(key, id);
    return { record, created: true };
  }

  async find(buyerId: UserId, sellerId: UserId, itemId: string): Promise<ItemConversationRecord | null> {
    const id = this.byKey.get(`${buyerId}:${sellerId}:${itemId}`);
    return id === undefined ? null : this.rows.get(id)!;
  }

  async get(conversationId: ConversationId): Promise<ItemConversationRecord | null> {
    return this.rows.get(conversationId) ?? null;
  }

  async listForUser(userId: UserId, limit: number): Promise<ItemConversationRecord[]> {
    return [...this.rows.values()].filter((r) => r.buyerId === userId || r.sellerId === userId)
      .sort((a, b) => b.createdAt - a.createdAt || b.conversationId - a.conversationId).slice(0, Math.max(0, limit));
  }
}
