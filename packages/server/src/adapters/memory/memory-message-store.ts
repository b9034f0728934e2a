import { messageEffect, recalledContent, type MessageEffect } from '../../core/ports/message-effects.js';
import type { ConversationId, MessageId, StoredMessage, TimelineEntry, UserId } from '../../core/model.js';
import {
  DuplicateClientMsgIdError, SeqConflictError,
  type AppendItem, type AppendResult, type MessageStore, type PinnedMessage,
} from '../../core/ports/message-store.js';
import { clientMsgKey, type MemoryTables } from './memory-tables.js';
import type { MemoryWebhookOutbox } from './memory-webhook-outbox.js';
import { mentionTargets } from './mention-targets.js';

/**
 * In-memory MessageStore. `append` validates the whole batch before writing
 * anything and runs without awaiting, so a batch is all-or-nothing.
 *
 * When a message both reuses a taken seq and repeats a stored clientMsgId, the
 * duplicate wins: it tells the caller the message is already stored.
 */
export class MemoryMessageStore implements MessageStore {
  /** `webhooks`: where items' webhookEvents go, in the same synchronous write as the message. */
  constructor(private readonly tables: MemoryTables, private readonly webhooks?: MemoryWebhookOutbox) {}

  async append(batch: readonly AppendItem[]): Promise<AppendResult[]> {
    this.validate(batch);
    return batch.map((item) => this.write(item));
  }

  async findByClientMsgId(senderId: UserId, clientMsgId: string): Promise<StoredMessage | null> {
    return this.tables.messagesByClientId.get(clientMsgKey(senderId, clientMsgId)) ?? null;
  }

  async getById(id: MessageId): Promise<StoredMessage | null> {
    return this.tables.messagesById.get(id) ?? null;
  }

  async getRange(conversationId: ConversationId, fromSeq: number, toSeq: number, limit: number): Promise<StoredMessage[]> {
    return this.tables.logs.get(conversationId)?.range(fromSeq, toSeq, limit) ?? [];
  }

  async listPins(conversationId: ConversationId, beforePinSeq: number, limit: number): Promise<PinnedMessage[]> {
    const pins = this.tables.pins.get(conversationId);
    if (!pins || limit <= 0) return [];
    const log = this.tables.logOf(conversationId);
    return [...pins]
      .filter(([, p]) => beforePinSeq <= 0 || p.pinSeq < beforePinSeq)
      .sort((a, b) => b[1].pinSeq - a[1].pinSeq)
      .slice(0, limit)
      .flatMap(([target, p]) => {
        const message = log.get(target);
        return message ? [{ message, ...p }] : [];
      });
  }

  async getBefore(conversationId: ConversationId, beforeSeq: number, limit: number): Promise<StoredMessage[]> {
    return this.tables.logs.get(conversationId)?.before(beforeSeq, limit) ?? [];
  }

  async readTimeline(userId: UserId, after: number, limit: number): Promise<TimelineEntry[]> {
    // Entries resolve through the conversation's log, which holds the current version (a recall redacts).
    return (this.tables.timelines.get(userId)?.read(after, limit) ?? []).map((e) => ({
      syncSeq: e.syncSeq,
      message: this.tables.logs.get(e.message.conversationId)?.get(e.message.seq) ?? e.message,
    }));
  }

  async timelineBounds(userId: UserId): Promise<{ head: number; oldest: number }> {
    const timeline = this.tables.timelines.get(userId);
    return { head: timeline?.head ?? 0, oldest: timeline?.oldest() ?? 0 };
  }

  async trimTimeline(userId: UserId, upTo: number): Promise<void> {
    this.tables.timelines.get(userId)?.trim(upTo);
  }

  /** Throws the error the batch would hit, before anything is written. */
  private validate(batch: readonly AppendItem[]): void {
    const seqs = new Set<string>();
    const clientIds = new Set<string>();
    const ids = new Set<MessageId>();
    for (const { message, webhookEvents } of batch) {
      if (webhookEvents && webhookEvents.length > 0 && !this.webhooks) throw new Error('webhook events appended to a message store without a webhook outbox');
      const log = this.tables.logs.get(message.conversationId);
      const seqKey = `${message.conversationId}:${message.seq}`;
      const clientKey = clientMsgKey(message.senderId, message.clientMsgId);
      if (!this.tables.conversations.has(message.conversationId)) {
        throw new Error(`conversation ${message.conversationId} does not exist`);
      }
      if (this.tables.messagesByClientId.has(clientKey) || clientIds.has(clientKey)) {
        throw new DuplicateClientMsgIdError(message.senderId, message.clientMsgId);
      }
      if (log?.has(message.seq) || seqs.has(seqKey)) throw new SeqConflictError(message.conversationId, message.seq);
      if (this.tables.messagesById.has(message.id) || ids.has(message.id)) {
        throw new Error(`message id ${message.id} is already stored`);
      }
      seqs.add(seqKey);
      clientIds.add(clientKey);
      ids.add(message.id);
    }
  }

