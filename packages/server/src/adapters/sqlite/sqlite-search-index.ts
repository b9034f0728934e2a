import type Database from 'better-sqlite3';
import type { ConversationId } from '../../core/model.js';
import { isShortTerm, type BackfillStep, type SearchHit, type SearchIndex, type SearchPage, type SearchQuery } from '../../core/ports/search-index.js';
import { indexedText } from '../../core/ports/message-effects.js';
import { messageColumns, messageFromRow, type MessageRow } from './message-row.js';
import { messageIdToSql } from './snowflake-column.js';

const MAX_ID = (1n << 63n) - 1n;
/**
 * A conversation up to this many messages is searched by reading its rows
 * (bounded, and faster than walking a common term's index entries across
 * every conversation to find this one's).
 */
export const SCAN_CONVERSATION_UP_TO = 20_000;
/** Who may read a message row `m` (user @user): personalised messages only their audience and sender. */
const VISIBLE = `(m.visible_to IS NULL OR m.sender_id = @user OR EXISTS (SELECT 1 FROM json_each(m.visible_to) WHERE value = @user))`;
const READABLE = `mb.user_id = @user AND m.seq >= mb.first_seq AND ${VISIBLE}`;

/**
 * SearchIndex on SQLite FTS5 with the trigram tokenizer (ADR 0012
 * search-trigram-fts), in the database the messages live in and served by the
 * storage thread like every SQLite store. MessageStore.append writes the
 * index rows in the batch's own transaction.
 *
 * - A query with a term of 3+ characters is a MATCH of those terms as
 *   phrases (trigram phrases = substrings), driven by the index in
 *   descending rowid (= message id) order; at most `scanBudget` index
 *   entries are taken (bounded work: the storage thread also commits sends)
 *   and joined with the caller's member rows: readable means member now,
 *   seq >= first_seq, visible_to. A page that stopped at the budget is
 *   partial and resumes below the oldest entry taken.
 * - A conversation-scoped query on a conversation of at most
 *   SCAN_CONVERSATION_UP_TO messages reads that conversation's rows instead
 *   (complete, never partial).
 * - Terms shorter than 3 characters cannot be looked up; they are checked
 *   on the rows the index returns, and a query of only short terms scans the
 *   newest `shortScanLimit` readable messages of the scope instead (across
 *   all conversations also at most `scanBudget` stored messages walked).
 * - Every term is checked again with JavaScript's toLowerCase (xb_contains_all),
 *   so every adapter folds case the same way.
 */
export class SqliteSearchIndex implements SearchIndex {
  private readonly matchStmt;
  private readonly reachStmt;
  private readonly scanAllStmt;
  private readonly walkReachStmt;
  private readonly scanOneStmt;
  private readonly byIdStmt;
  private readonly lastSeqStmt;
  private readonly deleteStmt;
  private readonly insertStmt;
  private readonly removeTx;
  private readonly updateTx;
  private readonly backfillTx;

