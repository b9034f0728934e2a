import type { ConversationId, UserId } from '../model.js';

/** The item an item conversation is about (seed 002, 闲鱼: person + person + item). */
export interface ItemCardRecord {
  readonly itemId: string;
  readonly title: string;
  readonly price: string;
  readonly currency: string;
  readonly imageUrl: string;
  readonly mediaId: string;
  readonly link: string;
}

export interface ItemConversationRecord {
  readonly conversationId: ConversationId;
  readonly buyerId: UserId;
  readonly sellerId: UserId;
  readonly item: ItemCardRecord;
  readonly createdAt: number;
}

/**
 * Conversations identified by (buyer, seller, item). Each is an ordinary
 * two-member conversation of kind 'direct' (so blocks and privacy apply to
 * its sends) that is not the pair's direct chat: one pair may have several,
 * one per item.
 *
 * Contract:
 * - `getOrCreate` is atomic on (buyer, seller, itemId): concurrent calls
 *   return the same conversation, exactly one reports created = true; the
 *   card stored is the creator's (later calls do not change it).
 * - Distinct items (or roles swapped) give distinct conversations.
 * - `listForUser` returns the user's item conversations as buyer or seller,
 *   newest first.
 */
export interface ItemConversationStore {
  getOrCreate(buyerId: UserId, sellerId: UserId, item: ItemCardRecord, now: number): Promise<{ record: ItemConversationRecord; created: boolean }>;
  find(buyerId: UserId, sellerId: UserId, itemId: string): Promise<ItemConversationRecord | null>;
  get(conversationId: ConversationId): Promise<ItemConversationRecord | null>;
  listForUser(userId: UserId, limit: number): Promise<ItemConversationRecord[]>;
}
