import type { ConversationId, MessageId, StoredMessage, TimelineEntry, UserId } from '../../core/model.js';
import {
  DuplicateClientMsgIdError, SeqConflictError,
  type AppendItem, type AppendResult, type MessageStore, type PinnedMessage,
} from '../../core/ports/message-store.js';
import { messageEffect, recalledContent } from '../../core/ports/message-effects.js';
import { mentionTargets } from '../memory/mention-targets.js';
import { WEBHOOK_LANES, webhookLaneOf } from '../../core/ports/webhook-outbox.js';
import { DEFAULT_APP_ID } from '../../core/ports/app-store.js';
import { boolArray, byteaArray, int8Array, textArray } from './array-literal.js';
import { type Sql } from './client.js';
import { PG, pgConstraint, pgErrorCode, retryTransient } from './errors.js';
import { messageIdToSql, tryMessageIdToSql } from './message-id.js';
import { messageColumns, messageFromRow, type MessageRow } from './message-row.js';

const COLUMNS = messageColumns('m');

/** Column arrays of one batch, passed to the append statement as unnest() parameters. */
class AppendPlan {
  readonly messages = {
    conversation: [] as number[], seq: [] as number[], id: [] as string[], sender: [] as number[], clientMsgId: [] as string[],
    time: [] as number[], content: [] as Uint8Array[], mentions: [] as string[], mentionAll: [] as boolean[], visibleTo: [] as string[],
  };
  /** Timeline entries per user in the batch; entry k of n gets sync seq newHead - (n - k). */
  readonly perUser = new Map<UserId, number>();
  readonly timeline = { user: [] as number[], back: [] as number[], conversation: [] as number[], seq: [] as number[] };
  /** [user, k] per timeline user of each item, to compute results. */
  readonly positions: Array<Array<[UserId, number]>> = [];
  readonly mentions = { conversation: [] as number[], user: [] as number[], seq: [] as number[], sender: [] as number[] };
  /** Full-text index rows (items with a searchText). */
  readonly search = { id: [] as string[], conversation: [] as number[], seq: [] as number[], body: [] as string[] };
  /** Webhook events (AppendItem.webhookEvents), in batch order: their positions follow it. */
  readonly webhooks = { lane: [] as number[], id: [] as string[], type: [] as string[], orderKey: [] as string[], json: [] as string[], createdAt: [] as number[], appId: [] as string[], newLanes: [] as number[] };
  /** Operation events (core/ports/message-effects) and, for recalls, the placeholders that replace targets and their edits. */
  readonly ops = { conversation: [] as number[], seq: [] as number[], kind: [] as string[], target: [] as number[] };
  readonly recalls = { conversation: [] as number[], target: [] as number[], content: [] as Uint8Array[], editContent: [] as Uint8Array[] };
  /**
   * Edited targets' new indexed text ('' removes the row), one per target:
   * a later edit of the batch wins, and a recall in the batch drops it (one
   * statement may not change a row twice).
   */
  private readonly edits = new Map<string, { conversation: number; target: number; body: string }>();
  /** The batch's last pin change per target (a recall counts as an unpin): upsert when pinned, delete otherwise. */
  private readonly pinChanges = new Map<string, { conversation: number; target: number; seq: number; by: number; at: number; pinned: boolean }>();
  private readonly bumps = new Map<ConversationId, { seq: number; id: string; time: number }>();
  private readonly reads = new Map<string, { conversation: ConversationId; user: UserId; seq: number }>();

