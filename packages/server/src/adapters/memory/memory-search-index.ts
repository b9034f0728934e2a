import type { ConversationId, StoredMessage } from '../../core/model.js';
import { indexedText } from '../../core/ports/message-effects.js';
import { isShortTerm, type BackfillStep, type SearchHit, type SearchIndex, type SearchPage, type SearchQuery } from '../../core/ports/search-index.js';
import type { MemoryTables } from './memory-tables.js';

/**
 * SearchIndex over the memory tables: a scan of the readable messages of the
 * scope (tests and single-process development; not for large histories).
 * The text is indexed by MemoryMessageStore.append (AppendItem.searchText).
 */
export class MemorySearchIndex implements SearchIndex {
  constructor(private readonly tables: MemoryTables) {}

  async search(q: SearchQuery): Promise<SearchPage> {
    const readable: StoredMessage[] = [];
    const scope = q.conversationId !== null ? [q.conversationId] : [...(this.tables.conversationsOfUser.get(q.userId) ?? [])];
    for (const conversationId of scope) {
      const member = this.tables.members.get(conversationId)?.get(q.userId);
      const log = this.tables.logs.get(conversationId);
      if (!member || !log) continue;
      for (const m of log.range(member.firstSeq, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) {
        if (q.beforeId !== null && compareIds(m.id, q.beforeId) >= 0) continue;
        if (m.visibleTo.length > 0 && m.senderId !== q.userId && !m.visibleTo.includes(q.userId)) continue;
        readable.push(m);
      }
    }
    readable.sort((a, b) => compareIds(b.id, a.id));
    const short = q.terms.every(isShortTerm);
    const candidates = short ? readable.slice(0, q.shortScanLimit) : readable;
    const indexed = q.terms.filter((t) => !isShortTerm(t));
    const hits: SearchHit[] = [];
    let taken = 0;
    let stoppedAt: string | null = null;
    for (const message of candidates) {
      const text = this.tables.searchText.get(message.id);
      if (text === undefined) continue;
      const folded = text.toLowerCase();
      // scanBudget counts the entries an index would return for the 3+ character terms.
      if (!short && indexed.every((t) => folded.includes(t)) && ++taken === q.scanBudget) stoppedAt = message.id;
      if (q.terms.every((t) => folded.includes(t))) hits.push({ message, text });
      if (hits.length > q.limit) break;
      if (stoppedAt !== null) break;
    }
    if (hits.length > q.limit) return { hits: hits.slice(0, q.limit), hasMore: true, partial: false, resumeBefore: null };
    if (short && readable.length > q.shortScanLimit) return { hits, hasMore: false, partial: true, resumeBefore: candidates.at(-1)!.id };
    return { hits, hasMore: false, partial: stoppedAt !== null, resumeBefore: stoppedAt };
  }

  async remove(conversationId: ConversationId, seqs: readonly number[]): Promise<void> {
    const log = this.tables.logs.get(conversationId);
    for (const seq of seqs) {
      const m = log?.range(seq, seq, 1)[0];
      if (m) this.tables.searchText.delete(m.id);
    }
  }

  /** The backfill cursor (memory lives as long as the process, so "resumable" is within it). */
  private backfillBefore: string | null = null;
  private backfillDone = false;

  async backfill(limit: number): Promise<BackfillStep> {
    if (this.backfillDone) return { scanned: 0, indexed: 0, done: true };
    const before = this.backfillBefore;
    const rows = [...this.tables.messagesById.values()]
      .filter((m) => before === null || compareIds(m.id, before) < 0)
      .sort((a, b) => compareIds(b.id, a.id))
      .slice(0, limit);
    let indexed = 0;
    for (const m of rows) {
      if (this.tables.searchText.has(m.id)) continue;
      const edits = (this.tables.ops.get(m.conversationId) ?? []).filter((o) => o.kind === 'edit' && o.targetSeq === m.seq);
      const latest = edits.length > 0 ? this.tables.logOf(m.conversationId).get(edits.at(-1)!.seq) : undefined;
      const text = indexedText(m.content, latest?.content ?? null);
      if (!text) continue;
      this.tables.searchText.set(m.id, text);
      indexed++;
    }
    this.backfillDone = rows.length < limit;
    this.backfillBefore = rows.at(-1)?.id ?? before;
    return { scanned: rows.length, indexed, done: this.backfillDone };
  }

  async update(conversationId: ConversationId, seq: number, text: string): Promise<void> {
    const m = this.tables.logs.get(conversationId)?.range(seq, seq, 1)[0];
    if (!m) return;
    if (text) this.tables.searchText.set(m.id, text);
    else this.tables.searchText.delete(m.id);
  }
}

/** Snowflake ids as decimal strings: a longer string is the larger number. */
function compareIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}
