/**
 * Item cards of item conversations (闲鱼, protocol.md §21), by conversation
 * id, for the card on top of a chat and for grouping the list by item. Read
 * once per connect, and again when a conversation shows up that is not known.
 */
import type { ItemConversation } from '@xinbox/protocol';
import type { XinboxClient } from '@xinbox/sdk';
import { Store } from './store.js';

export class ItemCards {
  readonly byConversation = new Store<ReadonlyMap<string, ItemConversation>>(new Map());
  /** The list shows item conversations grouped under their item. */
  readonly groupByItem = new Store(false);
  private loading: Promise<void> | null = null;
  private readonly asked = new Set<string>();

  constructor(private readonly client: XinboxClient) {
    client.on('connected', () => void this.load());
  }

  /** The card of this conversation, loading the list once if it is not known yet. */
  ensure(conversationId: string): void {
    if (this.byConversation.value.has(conversationId) || this.asked.has(conversationId)) return;
    this.asked.add(conversationId);
    void this.load();
  }

  /** Opens (or returns to) the conversation with a seller about an item; returns its id. */
  async open(sellerUsername: string, item: { itemId: string; title: string; price?: string; imageUrl?: string; link?: string }): Promise<string> {
    const seller = await this.client.lookupUser(sellerUsername.trim().toLowerCase());
    if (!seller) throw new Error(`No user named ${sellerUsername.trim()}.`);
    const c = await this.client.openItemConversation(seller.userId, item);
    this.byConversation.update((m) => new Map(m).set(c.conversationId, c));
    return c.conversationId;
  }

  private load(): Promise<void> {
    this.loading ??= this.client.listItemConversations().then(
      (list) => this.byConversation.set(new Map(list.map((c) => [c.conversationId, c]))),
      () => undefined,
    ).finally(() => {
      this.loading = null;
    });
    return this.loading;
  }
}
