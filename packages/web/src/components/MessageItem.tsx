/** One message in the history, or one of this device's sends awaiting its ack. */
import type { ConversationSummary, Message } from '@xinbox/protocol';
import type { MessageView } from '@xinbox/sdk';
import { useState } from 'preact/hooks';
import { clockTime, contentPreview, senderName } from '../state/conversation-view.js';
import { receiptFor, type PendingMessage } from '../state/timeline.js';
import { MessageContent } from './MessageContent.js';
import { ReceiptMark } from './ReceiptMark.js';
import { MessageActions, type MessageActionHandlers } from './MessageActions.js';
import { EditedMark, QuoteBlock, ReactionChips } from './MessageExtras.js';

export interface MessageOps {
  handlers: MessageActionHandlers;
  manager: boolean;
  conversations: readonly ConversationSummary[];
  titleOf: (c: ConversationSummary) => string;
}

interface Props {
  message: Message;
  /** The message with its operations folded in (recall, edits, reactions, pin). */
  view?: MessageView;
  ops?: MessageOps;
  selfId: string | undefined;
  group: boolean;
  peerReadSeq: number;
  nameOf: (userId: string) => string | undefined;
  /** The message a jump (search hit) brought into view: marked for a few seconds. */
  highlighted?: boolean;
}

export function MessageItem({ message: m, view, ops, selfId, group, peerReadSeq, nameOf, highlighted = false }: Props) {
  const [editing, setEditing] = useState(false);
  if (m.content?.kind.case === 'system') {
    return (
      <li class="msg msg--system" data-testid="message" data-seq={m.seq}>
        {contentPreview(m)}
      </li>
    );
  }
  const own = m.senderId === selfId;
  const sender = senderName(m.senderId, selfId, nameOf);
  if (view?.recalled || m.content?.kind.case === 'recalled') {
    const by = view?.recalled?.by ?? m.senderId;
    return (
      <li class="msg msg--system msg--recalled" data-testid="message" data-seq={m.seq} data-recalled="true">
        {by === selfId ? 'You recalled a message' : `${senderName(by, selfId, nameOf)} recalled a message`}
      </li>
    );
  }
  // Mentions of this user (or @all by someone else) are marked, for the eye and for screen readers.
  const mentioned = !own && selfId !== undefined && (m.mentionAll || m.mentions.includes(selfId));
  return (
    <li
      class={`msg ${own ? 'msg--own' : 'msg--other'} ${mentioned ? 'msg--mentioned' : ''} ${highlighted ? 'msg--highlighted' : ''}`}
      data-testid="message"
      data-seq={m.seq}
      data-highlighted={highlighted ? 'true' : undefined}
      aria-current={highlighted ? 'true' : undefined}
      data-own={own ? 'true' : 'false'}
      data-mentioned={mentioned ? 'true' : undefined}
    >
      {mentioned && <span class="sr-only">Mentions you. </span>}
      {group && !own ? <span class="msg__sender">{sender}</span> : <span class="sr-only">{sender}: </span>}
      <div class="msg__bubble">
        {view && <QuoteBlock view={view} nameOf={nameOf} />}
        <MessageContent content={view?.content ?? m.content} />
        {view && ops && <ReactionChips view={view} selfId={selfId} nameOf={nameOf} onToggleReaction={(emoji, add) => ops.handlers.react(view, emoji, add)} />}
        <span class="msg__meta">
          {view && <EditedMark view={view} />}
          <time dateTime={new Date(m.serverTime).toISOString()}>{clockTime(m.serverTime)}</time>
          {own && !group && <ReceiptMark receipt={receiptFor(m.seq, peerReadSeq)} />}
          {own && group && <ReceiptMark receipt="sent" />}
        </span>
      </div>
      {view && ops && (
        <MessageActions
          view={view}
          own={own}
          manager={ops.manager}
          group={group}
          conversations={ops.conversations}
          titleOf={ops.titleOf}
          handlers={ops.handlers}
          editing={editing}
          setEditing={setEditing}
        />
      )}
    </li>
  );
}

export function PendingItem({ pending: p, onRetry }: { pending: PendingMessage; onRetry: (p: PendingMessage) => void }) {
  return (
    <li class={`msg msg--own msg--pending ${p.status === 'failed' ? 'msg--failed' : ''}`} data-testid="message" data-pending="true">
      <span class="sr-only">You: </span>
      <div class="msg__bubble">
        <MessageContent content={p.content} />
        <span class="msg__meta">
          <ReceiptMark receipt={p.status} />
          {p.status === 'failed' && (
            <button type="button" class="link msg__retry" onClick={() => onRetry(p)} title={p.error}>
              Retry
            </button>
          )}
        </span>
      </div>
    </li>
  );
}