  constructor(db: Database.Database) {
    let cachedJson = '';
    let cachedTerms: string[] = [];
    db.function('xb_contains_all', { deterministic: true }, (body: unknown, termsJson: unknown) => {
      if (typeof body !== 'string' || typeof termsJson !== 'string') return 0;
      if (termsJson !== cachedJson) {
        cachedJson = termsJson;
        cachedTerms = JSON.parse(termsJson) as string[];
      }
      const folded = body.toLowerCase();
      for (const t of cachedTerms) if (!folded.includes(t)) return 0;
      return 1;
    });
    const columns = messageColumns('m');
    type Params = { user: number; conv: number; before: bigint; match?: string; terms?: string; limit: number; budget?: number };
    // The newest `budget` entries of the indexed terms (FTS5 walks its
    // doclists in descending rowid order and stops there), streamed as the
    // outer loop (CROSS JOIN keeps that order, so no sort and the LIMIT stops
    // the walk at the first limit + 1 readable hits), each joined with the
    // caller's member row and checked for every term.
    const candidates = `SELECT rowid AS id FROM message_search
       WHERE message_search MATCH @match AND rowid < @before ORDER BY rowid DESC LIMIT @budget`;
    this.matchStmt = db.prepare<Params, MessageRow & { body: string }>(
      `WITH cand AS NOT MATERIALIZED (${candidates})
       SELECT ${columns}, s.body AS body
       FROM cand
       CROSS JOIN messages m ON m.id = cand.id
       CROSS JOIN members mb ON mb.conversation_id = m.conversation_id AND mb.user_id = @user
       CROSS JOIN message_search s ON s.rowid = cand.id
       WHERE (@conv = 0 OR m.conversation_id = @conv) AND ${READABLE}
         AND xb_contains_all(s.body, @terms)
       LIMIT @limit`,
    );
    // How far the budget reached (run only when a page came back short; same
    // thread, so nothing commits in between).
    this.reachStmt = db.prepare<Params, { n: number; floor: bigint | null }>(
      `SELECT count(*) AS n, min(id) AS floor FROM (${candidates})`,
    ).safeIntegers(true);
    // The newest `walk` stored messages (any conversation) in id order as the
    // outer loop (CROSS JOIN keeps it), each checked against the caller's
    // member row: read with iterate() and left as soon as the page is full.
    const walkWindow = `SELECT id FROM messages WHERE id < @before ORDER BY id DESC LIMIT @walk`;
    this.scanAllStmt = db.prepare<Params & { walk: number }, { id: string; body: string | null }>(
      `SELECT CAST(m.id AS TEXT) AS id, s.body AS body
       FROM (${walkWindow}) w
       CROSS JOIN messages m ON m.id = w.id
       CROSS JOIN members mb ON mb.conversation_id = m.conversation_id AND mb.user_id = @user
       LEFT JOIN message_search s ON s.rowid = m.id
       WHERE ${READABLE}
       LIMIT @limit`,
    );
    this.walkReachStmt = db.prepare<{ before: bigint; walk: number }, { n: number; floor: bigint | null }>(
      `SELECT count(*) AS n, min(id) AS floor FROM (${walkWindow})`,
    ).safeIntegers(true);
    this.scanOneStmt = db.prepare<Params, { id: string; body: string | null }>(
      `SELECT CAST(m.id AS TEXT) AS id, s.body AS body
       FROM members mb
       JOIN messages m ON m.conversation_id = mb.conversation_id
       LEFT JOIN message_search s ON s.rowid = m.id
       WHERE mb.conversation_id = @conv AND m.id < @before AND ${READABLE}
       ORDER BY m.seq DESC LIMIT @limit`,
    );
    this.lastSeqStmt = db.prepare<[number], number>('SELECT last_seq FROM conversations WHERE id = ?').pluck();
    this.byIdStmt = db.prepare<[bigint], MessageRow>(`SELECT ${columns} FROM messages m WHERE m.id = ?`);
    this.deleteStmt = db.prepare<[number, number]>(
      'DELETE FROM message_search WHERE rowid = (SELECT id FROM messages WHERE conversation_id = ? AND seq = ?)',
    );
    this.insertStmt = db.prepare<[string, number, number]>(
      'INSERT INTO message_search (rowid, body) SELECT id, ? FROM messages WHERE conversation_id = ? AND seq = ?',
    );
    this.removeTx = db.transaction((conversationId: ConversationId, seqs: readonly number[]) => {
      for (const seq of seqs) this.deleteStmt.run(conversationId, seq);
    });
    this.updateTx = db.transaction((conversationId: ConversationId, seq: number, text: string) => {
      this.deleteStmt.run(conversationId, seq);
      if (text) this.insertStmt.run(text, conversationId, seq);
    });
    const cursorStmt = db.prepare<[], { before_id: bigint | null; done: bigint }>('SELECT before_id, done FROM search_backfill WHERE id = 1').safeIntegers(true);
    // The newest messages below the cursor, with their latest edit's content and whether they are indexed.
    const pendingStmt = db.prepare<[bigint, number], { id: bigint; content: Buffer; edit: Buffer | null; indexed: bigint }>(
      `SELECT m.id, m.content,
         (SELECT e.content FROM message_ops o JOIN messages e ON e.conversation_id = o.conversation_id AND e.seq = o.seq
          WHERE o.conversation_id = m.conversation_id AND o.target_seq = m.seq AND o.kind = 'edit'
          ORDER BY o.seq DESC LIMIT 1) AS edit,
         EXISTS (SELECT 1 FROM message_search s WHERE s.rowid = m.id) AS indexed
       FROM messages m WHERE m.id < ? ORDER BY m.id DESC LIMIT ?`,
    ).safeIntegers(true);
    const indexStmt = db.prepare<[bigint, string]>('INSERT INTO message_search (rowid, body) VALUES (?, ?)');
    const moveStmt = db.prepare<[bigint | null, number]>('UPDATE search_backfill SET before_id = ?, done = ? WHERE id = 1');
    this.backfillTx = db.transaction((limit: number): BackfillStep => {
      const cursor = cursorStmt.get();
      if (!cursor || cursor.done === 1n) return { scanned: 0, indexed: 0, done: true };
      const rows = pendingStmt.all(cursor.before_id ?? MAX_ID, limit);
      let indexed = 0;
      for (const row of rows) {
        if (row.indexed === 1n) continue;
        const text = indexedText(row.content, row.edit);
        if (!text) continue;
        indexStmt.run(row.id, text);
        indexed++;
      }
      const done = rows.length < limit;
      moveStmt.run(rows.at(-1)?.id ?? cursor.before_id, done ? 1 : 0);
      return { scanned: rows.length, indexed, done };
    });
  }

