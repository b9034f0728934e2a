/**
 * The per-message menu (shown on hover, focus or long-press): reply, react,
 * edit in place, recall, delete for me, pin, forward. Each action is one SDK call; the
 * result comes back as an operation in the conversation's sequence, so this
 * device and every other one show it the same way.
 */
import type { ConversationSummary } from '@xinbox/protocol';
import type { MessageView } from '@xinbox/sdk';
import { useState } from 'preact/hooks';
import { QUICK_REACTIONS } from '../state/message-ops-view.js';

export interface MessageActionHandlers {
  reply(view: MessageView): void;
  react(view: MessageView, emoji: string, add: boolean): void;
  edit(view: MessageView, text: string): void;
  recall(view: MessageView): void;
  deleteForMe(view: MessageView): void;
  pin(view: MessageView, pinned: boolean): void;
  forward(view: MessageView, to: string): void;
}

interface Props {
  view: MessageView;
  own: boolean;
  /** Group owners/admins may recall anyone's message and pin in groups. */
  manager: boolean;
  group: boolean;
  conversations: readonly ConversationSummary[];
  titleOf: (c: ConversationSummary) => string;
  handlers: MessageActionHandlers;
  editing: boolean;
  setEditing: (editing: boolean) => void;
}

export function MessageActions({ view, own, manager, group, conversations, titleOf, handlers, editing, setEditing }: Props) {
  const [forwarding, setForwarding] = useState(false);
  if (view.recalled) return null;
  const text = view.content?.kind.case === 'text' ? view.content.kind.value.text : undefined;
  if (editing && text !== undefined) {
    return (
      <form
        class="msg__edit"
        onSubmit={(e) => {
          e.preventDefault();
          const value = (e.currentTarget.elements.namedItem('text') as HTMLInputElement).value.trim();
          if (value && value !== text) handlers.edit(view, value);
          setEditing(false);
        }}
      >
        <input name="text" aria-label="Edit message" defaultValue={text} data-testid="edit-input" autoFocus />
        <button type="submit" class="btn">Save</button>
        <button type="button" class="btn" onClick={() => setEditing(false)}>Cancel</button>
      </form>
    );
  }
  return (
    <div class="msg__actions" role="toolbar" aria-label="Message actions" data-testid="message-actions">
      {QUICK_REACTIONS.slice(0, 4).map((emoji) => (
        <button key={emoji} type="button" class="icon-btn" aria-label={`React ${emoji}`} onClick={() => handlers.react(view, emoji, !(view.reactions[emoji] ?? []).length)}>
          {emoji}
        </button>
      ))}
      <button type="button" class="link" onClick={() => handlers.reply(view)}>Reply</button>
      {own && text !== undefined && <button type="button" class="link" onClick={() => setEditing(true)}>Edit</button>}
      {(own || manager) && <button type="button" class="link" onClick={() => handlers.recall(view)}>Recall</button>}
      <button type="button" class="link" onClick={() => handlers.deleteForMe(view)}>Delete for me</button>
      {(!group || manager) && (
        <button type="button" class="link" onClick={() => handlers.pin(view, !view.pinned)}>{view.pinned ? 'Unpin' : 'Pin'}</button>
      )}
      {forwarding ? (
        <select
          aria-label="Forward to"
          data-testid="forward-select"
          onChange={(e) => {
            const to = e.currentTarget.value;
            if (to) handlers.forward(view, to);
            setForwarding(false);
          }}
        >
          <option value="">Forward to…</option>
          {conversations.map((c) => (
            <option key={c.conversationId} value={c.conversationId}>{titleOf(c)}</option>
          ))}
        </select>
      ) : (
        <button type="button" class="link" onClick={() => setForwarding(true)}>Forward</button>
      )}
    </div>
  );
}