  private write(item: AppendItem): AppendResult {
    const message = freezeMessage(item.message);
    const { tables } = this;
    tables.messagesById.set(message.id, message);
    tables.messagesByClientId.set(clientMsgKey(message.senderId, message.clientMsgId), message);
    tables.logOf(message.conversationId).insert(message);

    const conversation = tables.conversations.get(message.conversationId)!;
    if (message.seq > conversation.lastSeq) {
      conversation.lastSeq = message.seq;
      conversation.lastMessageId = message.id;
    }
    conversation.updatedAt = Math.max(conversation.updatedAt, message.serverTime);

    if (item.senderReadsOwn) {
      const sender = tables.members.get(message.conversationId)?.get(message.senderId);
      if (sender) sender.readSeq = Math.max(sender.readSeq, message.seq);
    }
    this.recordMentions(message);
    if (item.searchText) tables.searchText.set(message.id, item.searchText);
    const effect = messageEffect(message.content);
    if (effect) this.applyEffect(message, effect);

    const syncSeqs = item.timelineUsers.map((userId) => tables.timelineOf(userId).append(message));
    if (item.webhookEvents && item.webhookEvents.length > 0) this.webhooks!.appendNow(item.webhookEvents);
    return { syncSeqs };
  }

  /**
   * An operation event: recorded (never unread); an edit replaces its
   * target's indexed text, a recall removes its target's content and edits.
   */
  private applyEffect(message: StoredMessage, { kind, targetSeq, text, pinned }: MessageEffect): void {
    const { tables } = this;
    let ops = tables.ops.get(message.conversationId);
    if (!ops) tables.ops.set(message.conversationId, (ops = []));
    ops.push({ seq: message.seq, kind, targetSeq });
    let pins = tables.pins.get(message.conversationId);
    if (!pins) tables.pins.set(message.conversationId, (pins = new Map()));
    if (kind === 'pin' && pinned) pins.set(targetSeq, { pinSeq: message.seq, pinnedBy: message.senderId, pinnedAt: message.serverTime });
    else if (kind === 'pin' || kind === 'recall') pins.delete(targetSeq);
    const log = tables.logOf(message.conversationId);
    if (kind === 'edit') {
      const target = log.get(targetSeq);
      if (target && text) tables.searchText.set(target.id, text);
      else if (target) tables.searchText.delete(target.id);
      return;
    }
    if (kind !== 'recall') return;
    const redact = (seq: number, content: Uint8Array): void => {
      const old = log.get(seq);
      if (!old) return;
      const next = Object.freeze({ ...old, content });
      log.replace(next);
      tables.messagesById.set(next.id, next);
      tables.messagesByClientId.set(clientMsgKey(next.senderId, next.clientMsgId), next);
    };
    const target = log.get(targetSeq);
    if (target) tables.searchText.delete(target.id);
    redact(targetSeq, recalledContent(message.senderId, message.serverTime));
    for (const op of ops) if (op.kind === 'edit' && op.targetSeq === targetSeq) redact(op.seq, recalledContent(message.senderId, message.serverTime, true));
  }

  private recordMentions(message: StoredMessage): void {
    if (message.mentions.length === 0 && !message.mentionAll) return;
    let rows = this.tables.mentions.get(message.conversationId);
    if (!rows) {
      rows = [];
      this.tables.mentions.set(message.conversationId, rows);
    }
    for (const userId of mentionTargets(message)) rows.push({ seq: message.seq, userId, senderId: message.senderId });
  }
}

function freezeMessage(message: StoredMessage): StoredMessage {
  // Copies so a caller reusing its buffers or arrays cannot change stored history.
  return Object.freeze({
    id: message.id,
    conversationId: message.conversationId,
    seq: message.seq,
    senderId: message.senderId,
    clientMsgId: message.clientMsgId,
    serverTime: message.serverTime,
    content: message.content.slice(),
    mentions: Object.freeze([...message.mentions]),
    mentionAll: message.mentionAll,
    visibleTo: Object.freeze([...message.visibleTo]),
  });
}
