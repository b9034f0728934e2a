/** One message in the history, or one of this device's sends awaiting its ack. */
import type { Message } from '@xinbox/protocol';
import { clockTime, contentPreview, senderName } from '../state/conversation-view.js';
import { receiptFor, type PendingMessage } from '../state/timeline.js';
import { MessageContent } from './MessageContent.js';
import { ReceiptMark } from './ReceiptMark.js';

interface Props {
  message: Message;
  selfId: string | undefined;
  group: boolean;
  peerReadSeq: number;
  nameOf: (userId: string) => string | undefined;
}

export function MessageItem({ message: m, selfId, group, peerReadSeq, nameOf }: Props) {
  if (m.content?.kind.case === 'system') {
    return (
      <li class="msg msg--system" data-testid="message" data-seq={m.seq}>
        {contentPreview(m)}
      </li>
    );
  }
  const own = m.senderId === selfId;
  const sender = senderName(m.senderId, selfId, nameOf);
  // Mentions of this user (or @all by someone else) are marked, for the eye and for screen readers.
  const mentioned = !own && selfId !== undefined && (m.mentionAll || m.mentions.includes(selfId));
  return (
    <li
      class={`msg ${own ? 'msg--own' : 'msg--other'} ${mentioned ? 'msg--mentioned' : ''}`}
      data-testid="message"
      data-seq={m.seq}
      data-own={own ? 'true' : 'false'}
      data-mentioned={mentioned ? 'true' : undefined}
    >
      {mentioned && <span class="sr-only">Mentions you. </span>}
      {group && !own ? <span class="msg__sender">{sender}</span> : <span class="sr-only">{sender}: </span>}
      <div class="msg__bubble">
        <MessageContent content={m.content} />
        <span class="msg__meta">
          <time dateTime={new Date(m.serverTime).toISOString()}>{clockTime(m.serverTime)}</time>
          {own && !group && <ReceiptMark receipt={receiptFor(m.seq, peerReadSeq)} />}
          {own && group && <ReceiptMark receipt="sent" />}
        </span>
      </div>
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
