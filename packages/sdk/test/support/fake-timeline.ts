/**
 * An in-memory model of the server's side of sync for SyncEngine tests:
 * conversations with gap-free seqs, one user's sync timeline with a
 * retention floor, read fan-out ("large") conversations outside the
 * timeline. It answers the SyncRpc calls the way the wire contract says.
 */
import { ConversationKind, ConversationListSchema, ConversationSummarySchema, HistoryResultSchema, MessageSchema, PushSchema, SyncResultSchema, create, type Message, type Push } from '@xinbox/protocol';
import type { PushAckPayload } from '../../src/ack-batcher.js';
import type { SyncRpc } from '../../src/sync-engine.js';

export const ME = '1';

export class FakeTimeline implements SyncRpc {
  readonly conversations = new Map<string, Message[]>();
  readonly large = new Set<string>();
  readonly readSeq = new Map<string, number>();
  readonly timeline: Push[] = [];
  /** Entries with syncSeq below this are trimmed. */
  oldestRetained = 1;
  readonly acks: PushAckPayload[] = [];
  readonly calls: string[] = [];
  /** Seqs that exist but this reader gets nothing for (not even a placeholder). */
  readonly missing = new Set<string>();
  /** Delay every reply by this many ms (lets pushes race a sync). */
  latencyMs = 0;
  private nextId = 5000;

  append(conversationId: string, senderId = '2', opts: { hidden?: boolean } = {}): Push {
    const list = this.conversations.get(conversationId) ?? [];
    this.conversations.set(conversationId, list);
    const message = create(MessageSchema, {
      id: String(this.nextId++),
      conversationId,
      seq: list.length + 1,
      senderId,
      serverTime: Date.now(),
      hidden: opts.hidden ?? false,
      conversationKind: ConversationKind.GROUP,
      content: { kind: { case: 'text', value: { text: `m${list.length + 1}` } } },
    });
    list.push(message);
    if (this.large.has(conversationId)) return create(PushSchema, { message, syncSeq: 0 });
    const push = create(PushSchema, { message, syncSeq: this.timeline.length + 1 });
    this.timeline.push(push);
    return push;
  }

  summary(conversationId: string) {
    const list = this.conversations.get(conversationId) ?? [];
    const readSeq = this.readSeq.get(conversationId) ?? 0;
    return create(ConversationSummarySchema, {
      conversationId,
      kind: ConversationKind.GROUP,
      lastSeq: list.length,
      readSeq,
      unread: list.length - readSeq,
      large: this.large.has(conversationId),
      lastMessage: list[list.length - 1],
      updatedAt: list.length,
    });
  }

  async sync(cursor: number, limit: number) {
    this.calls.push(`sync ${cursor}`);
    await this.delay();
    const resync = cursor + 1 < this.oldestRetained && this.timeline.length >= this.oldestRetained;
    const from = resync ? this.oldestRetained - 1 : cursor;
    if (resync) return create(SyncResultSchema, { resyncRequired: true, nextCursor: from, hasMore: true });
    const entries = this.timeline.slice(from, from + limit);
    const nextCursor = entries.length ? entries[entries.length - 1]!.syncSeq : from;
    return create(SyncResultSchema, {
      entries,
      nextCursor,
      hasMore: nextCursor < this.timeline.length,
      largeConversations: [...this.large].map((id) => this.summary(id)),
    });
  }

  async pullRange(conversationId: string, fromSeq: number, toSeq: number) {
    this.calls.push(`pull ${conversationId} ${fromSeq}-${toSeq}`);
    await this.delay();
    const list = this.conversations.get(conversationId) ?? [];
    const messages = list.filter((m) => m.seq >= fromSeq && m.seq <= toSeq && !this.missing.has(`${conversationId}:${m.seq}`));
    return create(HistoryResultSchema, { messages, hasMore: false });
  }

  async listConversations(limit: number) {
    this.calls.push('list');
    await this.delay();
    const conversations = [...this.conversations.keys()].slice(0, limit).map((id) => this.summary(id));
    return create(ConversationListSchema, { conversations, totalUnread: conversations.reduce((a, c) => a + c.unread, 0) });
  }

  ackPush(ack: PushAckPayload): void {
    this.acks.push(ack);
  }

  private delay(): Promise<void> {
    return this.latencyMs ? new Promise((r) => setTimeout(r, this.latencyMs)) : Promise.resolve();
  }
}