  async search(q: SearchQuery): Promise<SearchPage> {
    const base = {
      user: q.userId,
      conv: q.conversationId ?? 0,
      before: q.beforeId === null ? MAX_ID : messageIdToSql(q.beforeId),
      terms: JSON.stringify(q.terms),
    };
    const long = q.terms.filter((t) => !isShortTerm(t));
    const small = q.conversationId !== null && (this.lastSeqStmt.get(q.conversationId) ?? 0) <= SCAN_CONVERSATION_UP_TO;
    if (long.length > 0 && !small) {
      const match = long.map((t) => `"${t.replaceAll('"', '""')}"`).join(' ');
      const params = { ...base, match, budget: q.scanBudget };
      const rows = this.matchStmt.all({ ...params, limit: q.limit + 1 });
      const hits = rows.map((row): SearchHit => ({ message: messageFromRow(row), text: row.body }));
      if (hits.length > q.limit) return { hits: hits.slice(0, q.limit), hasMore: true, partial: false, resumeBefore: null };
      const reach = this.reachStmt.get({ ...params, limit: 0 })!;
      const stopped = Number(reach.n) === q.scanBudget && reach.floor !== null;
      return { hits, hasMore: false, partial: stopped, resumeBefore: stopped ? String(reach.floor) : null };
    }
    if (q.conversationId === null) return this.scanAll(q, base);
    const scanLimit = small ? SCAN_CONVERSATION_UP_TO + 1 : q.shortScanLimit;
    const scanned = this.scanOneStmt.all({ ...base, limit: scanLimit });
    const hits: SearchHit[] = [];
    for (const row of scanned) {
      if (row.body === null) continue;
      const folded = row.body.toLowerCase();
      if (!q.terms.every((t) => folded.includes(t))) continue;
      const message = this.byIdStmt.get(messageIdToSql(row.id));
      if (message) hits.push({ message: messageFromRow(message), text: row.body });
      if (hits.length > q.limit) break;
    }
    const partial = !small && scanned.length === q.shortScanLimit && hits.length <= q.limit;
    return {
      hits: hits.slice(0, q.limit),
      hasMore: hits.length > q.limit,
      partial,
      resumeBefore: partial ? scanned.at(-1)!.id : null,
    };
  }

  /**
   * Only 1-2 character terms, all conversations: the newest readable
   * messages, at most shortScanLimit of them and at most scanBudget stored
   * messages walked (a user who reads a small share of what is stored would
   * otherwise walk far); stops at the first limit + 1 hits.
   */
  private scanAll(q: SearchQuery, base: { user: number; conv: number; before: bigint; terms: string }): SearchPage {
    const hits: SearchHit[] = [];
    let examined = 0;
    let last: string | null = null;
    for (const row of this.scanAllStmt.iterate({ ...base, walk: q.scanBudget, limit: q.shortScanLimit })) {
      examined++;
      last = row.id;
      if (row.body === null) continue;
      const folded = row.body.toLowerCase();
      if (!q.terms.every((t) => folded.includes(t))) continue;
      const message = this.byIdStmt.get(messageIdToSql(row.id));
      if (message) hits.push({ message: messageFromRow(message), text: row.body });
      if (hits.length > q.limit) break; // iterate() closes the statement: the rest is never read
    }
    if (hits.length > q.limit) return { hits: hits.slice(0, q.limit), hasMore: true, partial: false, resumeBefore: null };
    if (examined === q.shortScanLimit) return { hits, hasMore: false, partial: true, resumeBefore: last };
    const walked = this.walkReachStmt.get({ before: base.before, walk: q.scanBudget })!;
    const stopped = Number(walked.n) === q.scanBudget && walked.floor !== null;
    return { hits, hasMore: false, partial: stopped, resumeBefore: stopped ? String(walked.floor) : null };
  }

  async remove(conversationId: ConversationId, seqs: readonly number[]): Promise<void> {
    this.removeTx.immediate(conversationId, seqs);
  }

  async update(conversationId: ConversationId, seq: number, text: string): Promise<void> {
    this.updateTx.immediate(conversationId, seq, text);
  }

  async backfill(limit: number): Promise<BackfillStep> {
    return this.backfillTx.immediate(limit);
  }
}
