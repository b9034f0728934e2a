import Database from 'better-sqlite3';
import type { ConversationId, MessageId, StoredMessage, TimelineEntry, UserId } from '../../core/model.js';
import {
  DuplicateClientMsgIdError, SeqConflictError,
  type AppendItem, type AppendResult, type MessageStore, type PinnedMessage,
} from '../../core/ports/message-store.js';
import { messageEffect, recalledContent, type MessageEffect } from '../../core/ports/message-effects.js';
import { mentionTargets } from '../memory/mention-targets.js';
import { idsToSql, messageColumns, messageFromRow, type MessageRow } from './message-row.js';
import { messageIdToSql, tryMessageIdToSql } from './snowflake-column.js';
import { SyncHeadCache } from './sync-head-cache.js';
import { webhookEventWriter } from './sqlite-webhook-outbox.js';
import { ConversationSummaries, SummaryChanges } from './conversation-summaries.js';
import type { NewWebhookEvent } from '../../core/ports/webhook-outbox.js';

type TimelineRow = MessageRow & { sync_seq: number };

/**
 * MessageStore on SQLite. `append` is the fan-out hot path: one IMMEDIATE
 * transaction per batch, cached prepared statements, and sync seqs allocated
 * from an in-memory head cache (no query per allocation). Another connection
 * writing timelines would make the cache stale, so each batch compares
 * PRAGMA data_version (which only changes on other connections' commits)
 * while holding the write lock, and drops the cache when it moved.
 *
 * When a message both reuses a taken seq and repeats a stored clientMsgId,
 * DuplicateClientMsgIdError wins: it tells the caller the message is stored.
 *
 * Conversation summaries (last_seq, last_message_id, updated_at, the sender's
 * read_seq) go through ConversationSummaries: written in each append
 * transaction, or with `summaryFlushMs` (the storage thread) kept in memory
 * until `flushSummaries` — which the caller must run before any other store
 * reads the database — or the interval elapses (ADR 0016).
 */
export class SqliteMessageStore implements MessageStore {
  private readonly heads: SyncHeadCache;
  private dataVersion = -1;

  private readonly dataVersionStmt;
  private readonly insertMessageStmt;
  private readonly summaries: ConversationSummaries;
  private readonly insertMentionStmt;
  private readonly insertTimelineStmt;
  private readonly insertTimelinePairStmt;
  private readonly insertSearchStmt;
  /** AppendItem.webhookEvents into the webhook outbox's table, in the append transaction. */
  private readonly writeWebhookEvents: (events: readonly NewWebhookEvent[]) => void;
  private readonly insertOpStmt;
  private readonly redactStmt;
  private readonly redactEditsStmt;
  private readonly unindexStmt;
  private readonly reindexStmt;
  private readonly loadHeadStmt;
  private readonly clientMsgIdExistsStmt;
  private readonly seqExistsStmt;
  private readonly findByClientMsgIdStmt;
  private readonly getByIdStmt;
  private readonly getRangeStmt;
  private readonly getBeforeStmt;
  private readonly pinStmt;
  private readonly unpinStmt;
  private readonly listPinsStmt;
  private readonly readTimelineStmt;
  private readonly boundsStmt;
  private readonly saveTrimmedHeadStmt;
  private readonly trimStmt;
  private readonly appendTx;
  private readonly trimTx;

