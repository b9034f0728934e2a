/** The left column: who is logged in, actions, and the conversation list. */
import { useState } from 'preact/hooks';
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';
import { ConversationList } from './ConversationList.js';
import { JoinGroupDialog } from './JoinGroupDialog.js';
import { NewChatDialog } from './NewChatDialog.js';
import { NewGroupDialog } from './NewGroupDialog.js';
import { ThemeToggle } from './ThemeToggle.js';
import { NotificationToggle } from './NotificationToggle.js';
import { SearchPanel } from './SearchPanel.js';

type DialogName = 'chat' | 'group' | 'join' | 'search' | undefined;

export function Sidebar({ activeId }: { activeId: string | undefined }) {
  const { app, router } = useServices();
  const me = useStore(app.me);
  const [dialog, setDialog] = useState<DialogName>(undefined);
  const close = () => setDialog(undefined);
  const opened = (conversationId: string) => {
    setDialog(undefined);
    if (conversationId) router.go({ kind: 'chat', conversationId });
  };

  return (
    <nav class="sidebar" aria-label="Conversations">
      <header class="sidebar__header">
        <h1 class="brand">
          <span class="brand__mark" aria-hidden="true">✉</span> Xinbox
        </h1>
        <div class="sidebar__tools">
          <ThemeToggle />
        </div>
      </header>
      <p class="sidebar__me">
        <span>
          Signed in as <strong data-testid="me">{me?.username}</strong>
        </span>
        <button type="button" class="link" onClick={() => void app.logout()}>
          Log out
        </button>
      </p>
      <p class="sidebar__notify">
        <NotificationToggle />
      </p>
      <div class="sidebar__actions" role="group" aria-label="Start">
        <button type="button" class="btn btn--primary" onClick={() => setDialog('chat')}>
          New chat
        </button>
        <button type="button" class="btn" onClick={() => setDialog('group')}>
          New group
        </button>
        <button type="button" class="btn" onClick={() => setDialog('join')}>
          Join group
        </button>
        <button type="button" class="btn" onClick={() => router.go({ kind: 'room', roomId: '' })}>
          Live room
        </button>
        <button type="button" class="btn" onClick={() => router.go({ kind: 'friends' })}>
          Friends
        </button>
        <button type="button" class="btn" onClick={() => router.go({ kind: 'service', shopId: '' })}>
          Service desk
        </button>
        <button type="button" class="btn" onClick={() => setDialog('search')} aria-haspopup="dialog">
          Search messages
        </button>
      </div>
      <ConversationList activeId={activeId} />
      {dialog === 'chat' && <NewChatDialog onClose={close} onOpened={opened} />}
      {dialog === 'group' && <NewGroupDialog onClose={close} onOpened={opened} />}
      {dialog === 'join' && <JoinGroupDialog onClose={close} onOpened={opened} />}
      {dialog === 'search' && <SearchPanel onClose={close} />}
    </nav>
  );
}