  constructor(batch: readonly AppendItem[]) {
    const timelineTmp: Array<{ user: UserId; k: number; conversation: number; seq: number }> = [];
    for (const item of batch) {
      const m = item.message;
      const id = messageIdToSql(m.id);
      const c = this.messages;
      c.conversation.push(m.conversationId);
      c.seq.push(m.seq);
      c.id.push(id);
      c.sender.push(m.senderId);
      c.clientMsgId.push(m.clientMsgId);
      c.time.push(m.serverTime);
      c.content.push(m.content);
      c.mentions.push(int8Array(m.mentions));
      c.mentionAll.push(m.mentionAll);
      c.visibleTo.push(int8Array(m.visibleTo));
      if (item.webhookEvents) {
        const w = this.webhooks;
        for (const e of item.webhookEvents) {
          const lane = webhookLaneOf(e.appId, e.orderKey);
          // Another app's lane set: its lane rows are made by the first append that uses them.
          if (lane >= WEBHOOK_LANES && !w.newLanes.includes(lane)) w.newLanes.push(lane);
          w.lane.push(lane);
          w.appId.push(e.appId ?? DEFAULT_APP_ID);
          w.id.push(e.id);
          w.type.push(e.type);
          w.orderKey.push(e.orderKey);
          w.json.push(e.json);
          w.createdAt.push(e.createdAt);
        }
      }
      if (item.searchText) {
        this.search.id.push(id);
        this.search.conversation.push(m.conversationId);
        this.search.seq.push(m.seq);
        this.search.body.push(item.searchText);
      }
      const effect = messageEffect(m.content);
      if (effect) {
        this.ops.conversation.push(m.conversationId);
        this.ops.seq.push(m.seq);
        this.ops.kind.push(effect.kind);
        this.ops.target.push(effect.targetSeq);
        const editKey = `${m.conversationId}:${effect.targetSeq}`;
        if (effect.kind === 'edit') this.edits.set(editKey, { conversation: m.conversationId, target: effect.targetSeq, body: effect.text ?? '' });
        if (effect.kind === 'pin' || effect.kind === 'recall') {
          this.pinChanges.delete(editKey); // re-inserted last: Map order is the batch order
          this.pinChanges.set(editKey, { conversation: m.conversationId, target: effect.targetSeq, seq: m.seq, by: m.senderId, at: m.serverTime, pinned: effect.kind === 'pin' && effect.pinned === true });
        }
        if (effect.kind === 'recall') {
          this.edits.delete(editKey);
          this.recalls.conversation.push(m.conversationId);
          this.recalls.target.push(effect.targetSeq);
          this.recalls.content.push(recalledContent(m.senderId, m.serverTime));
          this.recalls.editContent.push(recalledContent(m.senderId, m.serverTime, true));
        }
      }

      const bump = this.bumps.get(m.conversationId);
      if (!bump) this.bumps.set(m.conversationId, { seq: m.seq, id, time: m.serverTime });
      else {
        if (m.seq > bump.seq) {
          bump.seq = m.seq;
          bump.id = id;
        }
        bump.time = Math.max(bump.time, m.serverTime);
      }

      if (item.senderReadsOwn) {
        const key = `${m.conversationId}:${m.senderId}`;
        const read = this.reads.get(key);
        if (!read) this.reads.set(key, { conversation: m.conversationId, user: m.senderId, seq: m.seq });
        else read.seq = Math.max(read.seq, m.seq);
      }

      for (const userId of mentionTargets(m)) {
        this.mentions.conversation.push(m.conversationId);
        this.mentions.user.push(userId);
        this.mentions.seq.push(m.seq);
        this.mentions.sender.push(m.senderId);
      }

      const positions: Array<[UserId, number]> = [];
      for (const userId of item.timelineUsers) {
        const k = (this.perUser.get(userId) ?? 0) + 1;
        this.perUser.set(userId, k);
        positions.push([userId, k]);
        timelineTmp.push({ user: userId, k, conversation: m.conversationId, seq: m.seq });
      }
      this.positions.push(positions);
    }
    for (const e of timelineTmp) {
      this.timeline.user.push(e.user);
      this.timeline.back.push(this.perUser.get(e.user)! - e.k);
      this.timeline.conversation.push(e.conversation);
      this.timeline.seq.push(e.seq);
    }
  }

  /** The edited targets' search rows to replace, in ascending (conversation, seq) order. */
  editColumns(): { conversation: number[]; target: number[]; body: string[] } {
    const rows = [...this.edits.values()].sort((a, b) => a.conversation - b.conversation || a.target - b.target);
    return { conversation: rows.map((e) => e.conversation), target: rows.map((e) => e.target), body: rows.map((e) => e.body) };
  }

