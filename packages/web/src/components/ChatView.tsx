/** One open conversation: header, scrolling history, who is typing, composer. */
import { ConversationKind, type Message } from '@xinbox/protocol';
import { useEffect, useState } from 'preact/hooks';
import { conversationTitle } from '../state/conversation-view.js';
import { useStore } from '../state/store.js';
import { emptyTimeline } from '../state/timeline.js';
import { useServices } from './app-context.js';
import { Avatar } from './Avatar.js';
import { Composer } from './Composer.js';
import { MembersDialog } from './MembersDialog.js';
import { MessageList } from './MessageList.js';
import { ReplyPreview } from './ReplyPreview.js';
import { TypingIndicator } from './TypingIndicator.js';
import { UploadBar } from './UploadBar.js';
import { ItemCardView } from './ItemCardView.js';
import { GroupReceipts } from './GroupReceipts.js';
import { SearchPanel } from './SearchPanel.js';
import { useGroupPeople } from './use-group-people.js';

export function ChatView({ conversationId }: { conversationId: string }) {
  const { app, router, items, desk } = useServices();
  // A service conversation this agent serves is titled by its customer.
  const served = useStore(desk.board)?.active.find((c) => c.conversationId === conversationId);
  const item = useStore(items.byConversation).get(conversationId);
  const me = useStore(app.me);
  const conv = useStore(app.conversations).find((c) => c.conversationId === conversationId);
  const draft = useStore(app.settings.byId).get(conversationId)?.draft ?? '';
  const timeline = useStore(app.messages.timelines).get(conversationId) ?? emptyTimeline();
  const names = useStore(app.directory.names);
  const online = useStore(app.directory.online);
  const typingUsers = useStore(app.typing.typing).get(conversationId) ?? [];
  const receiptSeq = useStore(app.peerReads).get(conversationId) ?? 0;
  const [membersOpen, setMembersOpen] = useState(false);
  const [searchOpen, setSearchOpen] = useState(false);

  useEffect(() => items.ensure(conversationId), [items, conversationId]);
  useEffect(() => {
    app.setActiveConversation(conversationId);
    return () => app.setActiveConversation(undefined);
  }, [app, conversationId]);

  const nameOf = (id: string) => names.get(id);
  const title = item?.item ? item.item.title : served ? `${served.customerName} (customer)` : conv ? conversationTitle(conv, nameOf) : 'Conversation';
  const direct = conv?.kind === ConversationKind.DIRECT;
  const group = conv?.kind === ConversationKind.GROUP;
  const peerOnline = direct && conv ? online.get(conv.peerId) : undefined;
  const people = useGroupPeople(conversationId, group, conv?.memberCount ?? 0);
  const lastOwnSeq = group ? lastOwnMessageSeq(timeline.messages, me?.userId) : 0;
  const back = () => router.go({ kind: 'list' });
  const upload = (files: File[]) => {
    for (const f of files) app.uploads.start(conversationId, f, f.name || 'pasted');
  };
  const [dragging, setDragging] = useState(false);

  return (
    <section
      class={`chat ${dragging ? 'chat--drop' : ''}`}
      aria-labelledby="chat-title"
      onDragOver={(e) => {
        if (!e.dataTransfer?.types.includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        setDragging(false);
        const files = [...(e.dataTransfer?.files ?? [])];
        if (files.length === 0) return;
        e.preventDefault();
        upload(files);
      }}
      onKeyDown={(e) => {
        // Esc on the chat goes back to the list on phone widths, where the list is hidden.
        const inDialog = (e.target as Element | null)?.closest('dialog');
        if (e.key === 'Escape' && !e.defaultPrevented && !inDialog && window.matchMedia('(max-width: 720px)').matches) back();
      }}
    >
      <header class="chat__header">
        <button type="button" class="icon-btn chat__back" onClick={back} aria-label="Back to conversations">
          <span aria-hidden="true">←</span>
        </button>
        <Avatar name={title} group={group} online={peerOnline} />
        <div class="chat__heading">
          <h2 id="chat-title" data-testid="chat-title">
            {title}
          </h2>
          <p class="chat__sub">
            {direct ? (peerOnline === undefined ? 'Direct chat' : peerOnline ? 'Online' : 'Offline') : group ? `${conv?.memberCount ?? 0} members` : ''}
          </p>
        </div>
        <button type="button" class="btn" onClick={() => setSearchOpen(true)} aria-haspopup="dialog">
          Search
        </button>
        {group && (
          <button type="button" class="btn" onClick={() => setMembersOpen(true)} aria-haspopup="dialog">
            Members
          </button>
        )}
      </header>
      {item && <ItemCardView conversation={item} myId={me?.userId} />}
      <MessageList
        conversationId={conversationId}
        timeline={timeline}
        group={group}
        manager={people.canMentionAll}
        peerReadSeq={direct ? Math.max(conv?.peerReadSeq ?? 0, receiptSeq) : 0}
        onLoadOlder={() => void app.loadOlder(conversationId)}
        onRetry={(p) => app.retry(conversationId, p)}
      />
      {group && lastOwnSeq > 0 && <GroupReceipts conversationId={conversationId} seq={lastOwnSeq} />}
      <TypingIndicator names={typingUsers.map((u) => nameOf(u) ?? 'Someone')} />
      <UploadBar uploads={app.uploads} conversationId={conversationId} />
      <ReplyPreview conversationId={conversationId} />
      <Composer
        key={conversationId}
        label={`Message ${title}`}
        onSend={(content, mentions) => app.send(conversationId, content, mentions)}
        mentionCandidates={people.members}
        canMentionAll={people.canMentionAll}
        selfId={me?.userId}
        onTyping={() => app.noteTyping(conversationId)}
        onFiles={upload}
        onVoice={(clip) => app.uploads.start(conversationId, clip, 'Voice message', 'audio')}
        draft={draft}
        onDraft={(text) => app.settings.saveDraft(conversationId, text)}
      />
      {searchOpen && <SearchPanel conversationId={conversationId} onClose={() => setSearchOpen(false)} />}
      {membersOpen && (
        <MembersDialog
          conversationId={conversationId}
          onClose={() => setMembersOpen(false)}
          onLeft={() => {
            setMembersOpen(false);
            back();
          }}
        />
      )}
    </section>
  );
}

/** The seq of the user's newest delivered (non-system) message, 0 if none. */
function lastOwnMessageSeq(messages: readonly Message[], selfId: string | undefined): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.senderId === selfId && m.content?.kind.case !== 'system') return m.seq;
  }
  return 0;
}
