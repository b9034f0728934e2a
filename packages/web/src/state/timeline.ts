/**
 * One conversation's messages as the chat view shows them: delivered messages
 * in seq order (each seq once, whichever path brought it: history page, live
 * push, catch-up after a reconnect) plus this device's sends still waiting for
 * their ack. Pure functions so the merge rules are easy to test.
 */
import type { Message } from '@xinbox/protocol';
import type { ContentInit } from '@xinbox/sdk';

export interface PendingMessage {
  readonly clientMsgId: string;
  readonly content: ContentInit;
  /** @mentions of a group message (user ids) and @all. */
  readonly mentions?: readonly string[];
  readonly mentionAll?: boolean;
  readonly status: 'sending' | 'failed';
  readonly error?: string;
}

export interface Timeline {
  /** Ascending by seq, no two with the same seq. Includes hidden placeholders (they keep paging exact). */
  readonly messages: readonly Message[];
  readonly pending: readonly PendingMessage[];
  /** The newest page has been fetched since this page load. */
  readonly loaded: boolean;
  /** Older messages exist on the server. */
  readonly hasMore: boolean;
  readonly loading: boolean;
  readonly error?: string;
}

export const HISTORY_PAGE = 10;

export function emptyTimeline(): Timeline {
  return { messages: [], pending: [], loaded: false, hasMore: true, loading: false };
}

/** Merges messages in, keeping seq order and dropping seqs already present. */
export function mergeMessages(existing: readonly Message[], incoming: readonly Message[]): readonly Message[] {
  if (incoming.length === 0) return existing;
  const bySeq = new Map<number, Message>();
  for (const m of existing) bySeq.set(m.seq, m);
  let added = false;
  for (const m of incoming) {
    if (bySeq.has(m.seq)) continue;
    bySeq.set(m.seq, m);
    added = true;
  }
  if (!added) return existing;
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** Delete for me (this or another device): the messages become hidden placeholders, which the view leaves out. */
export function withHidden(t: Timeline, seqs: readonly number[]): Timeline {
  const gone = new Set(seqs);
  if (!t.messages.some((m) => gone.has(m.seq) && !m.hidden)) return t;
  return { ...t, messages: t.messages.map((m) => (gone.has(m.seq) ? { ...m, hidden: true, content: undefined } : m)) };
}

/** A delivered message: stored, and the matching pending send (if any) is done. */
export function withDelivered(t: Timeline, m: Message): Timeline {
  const messages = mergeMessages(t.messages, [m]);
  const pending = m.clientMsgId ? t.pending.filter((p) => p.clientMsgId !== m.clientMsgId) : t.pending;
  if (messages === t.messages && pending.length === t.pending.length) return t;
  return { ...t, messages, pending };
}

/** A history page (newest first, as the server returns it) merged in. */
export function withHistoryPage(t: Timeline, page: readonly Message[], hasMore: boolean, firstPage: boolean): Timeline {
  const messages = mergeMessages(t.messages, page);
  const oldest = messages[0]?.seq ?? 0;
  const delivered = new Set(messages.map((m) => m.clientMsgId).filter(Boolean));
  return {
    ...t,
    messages,
    pending: t.pending.filter((p) => !delivered.has(p.clientMsgId)),
    loaded: t.loaded || firstPage,
    // A page can only be older than what we hold; seq 1 is the very first message.
    hasMore: hasMore && oldest > 1,
    loading: false,
    error: undefined,
  };
}

/** The seq to page back from: messages before the oldest one held (0 = newest). */
export function oldestSeq(t: Timeline): number {
  return t.messages[0]?.seq ?? 0;
}

export function withPending(t: Timeline, p: PendingMessage): Timeline {
  const rest = t.pending.filter((x) => x.clientMsgId !== p.clientMsgId);
  return { ...t, pending: [...rest, p] };
}

export function withPendingFailed(t: Timeline, clientMsgId: string, error: string): Timeline {
  if (!t.pending.some((p) => p.clientMsgId === clientMsgId)) return t;
  return { ...t, pending: t.pending.map((p) => (p.clientMsgId === clientMsgId ? { ...p, status: 'failed', error } : p)) };
}

/** Whether a message the user sent has been read by the peer (direct chats: peerReadSeq). */
export type Receipt = 'sending' | 'failed' | 'sent' | 'read';

export function receiptFor(seq: number, peerReadSeq: number): Receipt {
  return seq > 0 && peerReadSeq >= seq ? 'read' : 'sent';
}