  /** Pins to upsert and to delete, each in ascending (conversation, target) order. */
  pinColumns(): { set: { conversation: number[]; target: number[]; seq: number[]; by: number[]; at: number[] }; unset: { conversation: number[]; target: number[] } } {
    const rows = [...this.pinChanges.values()].sort((a, b) => a.conversation - b.conversation || a.target - b.target);
    const set = rows.filter((r) => r.pinned);
    const unset = rows.filter((r) => !r.pinned);
    return {
      set: { conversation: set.map((r) => r.conversation), target: set.map((r) => r.target), seq: set.map((r) => r.seq), by: set.map((r) => r.by), at: set.map((r) => r.at) },
      unset: { conversation: unset.map((r) => r.conversation), target: unset.map((r) => r.target) },
    };
  }

  /** Heads to advance, in ascending user order: every append locks head rows in the same order. */
  heads(): { users: number[]; counts: number[] } {
    const users = [...this.perUser.keys()].sort((a, b) => a - b);
    return { users, counts: users.map((u) => this.perUser.get(u)!) };
  }

  bumpColumns(): { conversation: number[]; seq: number[]; id: string[]; time: number[] } {
    const entries = [...this.bumps].sort((a, b) => a[0] - b[0]);
    return {
      conversation: entries.map(([c]) => c), seq: entries.map(([, b]) => b.seq),
      id: entries.map(([, b]) => b.id), time: entries.map(([, b]) => b.time),
    };
  }

  readColumns(): { conversation: number[]; user: number[]; seq: number[] } {
    const rows = [...this.reads.values()].sort((a, b) => a.conversation - b.conversation || a.user - b.user);
    return { conversation: rows.map((r) => r.conversation), user: rows.map((r) => r.user), seq: rows.map((r) => r.seq) };
  }
}

/**
 * MessageStore on PostgreSQL. `append` is one statement (so one
 * transaction, one round trip) of data-modifying CTEs over unnest()ed
 * column arrays: messages, per-user sync seqs (an upsert on user_heads whose
 * row locks, held to commit, order commits by sync seq), timeline rows,
 * conversation bumps, the sender's read seq and mention rows. A deadlock
 * (possible only against other statement shapes) is retried.
 *
 * When a message both reuses a taken seq and repeats a stored clientMsgId,
 * DuplicateClientMsgIdError wins (as in the memory and SQLite adapters): it
 * tells the caller the message is stored.
 */
export class PostgresMessageStore implements MessageStore {
  constructor(private readonly sql: Sql) {}

  async append(batch: readonly AppendItem[]): Promise<AppendResult[]> {
    if (batch.length === 0) return [];
    const plan = new AppendPlan(batch);
    let rows: Array<{ user_id: number; sync_seq: number }>;
    try {
      rows = await retryTransient(() => this.runAppend(plan));
    } catch (error) {
      throw await this.explainAppendFailure(error, batch);
    }
    const heads = new Map(rows.map((r) => [r.user_id, r.sync_seq]));
    return plan.positions.map((positions) => ({
      syncSeqs: positions.map(([userId, k]) => heads.get(userId)! - (plan.perUser.get(userId)! - k)),
    }));
  }

