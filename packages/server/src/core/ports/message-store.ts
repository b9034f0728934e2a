import type { ConversationId, MessageId, StoredMessage, TimelineEntry, UserId } from '../model.js';
import type { NewWebhookEvent } from './webhook-outbox.js';

/** One message to append, with everything that must commit with it. */
export interface AppendItem {
  readonly message: StoredMessage;
  /**
   * Users whose sync timeline receives a reference (write fan-out). Empty for
   * read fan-out conversations. The store assigns each user the next sync seq.
   */
  readonly timelineUsers: readonly UserId[];
  /** The sender has implicitly read its own message: read seq moves to it. */
  readonly senderReadsOwn: boolean;
  /**
   * Text for the full-text index (SearchIndex), indexed in the same commit
   * as the message. Absent or empty: the message is not searchable.
   */
  readonly searchText?: string;
  /**
   * Webhook events about this message (after-send: `message.sent`,
   * `group.*`), written to the webhook outbox (DurableStores.webhooks of the
   * same storage) in the same commit as the message, after any events of
   * earlier items of the batch. Absent when webhooks are off.
   */
  readonly webhookEvents?: readonly NewWebhookEvent[];
}

export interface AppendResult {
  /** Sync seq assigned per timeline user, in `timelineUsers` order. */
  readonly syncSeqs: readonly number[];
}

export class SeqConflictError extends Error {
  constructor(readonly conversationId: ConversationId, readonly seq: number) {
    super(`seq ${seq} of conversation ${conversationId} is already taken`);
    this.name = 'SeqConflictError';
  }
}

export class DuplicateClientMsgIdError extends Error {
  constructor(readonly senderId: UserId, readonly clientMsgId: string) {
    super(`client message id ${clientMsgId} of user ${senderId} is already stored`);
    this.name = 'DuplicateClientMsgIdError';
  }
}

/**
 * Durable messages and per-user sync timelines.
 *
 * Contract:
 * - `append` is atomic for the whole batch: every message, its timeline rows,
 *   the conversation's last seq / last message / updated time, the sender's
 *   read seq, mention rows, the search index entry (searchText) and the
 *   webhook events (webhookEvents) commit together or not at all. When the promise
 *   resolves the batch is durable per the adapter's documented sync policy.
 * - (conversationId, seq) is unique: appending a taken seq rejects the whole
 *   batch with SeqConflictError (this is what fences a stale owner).
 * - (senderId, clientMsgId) is unique: a duplicate rejects the batch with
 *   DuplicateClientMsgIdError.
 * - Sync seqs are per user, start at 1 and strictly increase in commit order;
 *   a reader that has seen sync seq N never later sees a new entry <= N.
 * - A conversation's lastSeq never decreases.
 * - Reads return messages in ascending seq (or syncSeq) order unless stated.
 */
/** A pinned message and the PinChange event that pinned it. */
export interface PinnedMessage {
  readonly message: StoredMessage;
  /** Seq of the PinChange event (the list's order and cursor). */
  readonly pinSeq: number;
  readonly pinnedBy: UserId;
  readonly pinnedAt: number;
}

export interface MessageStore {
  append(batch: readonly AppendItem[]): Promise<AppendResult[]>;

  findByClientMsgId(senderId: UserId, clientMsgId: string): Promise<StoredMessage | null>;
  getById(id: MessageId): Promise<StoredMessage | null>;
  /** Messages with fromSeq <= seq <= toSeq, ascending, at most `limit`. */
  getRange(conversationId: ConversationId, fromSeq: number, toSeq: number, limit: number): Promise<StoredMessage[]>;
  /** Messages with seq < beforeSeq (0 = newest), descending, at most `limit`. */
  getBefore(conversationId: ConversationId, beforeSeq: number, limit: number): Promise<StoredMessage[]>;

  /**
   * The conversation's current pins, most recently pinned first, with
   * pinSeq < beforePinSeq (0 = from the newest), at most `limit`. Derived in
   * the append transaction from PinChange events (a later unpin removes a
   * pin, a recall of the target removes it too), so the list converges with
   * the pin/unpin events every device folds.
   */
  listPins(conversationId: ConversationId, beforePinSeq: number, limit: number): Promise<PinnedMessage[]>;

  /** Timeline entries with syncSeq > after, ascending, at most `limit`. */
  readTimeline(userId: UserId, after: number, limit: number): Promise<TimelineEntry[]>;
  /** Latest sync seq of the user (0 if none) and the oldest one still retained (0 if none). */
  timelineBounds(userId: UserId): Promise<{ head: number; oldest: number }>;
  /** Drop timeline entries with syncSeq <= upTo (retention). Messages stay. */
  trimTimeline(userId: UserId, upTo: number): Promise<void>;
}
