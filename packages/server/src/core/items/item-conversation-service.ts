import type { AppLinks } from '../identity/user-apps.js';
import { Errors, XinboxError, create, ItemConversationSchema, type ItemCard, type ItemConversation } from '@xinbox/protocol';
import type { UserId } from '../model.js';
import type { IdentityStore } from '../ports/identity-store.js';
import type { ItemCardRecord, ItemConversationRecord, ItemConversationStore } from '../ports/item-conversation-store.js';
import type { PermissionChecks } from '../social/permission-checks.js';

const MAX = { itemId: 128, title: 200, price: 32, currency: 8, url: 2048, mediaId: 64 } as const;
const PRICE = /^\d{1,15}(\.\d{1,4})?$/;
const MAX_LIST = 200;

/**
 * Item conversations (seed 002, 闲鱼: "person + person + item"): a buyer opens
 * a conversation with a seller about one item; each (buyer, seller, item) is
 * its own ordinary two-member conversation, with the item card kept beside
 * it. Sending, sync, unread and blocks work as in any direct conversation.
 */
export class ItemConversationService {
  constructor(
    private readonly store: ItemConversationStore,
    private readonly identity: IdentityStore,
    private readonly relations: PermissionChecks | null,
    private readonly clock: () => number = Date.now,
    /** Users' apps (ADR 0013): buyer and seller are of one app. */
    private readonly apps: AppLinks | null = null,
  ) {}

  async open(buyerId: UserId, sellerId: UserId, card: ItemCard | undefined): Promise<ItemConversation> {
    if (sellerId === buyerId) throw new XinboxError(Errors.INVALID_ARGUMENT, 'cannot open an item conversation with yourself');
    const item = checkCard(card);
    const [seller] = await this.identity.getUsers([sellerId]);
    if (!seller) throw new XinboxError(Errors.NOT_FOUND, 'no such user');
    await this.apps?.requireSameApp(buyerId, sellerId);
    // A new conversation needs the seller's consent (blocks, "messages from"), like OpenDirect.
    const existing = await this.store.find(buyerId, sellerId, item.itemId);
    if (existing) return itemToWire(existing);
    await this.relations?.checkMessage(buyerId, sellerId);
    const { record } = await this.store.getOrCreate(buyerId, sellerId, item, this.clock());
    return itemToWire(record);
  }

  async list(userId: UserId, limit: number): Promise<ItemConversation[]> {
    const n = limit > 0 ? Math.min(limit, MAX_LIST) : MAX_LIST;
    return (await this.store.listForUser(userId, n)).map(itemToWire);
  }
}

function checkCard(card: ItemCard | undefined): ItemCardRecord {
  if (!card) throw new XinboxError(Errors.INVALID_ITEM, 'item is required');
  const bad = (why: string): never => {
    throw new XinboxError(Errors.INVALID_ITEM, why);
  };
  const itemId = card.itemId.trim();
  const title = card.title.trim();
  if (itemId === '' || itemId.length > MAX.itemId) bad(`itemId must be 1-${MAX.itemId} characters`);
  if (title === '' || title.length > MAX.title) bad(`title must be 1-${MAX.title} characters`);
  if (card.price !== '' && (card.price.length > MAX.price || !PRICE.test(card.price))) bad('price must be a decimal like 12.50');
  if (card.currency.length > MAX.currency) bad(`currency is at most ${MAX.currency} characters`);
  if (card.mediaId.length > MAX.mediaId) bad(`mediaId is at most ${MAX.mediaId} characters`);
  for (const [name, url] of [['imageUrl', card.imageUrl], ['link', card.link]] as const) {
    if (url === '') continue;
    if (url.length > MAX.url) bad(`${name} is at most ${MAX.url} characters`);
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      bad(`${name} is not a URL`);
    }
    if (parsed && parsed.protocol !== 'https:' && parsed.protocol !== 'http:') bad(`${name} must be http(s)`);
  }
  return { itemId, title, price: card.price, currency: card.currency, imageUrl: card.imageUrl, mediaId: card.mediaId, link: card.link };
}

export function itemToWire(r: ItemConversationRecord): ItemConversation {
  return create(ItemConversationSchema, {
    conversationId: String(r.conversationId), buyerId: String(r.buyerId), sellerId: String(r.sellerId), createdAt: r.createdAt,
    item: { ...r.item },
  });
}