  private runAppend(plan: AppendPlan): Promise<Array<{ user_id: number; sync_seq: number }>> {
    const { sql } = this;
    const m = plan.messages;
    const heads = plan.heads();
    const t = plan.timeline;
    const b = plan.bumpColumns();
    const r = plan.readColumns();
    const x = plan.mentions;
    const f = plan.search;
    const o = plan.ops;
    const rc = plan.recalls;
    const ed = plan.editColumns();
    const pn = plan.pinColumns();
    const w = plan.webhooks;
    // Lock order, the same for every append (and conversations before members,
    // as in the conversation store): PostgreSQL runs the CTE the final SELECT
    // reads (heads) first, then the other data-modifying CTEs in reverse list
    // order: unpinned and pinned, reindexed and edit_unindexed (edited targets), unindexed and recalled (earlier messages of the batch's conversations, which only their owner writes), op_rows, search_rows, mention_rows, bumped (conversations), read_own (members),
    // timeline_rows, inserted (messages), webhook_rows (the outbox: no unique keys, never waits). Rows within each in ascending key order.
    return sql<Array<{ user_id: number; sync_seq: number }>>`
      WITH heads AS (
        INSERT INTO user_heads AS h (user_id, sync_seq)
        SELECT * FROM unnest(${int8Array(heads.users)}::int8[], ${int8Array(heads.counts)}::int8[])
        ON CONFLICT (user_id) DO UPDATE SET sync_seq = h.sync_seq + excluded.sync_seq
        RETURNING h.user_id, h.sync_seq
      ), inserted AS (
        INSERT INTO messages (conversation_id, seq, id, sender_id, client_msg_id, server_time, content, mentions, mention_all, visible_to)
        SELECT u.c, u.s, u.id, u.sender, u.cmid, u.t, u.content, u.mentions::int8[], u.mention_all, u.visible::int8[]
        FROM unnest(
          ${int8Array(m.conversation)}::int8[], ${int8Array(m.seq)}::int8[], ${int8Array(m.id)}::int8[], ${int8Array(m.sender)}::int8[],
          ${textArray(m.clientMsgId)}::text[], ${int8Array(m.time)}::int8[], ${byteaArray(m.content)}::bytea[],
          ${textArray(m.mentions)}::text[], ${boolArray(m.mentionAll)}::bool[], ${textArray(m.visibleTo)}::text[]
        ) AS u(c, s, id, sender, cmid, t, content, mentions, mention_all, visible)
        RETURNING 1
      ), webhook_rows AS (
        -- The messages' webhook events, in this transaction: committed exactly when the messages are. Positions follow batch order.
        INSERT INTO webhook_events (lane, id, type, order_key, json, created_at, app_id)
        SELECT e.lane, e.id, e.type, e.order_key, e.json, e.created_at, e.app_id
        FROM unnest(${int8Array(w.lane)}::int4[], ${textArray(w.id)}::text[], ${textArray(w.type)}::text[], ${textArray(w.orderKey)}::text[],
          ${textArray(w.json)}::text[], ${int8Array(w.createdAt)}::int8[], ${textArray(w.appId)}::text[])
          WITH ORDINALITY AS e(lane, id, type, order_key, json, created_at, app_id, n)
        ORDER BY e.n
        RETURNING 1
      ), webhook_lane_rows AS (
        -- Lane rows of another app's lanes used for the first time (usually none), committed with their events.
        INSERT INTO webhook_lanes (lane) SELECT unnest(${int8Array(w.newLanes)}::int8[]) ON CONFLICT (lane) DO NOTHING
        RETURNING 1
      ), timeline_rows AS (
        INSERT INTO timeline (user_id, sync_seq, conversation_id, seq)
        SELECT e.u, heads.sync_seq - e.back, e.c, e.s
        FROM unnest(${int8Array(t.user)}::int8[], ${int8Array(t.back)}::int8[], ${int8Array(t.conversation)}::int8[], ${int8Array(t.seq)}::int8[]) AS e(u, back, c, s)
        JOIN heads ON heads.user_id = e.u
        RETURNING 1
      ), read_own AS (
        UPDATE members AS mem SET read_seq = GREATEST(mem.read_seq, r.s)
        FROM unnest(${int8Array(r.conversation)}::int8[], ${int8Array(r.user)}::int8[], ${int8Array(r.seq)}::int8[]) AS r(conv, u, s)
        WHERE mem.conversation_id = r.conv AND mem.user_id = r.u
        RETURNING 1
      ), bumped AS (
        UPDATE conversations AS c SET
          last_message_id = CASE WHEN b.s > c.last_seq THEN b.id ELSE c.last_message_id END,
          last_seq = GREATEST(c.last_seq, b.s),
          updated_at = GREATEST(c.updated_at, b.t)
        FROM unnest(${int8Array(b.conversation)}::int8[], ${int8Array(b.seq)}::int8[], ${int8Array(b.id)}::int8[], ${int8Array(b.time)}::int8[]) AS b(conv, s, id, t)
        WHERE c.id = b.conv
        RETURNING 1
      ), mention_rows AS (
        INSERT INTO mentions (conversation_id, user_id, seq, sender_id)
        SELECT * FROM unnest(${int8Array(x.conversation)}::int8[], ${int8Array(x.user)}::int8[], ${int8Array(x.seq)}::int8[], ${int8Array(x.sender)}::int8[])
        ON CONFLICT DO NOTHING
        RETURNING 1
      ), search_rows AS (
        INSERT INTO message_search (id, conversation_id, seq, body)
        SELECT * FROM unnest(${int8Array(f.id)}::int8[], ${int8Array(f.conversation)}::int8[], ${int8Array(f.seq)}::int8[], ${textArray(f.body)}::text[])
        RETURNING 1
      ), op_rows AS (
        INSERT INTO message_ops (conversation_id, seq, kind, target_seq)
        SELECT * FROM unnest(${int8Array(o.conversation)}::int8[], ${int8Array(o.seq)}::int8[], ${textArray(o.kind)}::text[], ${int8Array(o.target)}::int8[])
        RETURNING 1
      ), recalled AS (
        -- A recall's target (committed before: the server checked it exists) and its earlier edits lose their content.
        UPDATE messages AS msg SET content = CASE WHEN msg.seq = r.target THEN r.content ELSE r.edit_content END
        FROM unnest(${int8Array(rc.conversation)}::int8[], ${int8Array(rc.target)}::int8[], ${byteaArray(rc.content)}::bytea[], ${byteaArray(rc.editContent)}::bytea[]) AS r(conv, target, content, edit_content)
        WHERE msg.conversation_id = r.conv AND (msg.seq = r.target OR msg.seq IN (
          SELECT e.seq FROM message_ops e WHERE e.conversation_id = r.conv AND e.target_seq = r.target AND e.kind = 'edit'))
        RETURNING 1
      ), unindexed AS (
        -- ... and leaves the search index in the same statement.
        DELETE FROM message_search AS ms
        USING unnest(${int8Array(rc.conversation)}::int8[], ${int8Array(rc.target)}::int8[]) AS r(conv, target)
        WHERE ms.conversation_id = r.conv AND ms.seq = r.target
        RETURNING 1
      ), edit_unindexed AS (
        -- An edit with no text leaves the index (its target was committed before).
        DELETE FROM message_search AS ms
        USING unnest(${int8Array(ed.conversation)}::int8[], ${int8Array(ed.target)}::int8[], ${textArray(ed.body)}::text[]) AS e(conv, target, body)
        WHERE ms.conversation_id = e.conv AND ms.seq = e.target AND e.body = ''
        RETURNING 1
      ), reindexed AS (
        -- An edit's text replaces its target's indexed text (old text no longer found).
        INSERT INTO message_search (id, conversation_id, seq, body)
        SELECT msg.id, msg.conversation_id, msg.seq, e.body
        FROM unnest(${int8Array(ed.conversation)}::int8[], ${int8Array(ed.target)}::int8[], ${textArray(ed.body)}::text[]) AS e(conv, target, body)
        JOIN messages msg ON msg.conversation_id = e.conv AND msg.seq = e.target
        WHERE e.body <> ''
        ON CONFLICT (id) DO UPDATE SET body = excluded.body
        RETURNING 1
      ), pinned AS (
        INSERT INTO pins AS p (conversation_id, target_seq, pin_seq, pinned_by, pinned_at)
        SELECT * FROM unnest(${int8Array(pn.set.conversation)}::int8[], ${int8Array(pn.set.target)}::int8[], ${int8Array(pn.set.seq)}::int8[], ${int8Array(pn.set.by)}::int8[], ${int8Array(pn.set.at)}::int8[])
        ON CONFLICT (conversation_id, target_seq) DO UPDATE SET pin_seq = excluded.pin_seq, pinned_by = excluded.pinned_by, pinned_at = excluded.pinned_at
        RETURNING 1
      ), unpinned AS (
        -- An unpin, or a recall of a pinned message.
        DELETE FROM pins AS p
        USING unnest(${int8Array(pn.unset.conversation)}::int8[], ${int8Array(pn.unset.target)}::int8[]) AS u(conv, target)
        WHERE p.conversation_id = u.conv AND p.target_seq = u.target
        RETURNING 1
      )
      SELECT user_id, sync_seq FROM heads`;
  }

