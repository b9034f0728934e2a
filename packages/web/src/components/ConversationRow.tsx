/** One conversation in the list: name, last message, time, unread count. */
import { ConversationKind, type ConversationSummary } from '@xinbox/protocol';
import { contentPreview, conversationTitle, senderName, shortTime } from '../state/conversation-view.js';
import { useEffect } from 'preact/hooks';
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';
import { Avatar } from './Avatar.js';
import { UnreadBadge } from './UnreadBadge.js';
import { ConversationMenu } from './ConversationMenu.js';

export function ConversationRow({ conversation: c, active }: { conversation: ConversationSummary; active: boolean }) {
  const { app, router, items, desk } = useServices();
  const served = useStore(desk.board)?.active.find((x) => x.conversationId === c.conversationId);
  const item = useStore(items.byConversation).get(c.conversationId);
  // Any two-person conversation may be an item conversation: its card is looked up once.
  useEffect(() => {
    if (c.kind === ConversationKind.DIRECT) items.ensure(c.conversationId);
  }, [items, c.kind, c.conversationId]);
  const names = useStore(app.directory.names);
  const online = useStore(app.directory.online);
  const me = useStore(app.me);
  const typing = useStore(app.typing.typing).get(c.conversationId);
  const settings = useStore(app.settings.byId).get(c.conversationId);
  const muted = !!settings?.muted;
  // "Mark as unread" shows at least 1 until the conversation is read.
  const unread = settings?.markedUnread ? Math.max(1, c.unread) : c.unread;
  const nameOf = (id: string) => names.get(id);
  // An item conversation (闲鱼) is named by its item.
  const title = item?.item
    ? `${item.item.title} · ${nameOf(item.buyerId === me?.userId ? item.sellerId : item.buyerId) ?? 'item chat'}`
    : served ? `${served.customerName} (customer)` : conversationTitle(c, nameOf);
  const direct = c.kind === ConversationKind.DIRECT;
  const peerOnline = direct ? online.get(c.peerId) : undefined;
  const last = c.lastMessage;
  let preview = contentPreview(last);
  if (last && !direct && last.content?.kind.case !== 'system') preview = `${senderName(last.senderId, me?.userId, nameOf)}: ${preview}`;
  else if (last && last.senderId === me?.userId) preview = `You: ${preview}`;
  if (typing?.length) preview = 'typing…';

  const label = [
    title,
    direct ? (peerOnline ? 'online' : 'offline') : 'group',
    unread > 0 ? `${unread} unread` : '',
    settings?.pinnedAt ? 'pinned' : '',
    muted ? 'muted' : '',
    preview ? `last message: ${preview}` : '',
  ]
    .filter(Boolean)
    .join(', ');

  return (
    <li class={`conv-row-item ${settings?.pinnedAt ? 'conv-row-item--pinned' : ''}`} data-pinned={settings?.pinnedAt ? 'true' : 'false'}>
      <a
        class={`conv-row ${active ? 'conv-row--active' : ''} ${unread > 0 ? 'conv-row--unread' : ''}`}
        href={`#/c/${c.conversationId}`}
        aria-current={active ? 'page' : undefined}
        aria-label={label}
        data-testid="conversation"
        data-title={title}
        onClick={(e) => {
          e.preventDefault();
          router.go({ kind: 'chat', conversationId: c.conversationId });
        }}
      >
        <Avatar name={title} group={!direct} online={peerOnline} />
        <span class="conv-row__main">
          <span class="conv-row__top">
            <span class="conv-row__title">{settings?.pinnedAt ? <span aria-hidden="true">📌 </span> : null}{title}{muted ? <span class="conv-row__muted" aria-hidden="true"> 🔕</span> : null}</span>
            <span class="conv-row__time">{shortTime(c.updatedAt)}</span>
          </span>
          <span class="conv-row__bottom">
            <span class={`conv-row__preview ${typing?.length ? 'conv-row__preview--typing' : ''}`}>{preview || 'No messages yet'}</span>
            {settings?.draft && !active ? <span class="conv-row__draft" data-testid="draft-mark">Draft</span> : null}
            <UnreadBadge count={unread} mentions={c.mentions} muted={muted} />
          </span>
        </span>
      </a>
      <ConversationMenu conversation={c} settings={settings} title={title} />
    </li>
  );
}
