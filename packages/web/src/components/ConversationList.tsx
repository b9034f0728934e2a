/** Conversations, most recent first, with unread badges and presence. */
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';
import { ConversationRow } from './ConversationRow.js';

export function ConversationList({ activeId }: { activeId: string | undefined }) {
  const { app } = useServices();
  const list = useStore(app.conversations);
  if (list.length === 0) {
    return <p class="sidebar__empty">No conversations yet. Start a chat with someone by their username.</p>;
  }
  return (
    <ul class="conv-list" aria-label="Conversation list">
      {list.map((c) => (
        <ConversationRow key={c.conversationId} conversation={c} active={c.conversationId === activeId} />
      ))}
    </ul>
  );
}