  /** Names a failed append by looking at what is stored (the failed statement wrote nothing). */
  private async explainAppendFailure(error: unknown, batch: readonly AppendItem[]): Promise<unknown> {
    const code = pgErrorCode(error);
    const constraint = pgConstraint(error);
    if (code === PG.foreignKeyViolation && constraint === 'messages_conversation_id_fkey') {
      const ids = [...new Set(batch.map((i) => i.message.conversationId))];
      const found = await this.sql<Array<{ id: number }>>`SELECT id FROM conversations WHERE id = ANY(${int8Array(ids)}::int8[])`;
      const existing = new Set(found.map((row) => row.id));
      const missing = ids.find((id) => !existing.has(id));
      return new Error(`conversation ${missing ?? ids[0]} does not exist`, { cause: error });
    }
    if (code !== PG.uniqueViolation || !constraint?.startsWith('messages_')) return error;

    const messages = batch.map((i) => i.message);
    const senders = messages.map((m) => m.senderId);
    const clientIds = messages.map((m) => m.clientMsgId);
    const conversations = messages.map((m) => m.conversationId);
    const seqs = messages.map((m) => m.seq);
    const [storedClientIds, storedSeqs] = await Promise.all([
      this.sql<Array<{ sender_id: number; client_msg_id: string }>>`
        SELECT m.sender_id, m.client_msg_id FROM messages m
        JOIN unnest(${int8Array(senders)}::int8[], ${textArray(clientIds)}::text[]) AS k(s, c)
          ON m.sender_id = k.s AND m.client_msg_id = k.c`,
      this.sql<Array<{ conversation_id: number; seq: number }>>`
        SELECT m.conversation_id, m.seq FROM messages m
        JOIN unnest(${int8Array(conversations)}::int8[], ${int8Array(seqs)}::int8[]) AS k(c, s)
          ON m.conversation_id = k.c AND m.seq = k.s`,
    ]);
    const clientTaken = new Set(storedClientIds.map((row) => `${row.sender_id}\u0000${row.client_msg_id}`));
    const seqTaken = new Set(storedSeqs.map((row) => `${row.conversation_id}:${row.seq}`));
    // The first message of the batch with a problem decides, as if they were inserted one by one.
    for (const m of messages) {
      const clientKey = `${m.senderId}\u0000${m.clientMsgId}`;
      const seqKey = `${m.conversationId}:${m.seq}`;
      if (clientTaken.has(clientKey)) return new DuplicateClientMsgIdError(m.senderId, m.clientMsgId);
      if (seqTaken.has(seqKey)) return new SeqConflictError(m.conversationId, m.seq);
      clientTaken.add(clientKey);
      seqTaken.add(seqKey);
    }
    if (constraint === 'messages_id_key') {
      return new Error(`message id already stored: ${detailOf(error)}`, { cause: error });
    }
    return error;
  }

