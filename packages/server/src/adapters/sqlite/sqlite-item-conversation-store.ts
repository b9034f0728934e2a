import type Database from 'better-sqlite3';
import type { ConversationId, UserId } from '../../core/model.js';
import type { ItemCardRecord, ItemConversationRecord, ItemConversationStore } from '../../core/ports/item-conversation-store.js';
import { bareConversationStatements } from './sqlite-commerce-rows.js';

interface ItemRow {
  conversation_id: number; buyer_id: number; seller_id: number; item_id: string; title: string; price: string; currency: string;
  image_url: string; media_id: string; link: string; created_at: number;
}
const record = (r: ItemRow): ItemConversationRecord => ({
  conversationId: r.conversation_id, buyerId: r.buyer_id, sellerId: r.seller_id, createdAt: r.created_at,
  item: { itemId: r.item_id, title: r.title, price: r.price, currency: r.currency, imageUrl: r.image_url, mediaId: r.media_id, link: r.link },
});

/** ItemConversationStore on SQLite: getOrCreate is one IMMEDIATE transaction on the (buyer, seller, item) key. */
export class SqliteItemConversationStore implements ItemConversationStore {
  private readonly stmts;
  private readonly createTx;

  constructor(db: Database.Database) {
    const bare = bareConversationStatements(db);
    this.stmts = {
      find: db.prepare<[number, number, string], ItemRow>('SELECT * FROM item_conversations WHERE buyer_id = ? AND seller_id = ? AND item_id = ?'),
      insert: db.prepare(`INSERT INTO item_conversations (conversation_id, buyer_id, seller_id, item_id, title, price, currency, image_url, media_id, link, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      get: db.prepare<[number], ItemRow>('SELECT * FROM item_conversations WHERE conversation_id = ?'),
      list: db.prepare<[number, number, number], ItemRow>(`SELECT * FROM item_conversations WHERE buyer_id = ? OR seller_id = ?
        ORDER BY created_at DESC, conversation_id DESC LIMIT ?`),
    };
    this.createTx = db.transaction((buyerId: UserId, sellerId: UserId, item: ItemCardRecord, now: number) => {
      const existing = this.stmts.find.get(buyerId, sellerId, item.itemId);
      if (existing) return { record: record(existing), created: false };
      const id = bare.insert('direct', [buyerId, sellerId], now);
      this.stmts.insert.run(id, buyerId, sellerId, item.itemId, item.title, item.price, item.currency, item.imageUrl, item.mediaId, item.link, now);
      return { record: record(this.stmts.get.get(id)!), created: true };
    });
  }

  async getOrCreate(buyerId: UserId, sellerId: UserId, item: ItemCardRecord, now: number): Promise<{ record: ItemConversationRecord; created: boolean }> {
    return this.createTx.immediate(buyerId, sellerId, item, now);
  }

  async find(buyerId: UserId, sellerId: UserId, itemId: string): Promise<ItemConversationRecord | null> {
    const r = this.stmts.find.get(buyerId, sellerId, itemId);
    return r ? record(r) : null;
  }

  async get(conversationId: ConversationId): Promise<ItemConversationRecord | null> {
    const r = this.stmts.get.get(conversationId);
    return r ? record(r) : null;
  }

  async listForUser(userId: UserId, limit: number): Promise<ItemConversationRecord[]> {
    return this.stmts.list.all(userId, userId, Math.max(0, limit)).map(record);
  }
}
