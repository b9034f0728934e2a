/** Splitting the conversation list into ordinary rows and item groups (闲鱼: one group per item, newest first). */
import type { ConversationSummary, ItemConversation } from '@xinbox/protocol';

export interface ItemGroup {
  readonly itemId: string;
  readonly title: string;
  readonly conversations: readonly ConversationSummary[];
}

export function groupByItem(list: readonly ConversationSummary[], cards: ReadonlyMap<string, ItemConversation>): { rest: ConversationSummary[]; groups: ItemGroup[] } {
  const rest: ConversationSummary[] = [];
  const groups = new Map<string, { itemId: string; title: string; conversations: ConversationSummary[] }>();
  for (const c of list) {
    const item = cards.get(c.conversationId)?.item;
    if (!item) {
      rest.push(c);
      continue;
    }
    let g = groups.get(item.itemId);
    if (!g) groups.set(item.itemId, (g = { itemId: item.itemId, title: item.title, conversations: [] }));
    g.conversations.push(c);
  }
  return { rest, groups: [...groups.values()] };
}
