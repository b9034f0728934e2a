/**
 * The logged-in layout: conversation list beside the open chat (or live
 * room). On a phone-width screen only one of the two shows at a time.
 */
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';
import { ChatView } from './ChatView.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { LiveRoom } from './LiveRoom.js';
import { Sidebar } from './Sidebar.js';
import { FriendsPanel } from './FriendsPanel.js';
import { ServiceWorkbench } from './ServiceWorkbench.js';

export function Shell() {
  const { router } = useServices();
  const route = useStore(router.route);
  const detail = route.kind !== 'list';
  return (
    <div class={`shell ${detail ? 'shell--detail' : 'shell--list'}`}>
      <ConnectionBanner />
      <div class="shell__body">
        <Sidebar activeId={route.kind === 'chat' ? route.conversationId : undefined} />
        <main class="pane" aria-label={route.kind === 'room' ? 'Live room' : route.kind === 'friends' ? 'Friends' : route.kind === 'service' ? 'Service desk' : 'Chat'}>
          {route.kind === 'chat' ? (
            <ChatView key={route.conversationId} conversationId={route.conversationId} />
          ) : route.kind === 'room' ? (
            <LiveRoom initialRoomId={route.roomId} />
          ) : route.kind === 'friends' ? (
            <FriendsPanel />
          ) : route.kind === 'service' ? (
            <ServiceWorkbench shopId={route.shopId} />
          ) : (
            <div class="empty">
              <p class="empty__title">No chat selected</p>
              <p>Pick a conversation, or start a new one.</p>
            </div>
          )}
        </main>
      </div>
    </div>
  );
}
