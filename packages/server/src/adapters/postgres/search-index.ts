import type { ConversationId } from '../../core/model.js';
import { isShortTerm, type BackfillStep, type SearchHit, type SearchIndex, type SearchPage, type SearchQuery } from '../../core/ports/search-index.js';
import { indexedText } from '../../core/ports/message-effects.js';
import { int8Array, textArray } from './array-literal.js';
import type { Sql } from './client.js';
import { messageIdToSql } from './message-id.js';
import { messageColumns, messageFromRow, type MessageRow } from './message-row.js';

const COLUMNS = messageColumns('m');
const MAX_ID = '9223372036854775807';

/** An ILIKE pattern matching `term` anywhere (\, % and _ taken literally). */
function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, '\\$&')}%`;
}

/**
 * SearchIndex on PostgreSQL: message_search rows (written by the append
 * statement) with a pg_trgm GIN index (ADR 0012).
 *
 * The longest term is the indexed condition (`body ILIKE '%term%'`, answered
 * from the trigram index when it has 3+ characters), at most scanBudget
 * entries of it per page (partial, resumeBefore past the budget); every term is then
 * checked with ILIKE ALL and again with JavaScript's toLowerCase, so every
 * adapter folds case the same way. Readable: member now, seq >= first_seq,
 * visible_to empty, naming the user, or sent by them. A query of only 1-2
 * character terms scans the newest shortScanLimit readable messages instead.
 */
export class PostgresSearchIndex implements SearchIndex {
  constructor(private readonly sql: Sql) {}

  async search(q: SearchQuery): Promise<SearchPage> {
    const before = q.beforeId === null ? MAX_ID : messageIdToSql(q.beforeId);
    const conv = q.conversationId ?? 0;
    const all = textArray(q.terms.map(containsPattern));
    const matches = (text: string): boolean => {
      const folded = text.toLowerCase();
      return q.terms.every((t) => folded.includes(t));
    };
    if (!q.terms.every(isShortTerm)) {
      const longest = q.terms.reduce((a, b) => ([...b].length > [...a].length ? b : a));
      // At most scanBudget index entries of the longest term (newest first),
      // materialised, then the readability and every-term checks; one
      // statement, so the reach (count, oldest id) and the hits share a snapshot.
      // Unprepared (prepare: false): a named statement's generic plan cannot
      // see the pattern, so after five runs PostgreSQL would walk the id index
      // for every term, rare or common; planned per query it picks the
      // trigram index for rare terms and the id order for common ones.
      const rows = await this.sql.unsafe<Array<Partial<MessageRow> & { body: string | null; taken: number; floor: string | null }>>(
        `WITH cand AS MATERIALIZED (
          SELECT s.id FROM message_search s
          WHERE s.body ILIKE $1 AND s.id < $2::int8
            AND ($3::int8 = 0 OR s.conversation_id = $3::int8)
          ORDER BY s.id DESC LIMIT $4
        ), reach AS (
          SELECT count(*)::int AS taken, min(id)::text AS floor FROM cand
        ), hits AS (
          SELECT ${COLUMNS}, s.body
          FROM cand
          JOIN message_search s ON s.id = cand.id
          JOIN members mb ON mb.conversation_id = s.conversation_id AND mb.user_id = $5::int8
          JOIN messages m ON m.conversation_id = s.conversation_id AND m.seq = s.seq
          WHERE s.body ILIKE ALL ($6::text[]) AND s.seq >= mb.first_seq
            AND (cardinality(m.visible_to) = 0 OR m.sender_id = $5::int8 OR $5::int8 = ANY (m.visible_to))
          ORDER BY s.id DESC LIMIT $7
        )
        SELECT reach.taken, reach.floor, hits.* FROM reach LEFT JOIN hits ON true`,
        [containsPattern(longest), before, conv, q.scanBudget, q.userId, all, q.limit + 1],
        { prepare: false },
      );
      const reach = rows[0]!;
      const hits = rows
        .filter((r): r is MessageRow & { body: string; taken: number; floor: string | null } => r.body !== null && r.body !== undefined && matches(r.body))
        .map((r): SearchHit => ({ message: messageFromRow(r), text: r.body }))
        .sort((a, b) => (BigInt(b.message.id) > BigInt(a.message.id) ? 1 : -1));
      if (hits.length > q.limit) return { hits: hits.slice(0, q.limit), hasMore: true, partial: false, resumeBefore: null };
      const stopped = reach.taken === q.scanBudget && reach.floor !== null;
      return { hits, hasMore: false, partial: stopped, resumeBefore: stopped ? reach.floor : null };
    }
    const scanned = await this.sql<Array<{ id: string; body: string | null }>>`
      SELECT m.id::text AS id, s.body
      FROM members mb
      JOIN messages m ON m.conversation_id = mb.conversation_id AND m.seq >= mb.first_seq
      LEFT JOIN message_search s ON s.id = m.id
      WHERE mb.user_id = ${q.userId} AND (${conv}::int8 = 0 OR mb.conversation_id = ${conv}::int8)
        AND m.id < ${before}::int8
        AND (cardinality(m.visible_to) = 0 OR m.sender_id = ${q.userId} OR ${q.userId}::int8 = ANY (m.visible_to))
      ORDER BY m.id DESC LIMIT ${q.shortScanLimit}`;
    const found = scanned.filter((r) => r.body !== null && matches(r.body)).slice(0, q.limit + 1);
    const rows = found.length === 0 ? [] : await this.sql<MessageRow[]>`
      SELECT ${this.sql.unsafe(COLUMNS)} FROM messages m WHERE m.id = ANY (${int8Array(found.map((r) => r.id))}::int8[])
      ORDER BY m.id DESC`;
    const text = new Map(found.map((r) => [r.id, r.body!]));
    const hits = rows.map((r): SearchHit => ({ message: messageFromRow(r), text: text.get(r.m_id) ?? '' }));
    const partial = scanned.length === q.shortScanLimit && hits.length <= q.limit;
    return {
      hits: hits.slice(0, q.limit),
      hasMore: hits.length > q.limit,
      partial,
      resumeBefore: partial ? scanned.at(-1)!.id : null,
    };
  }

  async backfill(limit: number): Promise<BackfillStep> {
    // The cursor row's lock serialises steps across nodes; each step commits its rows with the cursor.
    return this.sql.begin(async (tx) => {
      const [cursor] = await tx<Array<{ before_id: string | null; done: boolean }>>`SELECT before_id::text, done FROM search_backfill WHERE id = 1 FOR UPDATE`;
      if (!cursor || cursor.done) return { scanned: 0, indexed: 0, done: true };
      const rows = await tx<Array<{ id: string; conversation_id: string; seq: string; content: Uint8Array; edit: Uint8Array | null; indexed: boolean }>>`
        SELECT m.id::text, m.conversation_id, m.seq, m.content,
          (SELECT e.content FROM message_ops o JOIN messages e ON e.conversation_id = o.conversation_id AND e.seq = o.seq
           WHERE o.conversation_id = m.conversation_id AND o.target_seq = m.seq AND o.kind = 'edit'
           ORDER BY o.seq DESC LIMIT 1) AS edit,
          EXISTS (SELECT 1 FROM message_search s WHERE s.id = m.id) AS indexed
        FROM messages m WHERE m.id < ${cursor.before_id ?? MAX_ID}::int8 ORDER BY m.id DESC LIMIT ${limit}`;
      const todo = rows.flatMap((r) => {
        if (r.indexed) return [];
        const text = indexedText(r.content, r.edit);
        return text ? [{ ...r, text }] : [];
      });
      if (todo.length > 0) {
        await tx`
          INSERT INTO message_search (id, conversation_id, seq, body)
          SELECT * FROM unnest(${int8Array(todo.map((r) => r.id))}::int8[], ${int8Array(todo.map((r) => Number(r.conversation_id)))}::int8[],
                               ${int8Array(todo.map((r) => Number(r.seq)))}::int8[], ${textArray(todo.map((r) => r.text))}::text[])
          ON CONFLICT DO NOTHING`;
      }
      const done = rows.length < limit;
      await tx`UPDATE search_backfill SET before_id = ${rows.at(-1)?.id ?? cursor.before_id}::int8, done = ${done} WHERE id = 1`;
      return { scanned: rows.length, indexed: todo.length, done };
    });
  }

  async remove(conversationId: ConversationId, seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.sql`DELETE FROM message_search WHERE conversation_id = ${conversationId} AND seq = ANY (${int8Array(seqs)}::int8[])`;
  }

  async update(conversationId: ConversationId, seq: number, text: string): Promise<void> {
    if (!text) {
      await this.remove(conversationId, [seq]);
      return;
    }
    await this.sql`
      INSERT INTO message_search (id, conversation_id, seq, body)
      SELECT id, conversation_id, seq, ${text} FROM messages WHERE conversation_id = ${conversationId} AND seq = ${seq}
      ON CONFLICT (id) DO UPDATE SET body = excluded.body`;
  }
}
