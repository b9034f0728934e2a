/** The "⋯" menu of a conversation row: pin, mute, archive, mark unread (the user's own settings, on every device). */
import type { ConversationSettings, ConversationSummary } from '@xinbox/protocol';
import { useState } from 'preact/hooks';
import { useServices } from './app-context.js';

export function ConversationMenu({ conversation: c, settings: s, title }: { conversation: ConversationSummary; settings: ConversationSettings | undefined; title: string }) {
  const { app } = useServices();
  const [open, setOpen] = useState(false);
  const act = (patch: Parameters<typeof app.settings.change>[1]) => {
    setOpen(false);
    void app.settings.change(c.conversationId, patch);
  };
  const muted = !!s?.muted;
  return (
    <div class="conv-menu">
      <button type="button" class="conv-menu__toggle" aria-haspopup="menu" aria-expanded={open} aria-label={`Options for ${title}`} data-testid="conversation-menu"
        onClick={() => setOpen(!open)}>⋯</button>
      {open && (
        <ul class="conv-menu__list" role="menu" aria-label={`Options for ${title}`}>
          <li role="none"><button type="button" role="menuitem" onClick={() => act({ pinned: !s?.pinnedAt })}>{s?.pinnedAt ? 'Unpin' : 'Pin to top'}</button></li>
          <li role="none"><button type="button" role="menuitem" onClick={() => act({ muted: !muted })}>{muted ? 'Unmute' : 'Mute'}</button></li>
          {muted && (
            <li role="none"><button type="button" role="menuitem" onClick={() => act({ mutedCountsInBadge: !s?.mutedCountsInBadge })}>
              {s?.mutedCountsInBadge ? 'Leave out of the badge' : 'Count in the badge'}
            </button></li>
          )}
          <li role="none"><button type="button" role="menuitem" onClick={() => act({ archived: !s?.archived })}>{s?.archived ? 'Unarchive' : 'Archive'}</button></li>
          {!s?.markedUnread && c.unread === 0 && (
            <li role="none"><button type="button" role="menuitem" onClick={() => act({ markedUnread: true })}>Mark as unread</button></li>
          )}
        </ul>
      )}
    </div>
  );
}