  async findByClientMsgId(senderId: UserId, clientMsgId: string): Promise<StoredMessage | null> {
    const [row] = await this.sql.unsafe<MessageRow[]>(
      `SELECT ${COLUMNS} FROM messages m WHERE m.sender_id = $1 AND m.client_msg_id = $2`, [senderId, clientMsgId], { prepare: true },
    );
    return row ? messageFromRow(row) : null;
  }

  async listPins(conversationId: ConversationId, beforePinSeq: number, limit: number): Promise<PinnedMessage[]> {
    if (limit <= 0) return [];
    const bound = beforePinSeq > 0 ? beforePinSeq : Number.MAX_SAFE_INTEGER;
    const rows = await this.sql<Array<MessageRow & { pin_seq: string; pinned_by: string; pinned_at: string }>>`
      SELECT ${this.sql.unsafe(COLUMNS)}, p.pin_seq, p.pinned_by, p.pinned_at
      FROM pins p JOIN messages m ON m.conversation_id = p.conversation_id AND m.seq = p.target_seq
      WHERE p.conversation_id = ${conversationId} AND p.pin_seq < ${bound}
      ORDER BY p.pin_seq DESC LIMIT ${limit}`;
    return rows.map((r) => ({ message: messageFromRow(r), pinSeq: Number(r.pin_seq), pinnedBy: Number(r.pinned_by), pinnedAt: Number(r.pinned_at) }));
  }

