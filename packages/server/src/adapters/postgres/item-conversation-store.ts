import type { ConversationId, UserId } from '../../core/model.js';
import type { ItemCardRecord, ItemConversationRecord, ItemConversationStore } from '../../core/ports/item-conversation-store.js';
import type { Sql } from './client.js';
import { insertBareConversation } from './commerce-rows.js';
import { explainForeignKey } from './errors.js';

interface ItemRow {
  conversation_id: number; buyer_id: number; seller_id: number; item_id: string; title: string; price: string; currency: string;
  image_url: string; media_id: string; link: string; created_at: number;
}
const record = (r: ItemRow): ItemConversationRecord => ({
  conversationId: r.conversation_id, buyerId: r.buyer_id, sellerId: r.seller_id, createdAt: r.created_at,
  item: { itemId: r.item_id, title: r.title, price: r.price, currency: r.currency, imageUrl: r.image_url, mediaId: r.media_id, link: r.link },
});

class Lost extends Error {}

/** ItemConversationStore on PostgreSQL: the unique (buyer, seller, item) index decides concurrent creators. */
export class PostgresItemConversationStore implements ItemConversationStore {
  constructor(private readonly sql: Sql) {}

  async getOrCreate(buyerId: UserId, sellerId: UserId, item: ItemCardRecord, now: number): Promise<{ record: ItemConversationRecord; created: boolean }> {
    const existing = await this.find(buyerId, sellerId, item.itemId);
    if (existing) return { record: existing, created: false };
    try {
      const id = await this.sql.begin(async (tx) => {
        const conversationId = await insertBareConversation(tx, 'direct', [buyerId, sellerId], now);
        const rows = await tx`INSERT INTO item_conversations (conversation_id, buyer_id, seller_id, item_id, title, price, currency, image_url, media_id, link, created_at)
          VALUES (${conversationId}, ${buyerId}, ${sellerId}, ${item.itemId}, ${item.title}, ${item.price}, ${item.currency}, ${item.imageUrl},
            ${item.mediaId}, ${item.link}, ${now}) ON CONFLICT (buyer_id, seller_id, item_id) DO NOTHING RETURNING 1`;
        if (rows.length === 0) throw new Lost();
        return conversationId;
      });
      return { record: (await this.get(id))!, created: true };
    } catch (e) {
      if (!(e instanceof Lost)) throw explainForeignKey(e);
      const winner = await this.find(buyerId, sellerId, item.itemId);
      if (!winner) throw new Error(`item conversation ${buyerId}:${sellerId}:${item.itemId} vanished`, { cause: e });
      return { record: winner, created: false };
    }
  }

  async find(buyerId: UserId, sellerId: UserId, itemId: string): Promise<ItemConversationRecord | null> {
    const [r] = await this.sql<ItemRow[]>`SELECT * FROM item_conversations WHERE buyer_id = ${buyerId} AND seller_id = ${sellerId} AND item_id = ${itemId}`;
    return r ? record(r) : null;
  }

  async get(conversationId: ConversationId): Promise<ItemConversationRecord | null> {
    const [r] = await this.sql<ItemRow[]>`SELECT * FROM item_conversations WHERE conversation_id = ${conversationId}`;
    return r ? record(r) : null;
  }

  async listForUser(userId: UserId, limit: number): Promise<ItemConversationRecord[]> {
    return (await this.sql<ItemRow[]>`SELECT * FROM item_conversations WHERE buyer_id = ${userId} OR seller_id = ${userId}
      ORDER BY created_at DESC, conversation_id DESC LIMIT ${Math.max(0, limit)}`).map(record);
  }
}