  /** @param summaryFlushMs write-behind of conversation summaries (ADR 0016); omitted: written in every append. */
  constructor(private readonly db: Database.Database, summaryFlushMs?: number) {
    this.summaries = new ConversationSummaries(db, summaryFlushMs ?? null);
    this.dataVersionStmt = db.prepare<[], number>('PRAGMA data_version').pluck();
    // Other connections' commits from here on are news (ConversationSummaries turns write-behind off for them).
    this.dataVersion = this.dataVersionStmt.get()!;
    this.insertMessageStmt = db.prepare<[bigint, number, number, number, string, number, Uint8Array, string | null, number, string | null]>(
      `INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, server_time, content, mentions, mention_all, visible_to)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertMentionStmt = db.prepare<[number, number, number, number]>(
      'INSERT OR IGNORE INTO mentions (conversation_id, user_id, seq, sender_id) VALUES (?, ?, ?, ?)',
    );
    this.insertTimelineStmt = db.prepare<[number, number, number, number]>(
      'INSERT INTO timeline (user_id, sync_seq, conversation_id, seq) VALUES (?, ?, ?, ?)',
    );
    // A direct conversation's message (both members' timelines, the common case) in one statement run.
    this.insertTimelinePairStmt = db.prepare<[number, number, number, number, number, number, number, number]>(
      'INSERT INTO timeline (user_id, sync_seq, conversation_id, seq) VALUES (?, ?, ?, ?), (?, ?, ?, ?)',
    );
    this.insertSearchStmt = db.prepare<[bigint, string]>('INSERT INTO message_search (rowid, body) VALUES (?, ?)');
    this.writeWebhookEvents = webhookEventWriter(db);
    this.insertOpStmt = db.prepare<[number, number, string, number]>(
      'INSERT INTO message_ops (conversation_id, seq, kind, target_seq) VALUES (?, ?, ?, ?)',
    );
    this.redactStmt = db.prepare<[Buffer, number, number]>('UPDATE messages SET content = ? WHERE conversation_id = ? AND seq = ?');
    // A recalled message leaves the search index in the same transaction (its rowid is the message id).
    this.unindexStmt = db.prepare<[number, number]>('DELETE FROM message_search WHERE rowid = (SELECT id FROM messages WHERE conversation_id = ? AND seq = ?)');
    // An edit's text replaces its target's row (delete + insert: FTS5 has no upsert).
    this.reindexStmt = db.prepare<[string, number, number]>(
      'INSERT INTO message_search (rowid, body) SELECT id, ? FROM messages WHERE conversation_id = ? AND seq = ?',
    );
    this.redactEditsStmt = db.prepare<{ content: Buffer; conversation: number; target: number }>(
      `UPDATE messages SET content = @content WHERE conversation_id = @conversation
         AND seq IN (SELECT seq FROM message_ops WHERE conversation_id = @conversation AND target_seq = @target AND kind = 'edit')`,
    );
    this.loadHeadStmt = db.prepare<{ user: number }, number>(
      `SELECT MAX(COALESCE((SELECT sync_seq FROM timeline WHERE user_id = @user ORDER BY sync_seq DESC LIMIT 1), 0),
                  COALESCE((SELECT head FROM timeline_heads WHERE user_id = @user), 0))`,
    ).pluck();
    this.clientMsgIdExistsStmt = db.prepare<[number, string], number>(
      'SELECT 1 FROM messages WHERE sender_id = ? AND client_msg_id = ?',
    ).pluck();
    this.seqExistsStmt = db.prepare<[number, number], number>(
      'SELECT 1 FROM messages WHERE conversation_id = ? AND seq = ?',
    ).pluck();
    const columns = messageColumns('m');
    this.findByClientMsgIdStmt = db.prepare<[number, string], MessageRow>(
      `SELECT ${columns} FROM messages m WHERE m.sender_id = ? AND m.client_msg_id = ?`,
    );
    this.getByIdStmt = db.prepare<[bigint], MessageRow>(`SELECT ${columns} FROM messages m WHERE m.id = ?`);
    this.getRangeStmt = db.prepare<[number, number, number, number], MessageRow>(
      `SELECT ${columns} FROM messages m WHERE m.conversation_id = ? AND m.seq BETWEEN ? AND ? ORDER BY m.seq LIMIT ?`,
    );
    this.pinStmt = db.prepare<{ conversation: number; target: number; seq: number; by: number; at: number }>(
      `INSERT INTO pins (conversation_id, target_seq, pin_seq, pinned_by, pinned_at) VALUES (@conversation, @target, @seq, @by, @at)
       ON CONFLICT (conversation_id, target_seq) DO UPDATE SET pin_seq = excluded.pin_seq, pinned_by = excluded.pinned_by, pinned_at = excluded.pinned_at`,
    );
    this.unpinStmt = db.prepare<[number, number]>('DELETE FROM pins WHERE conversation_id = ? AND target_seq = ?');
    this.listPinsStmt = db.prepare<[number, number, number], MessageRow & { pin_seq: number; pinned_by: number; pinned_at: number }>(
      `SELECT ${columns}, p.pin_seq, p.pinned_by, p.pinned_at
       FROM pins p JOIN messages m ON m.conversation_id = p.conversation_id AND m.seq = p.target_seq
       WHERE p.conversation_id = ? AND p.pin_seq < ? ORDER BY p.pin_seq DESC LIMIT ?`,
    );
    this.getBeforeStmt = db.prepare<[number, number, number], MessageRow>(
      `SELECT ${columns} FROM messages m WHERE m.conversation_id = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?`,
    );
    this.readTimelineStmt = db.prepare<[number, number, number], TimelineRow>(
      `SELECT t.sync_seq, ${columns}
       FROM timeline t JOIN messages m ON m.conversation_id = t.conversation_id AND m.seq = t.seq
       WHERE t.user_id = ? AND t.sync_seq > ? ORDER BY t.sync_seq LIMIT ?`,
    );
    this.boundsStmt = db.prepare<{ user: number }, { head: number | null; oldest: number | null; trimmed: number | null }>(
      `SELECT (SELECT sync_seq FROM timeline WHERE user_id = @user ORDER BY sync_seq DESC LIMIT 1) AS head,
              (SELECT sync_seq FROM timeline WHERE user_id = @user ORDER BY sync_seq ASC LIMIT 1) AS oldest,
              (SELECT head FROM timeline_heads WHERE user_id = @user) AS trimmed`,
    );
    this.saveTrimmedHeadStmt = db.prepare<[number, number]>(
      `INSERT INTO timeline_heads (user_id, head) VALUES (?, ?)
       ON CONFLICT (user_id) DO UPDATE SET head = MAX(head, excluded.head)`,
    );
    this.trimStmt = db.prepare<[number, number]>('DELETE FROM timeline WHERE user_id = ? AND sync_seq <= ?');

    this.heads = new SyncHeadCache((userId) => this.loadHeadStmt.get({ user: userId }) ?? 0);
    this.appendTx = db.transaction((batch: readonly AppendItem[]) => this.appendInTransaction(batch));
    this.trimTx = db.transaction((userId: UserId, upTo: number) => {
      this.saveTrimmedHeadStmt.run(userId, this.loadHeadStmt.get({ user: userId }) ?? 0);
      this.trimStmt.run(userId, upTo);
    });
  }

  async append(batch: readonly AppendItem[]): Promise<AppendResult[]> {
    return this.appendNow(batch);
  }

  /**
   * `append`, synchronously: the storage thread answers a packed append with
   * no promise in between. Throws what `append` rejects with.
   */
  appendNow(batch: readonly AppendItem[]): AppendResult[] {
    if (batch.length === 0) return [];
    this.heads.begin();
    try {
      const results = this.appendTx.immediate(batch);
      this.heads.commit();
      this.summaries.commit();
      return results;
    } catch (error) {
      this.heads.rollback();
      this.summaries.drop();
      if (!(error instanceof SeqConflictError) && !(error instanceof DuplicateClientMsgIdError)) {
        // Unexpected failure (e.g. a timeline key clash): reload heads from disk next time.
        this.heads.clear();
      }
      throw error;
    }
  }

  /** Writes the summaries write-behind keeps in memory; a no-op when none are pending. */
  flushSummaries(): void {
    this.summaries.flush();
  }

  /** Writes pending summaries and stops the write-behind timer; the connection stays open. */
  closeSummaries(): void {
    this.summaries.close();
  }

  async findByClientMsgId(senderId: UserId, clientMsgId: string): Promise<StoredMessage | null> {
    const row = this.findByClientMsgIdStmt.get(senderId, clientMsgId);
    return row ? messageFromRow(row) : null;
  }

  async getById(id: MessageId): Promise<StoredMessage | null> {
    const sqlId = tryMessageIdToSql(id);
    if (sqlId === null) return null;
    const row = this.getByIdStmt.get(sqlId);
    return row ? messageFromRow(row) : null;
  }

  async getRange(conversationId: ConversationId, fromSeq: number, toSeq: number, limit: number): Promise<StoredMessage[]> {
    if (limit <= 0) return [];
    return this.getRangeStmt.all(conversationId, fromSeq, toSeq, limit).map(messageFromRow);
  }

  async listPins(conversationId: ConversationId, beforePinSeq: number, limit: number): Promise<PinnedMessage[]> {
    if (limit <= 0) return [];
    const bound = beforePinSeq > 0 ? beforePinSeq : Number.MAX_SAFE_INTEGER;
    return this.listPinsStmt.all(conversationId, bound, limit).map((row) => ({
      message: messageFromRow(row), pinSeq: row.pin_seq, pinnedBy: row.pinned_by, pinnedAt: row.pinned_at,
    }));
  }

  async getBefore(conversationId: ConversationId, beforeSeq: number, limit: number): Promise<StoredMessage[]> {
    if (limit <= 0) return [];
    const bound = beforeSeq > 0 ? beforeSeq : Number.MAX_SAFE_INTEGER;
    return this.getBeforeStmt.all(conversationId, bound, limit).map(messageFromRow);
  }

  async readTimeline(userId: UserId, after: number, limit: number): Promise<TimelineEntry[]> {
    if (limit <= 0) return [];
    return this.readTimelineStmt.all(userId, after, limit).map((row) => ({ syncSeq: row.sync_seq, message: messageFromRow(row) }));
  }

  async timelineBounds(userId: UserId): Promise<{ head: number; oldest: number }> {
    const row = this.boundsStmt.get({ user: userId })!;
    return { head: Math.max(row.head ?? 0, row.trimmed ?? 0), oldest: row.oldest ?? 0 };
  }

  async trimTimeline(userId: UserId, upTo: number): Promise<void> {
    this.trimTx.immediate(userId, upTo);
  }

  private appendInTransaction(batch: readonly AppendItem[]): AppendResult[] {
    // We hold the write lock: if another connection committed since our last
    // look, its timeline rows may have moved heads we have cached.
    const version = this.dataVersionStmt.get()!;
    // Another connection committed: it may read summaries too, so ours are written now (and from now on).
    const foreignCommit = version !== this.dataVersion;
    if (foreignCommit) {
      this.heads.clear();
      this.dataVersion = version;
    }

    const changes = new SummaryChanges();
    const results: AppendResult[] = new Array<AppendResult>(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const item = batch[i]!;
      const { message } = item;
      const { conversationId, seq, senderId } = message;
      const sqlId = messageIdToSql(message.id);
      this.insertMessage(message, sqlId);
      if (item.searchText) this.insertSearchStmt.run(sqlId, item.searchText);
      if (item.webhookEvents && item.webhookEvents.length > 0) this.writeWebhookEvents(item.webhookEvents);

      changes.add(conversationId, seq, sqlId, message.serverTime, senderId, item.senderReadsOwn);

      // Most messages mention no one: skip building the (empty) target list.
      if (message.mentions.length > 0 || message.mentionAll) {
        for (const userId of mentionTargets(message)) this.insertMentionStmt.run(conversationId, userId, seq, senderId);
      }
      const effect = messageEffect(message.content);
      if (effect) this.applyEffect(message, effect);

      const users = item.timelineUsers;
      if (users.length === 2) {
        const a = users[0]!;
        const b = users[1]!;
        const syncA = this.heads.next(a);
        const syncB = this.heads.next(b);
        this.insertTimelinePairStmt.run(a, syncA, conversationId, seq, b, syncB, conversationId, seq);
        results[i] = { syncSeqs: [syncA, syncB] };
        continue;
      }
      const syncSeqs = new Array<number>(users.length);
      for (let j = 0; j < users.length; j++) {
        const syncSeq = this.heads.next(users[j]!);
        this.insertTimelineStmt.run(users[j]!, syncSeq, conversationId, seq);
        syncSeqs[j] = syncSeq;
      }
      results[i] = { syncSeqs };
    }
    this.summaries.stage(changes, foreignCommit);
    return results;
  }

  /**
   * An operation event: recorded (never unread); an edit replaces its
   * target's indexed text, a recall removes its target's content and edits.
   */
  private applyEffect(message: StoredMessage, { kind, targetSeq, text, pinned }: MessageEffect): void {
    this.insertOpStmt.run(message.conversationId, message.seq, kind, targetSeq);
    if (kind === 'pin' && pinned) {
      this.pinStmt.run({ conversation: message.conversationId, target: targetSeq, seq: message.seq, by: message.senderId, at: message.serverTime });
      return;
    }
    if (kind === 'pin' || kind === 'recall') this.unpinStmt.run(message.conversationId, targetSeq);
    if (kind === 'edit') {
      this.unindexStmt.run(message.conversationId, targetSeq);
      if (text) this.reindexStmt.run(text, message.conversationId, targetSeq);
      return;
    }
    if (kind !== 'recall') return;
    this.redactStmt.run(Buffer.from(recalledContent(message.senderId, message.serverTime)), message.conversationId, targetSeq);
    this.redactEditsStmt.run({ content: Buffer.from(recalledContent(message.senderId, message.serverTime, true)), conversation: message.conversationId, target: targetSeq });
    this.unindexStmt.run(message.conversationId, targetSeq);
  }

  private insertMessage(message: StoredMessage, sqlId: bigint): void {
    const content = message.content;
    try {
      this.insertMessageStmt.run(
        sqlId,
        message.conversationId,
        message.seq,
        message.senderId,
        message.clientMsgId,
        message.serverTime,
        // better-sqlite3 binds any Uint8Array view as a blob of its bytes: no Buffer wrapper needed.
        content,
        idsToSql(message.mentions),
        message.mentionAll ? 1 : 0,
        idsToSql(message.visibleTo),
      );
    } catch (error) {
      throw this.explainInsertFailure(error, message);
    }
  }

  /** Names a failed insert by looking at what is stored (still inside the transaction). */
  private explainInsertFailure(error: unknown, message: StoredMessage): unknown {
    if (!(error instanceof Database.SqliteError)) return error;
    if (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      if (this.clientMsgIdExistsStmt.get(message.senderId, message.clientMsgId) !== undefined) {
        return new DuplicateClientMsgIdError(message.senderId, message.clientMsgId);
      }
      if (this.seqExistsStmt.get(message.conversationId, message.seq) !== undefined) {
        return new SeqConflictError(message.conversationId, message.seq);
      }
    }
    if (error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
      return new Error(`conversation ${message.conversationId} does not exist`, { cause: error });
    }
    return error;
  }
}