  async getById(id: MessageId): Promise<StoredMessage | null> {
    const sqlId = tryMessageIdToSql(id);
    if (sqlId === null) return null;
    const [row] = await this.sql.unsafe<MessageRow[]>(`SELECT ${COLUMNS} FROM messages m WHERE m.id = $1::int8`, [sqlId], { prepare: true });
    return row ? messageFromRow(row) : null;
  }

  async getRange(conversationId: ConversationId, fromSeq: number, toSeq: number, limit: number): Promise<StoredMessage[]> {
    if (limit <= 0) return [];
    const rows = await this.sql.unsafe<MessageRow[]>(
      `SELECT ${COLUMNS} FROM messages m WHERE m.conversation_id = $1 AND m.seq BETWEEN $2 AND $3 ORDER BY m.seq LIMIT $4`,
      [conversationId, fromSeq, toSeq, limit], { prepare: true },
    );
    return rows.map(messageFromRow);
  }

  async getBefore(conversationId: ConversationId, beforeSeq: number, limit: number): Promise<StoredMessage[]> {
    if (limit <= 0) return [];
    const bound = beforeSeq > 0 ? beforeSeq : Number.MAX_SAFE_INTEGER;
    const rows = await this.sql.unsafe<MessageRow[]>(
      `SELECT ${COLUMNS} FROM messages m WHERE m.conversation_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3`,
      [conversationId, bound, limit], { prepare: true },
    );
    return rows.map(messageFromRow);
  }

  async readTimeline(userId: UserId, after: number, limit: number): Promise<TimelineEntry[]> {
    if (limit <= 0) return [];
    const rows = await this.sql.unsafe<Array<MessageRow & { sync_seq: number }>>(
      `SELECT t.sync_seq, ${COLUMNS}
       FROM timeline t JOIN messages m ON m.conversation_id = t.conversation_id AND m.seq = t.seq
       WHERE t.user_id = $1 AND t.sync_seq > $2 ORDER BY t.sync_seq LIMIT $3`,
      [userId, after, limit], { prepare: true },
    );
    return rows.map((row) => ({ syncSeq: row.sync_seq, message: messageFromRow(row) }));
  }

  async timelineBounds(userId: UserId): Promise<{ head: number; oldest: number }> {
    // One statement: head and oldest come from one snapshot.
    const [row] = await this.sql<Array<{ head: number; oldest: number }>>`
      SELECT COALESCE((SELECT sync_seq FROM user_heads WHERE user_id = ${userId}), 0) AS head,
             COALESCE((SELECT sync_seq FROM timeline WHERE user_id = ${userId} ORDER BY sync_seq LIMIT 1), 0) AS oldest`;
    return { head: row!.head, oldest: row!.oldest };
  }

  async trimTimeline(userId: UserId, upTo: number): Promise<void> {
    await this.sql`DELETE FROM timeline WHERE user_id = ${userId} AND sync_seq <= ${upTo}`;
  }
}

function detailOf(error: unknown): string {
  return (error as { detail?: string }).detail ?? String(error);
}
