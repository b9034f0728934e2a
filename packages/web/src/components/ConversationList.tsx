/** Conversations, most recent first, with unread badges and presence. */
import { ConversationKind } from '@xinbox/protocol';
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';
import { ConversationRow } from './ConversationRow.js';
import { groupByItem } from './item-groups.js';
import { inArchive, pinnedFirst } from '../state/conversation-settings.js';

export function ConversationList({ activeId }: { activeId: string | undefined }) {
  const { app } = useServices();
  // A direct chat someone opened but nobody wrote in yet stays out of the list
  // (creating a group opens one with each member), unless it is the open one.
  const { items } = useServices();
  const cards = useStore(items.byConversation);
  const byItem = useStore(items.groupByItem);
  const settings = useStore(app.settings.byId);
  const all = pinnedFirst(useStore(app.conversations).filter((c) => c.lastSeq > 0 || c.kind !== ConversationKind.DIRECT || c.conversationId === activeId), settings);
  const list = all.filter((c) => !inArchive(c, settings.get(c.conversationId)));
  const archived = all.filter((c) => inArchive(c, settings.get(c.conversationId)));
  if (all.length === 0) {
    return <p class="sidebar__empty">No conversations yet. Start a chat with someone by their username.</p>;
  }
  const hasItems = list.some((c) => cards.has(c.conversationId));
  const { rest, groups } = groupByItem(list, byItem ? cards : new Map());
  return (
    <>
      {hasItems && (
        <label class="conv-list__grouping">
          <input type="checkbox" name="group-by-item" checked={byItem} onChange={(e) => items.groupByItem.set(e.currentTarget.checked)} />
          <span>Group item chats by item</span>
        </label>
      )}
      <ul class="conv-list" aria-label="Conversation list">
        {rest.map((c) => (
          <ConversationRow key={c.conversationId} conversation={c} active={c.conversationId === activeId} />
        ))}
        {groups.map((g) => (
          <li key={g.itemId} class="conv-group" data-testid="item-group" data-item={g.itemId}>
            <p class="conv-group__title">{g.title} ({g.conversations.length})</p>
            <ul class="conv-list" aria-label={`Chats about ${g.title}`}>
              {g.conversations.map((c) => (
                <ConversationRow key={c.conversationId} conversation={c} active={c.conversationId === activeId} />
              ))}
            </ul>
          </li>
        ))}
      </ul>
      {archived.length > 0 && (
        <details class="conv-archive" data-testid="archived-section">
          <summary>Archived ({archived.length})</summary>
          <ul class="conv-list" aria-label="Archived conversations">
            {archived.map((c) => (
              <ConversationRow key={c.conversationId} conversation={c} active={c.conversationId === activeId} />
            ))}
          </ul>
        </details>
      )}
    </>
  );
}
