/** Conversations, most recent first, with unread badges and presence. */
import { ConversationKind } from '@xinbox/protocol';
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';
import { ConversationRow } from './ConversationRow.js';

export function ConversationList({ activeId }: { activeId: string | undefined }) {
  const { app } = useServices();
  // A direct chat someone opened but nobody wrote in yet stays out of the list
  // (creating a group opens one with each member), unless it is the open one.
  const list = useStore(app.conversations).filter((c) => c.lastSeq > 0 || c.kind !== ConversationKind.DIRECT || c.conversationId === activeId);
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
