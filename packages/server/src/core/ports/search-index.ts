import type { ConversationId, StoredMessage, UserId } from '../model.js';

/** One search over the messages a user may read. */
export interface SearchQuery {
  readonly userId: UserId;
  /** Only this conversation; null: every conversation the user is a member of. */
  readonly conversationId: ConversationId | null;
  /**
   * Lower-cased terms; a message matches when its text contains every term
   * (case-insensitive substring). At least one term; terms never contain
   * whitespace.
   */
  readonly terms: readonly string[];
  /** Only messages with a smaller id than this (the previous page's last hit); null: from the newest. */
  readonly beforeId: string | null;
  readonly limit: number;
  /**
   * When every term is shorter than 3 characters the trigram index cannot
   * answer: the adapter examines at most this many of the newest readable
   * messages of the scope (older than beforeId) and reports `partial` when it
   * stopped there.
   */
  readonly shortScanLimit: number;
  /**
   * Bounded work per request: a query with a 3+ character term examines at
   * most this many index entries of that term (newest first, older than
   * beforeId) before the readability and remaining-term checks. When it
   * stopped there with no more than `limit` hits the page is `partial` and
   * `resumeBefore` says where the next page continues, so a common term next
   * to a rare one costs the same bounded work per page instead of a walk
   * over every posting of the common term.
   */
  readonly scanBudget: number;
}

export interface SearchHit {
  readonly message: StoredMessage;
  /** The indexed text of the message (for snippets). */
  readonly text: string;
}

export interface SearchPage {
  /** Newest first (descending message id). */
  readonly hits: readonly SearchHit[];
  readonly hasMore: boolean;
  /**
   * The scan stopped at shortScanLimit or scanBudget before the scope's
   * oldest message; older matches may exist.
   */
  readonly partial: boolean;
  /**
   * When partial: the oldest message id examined; the next page searches
   * below it (beforeId) and neither repeats nor skips a hit. Otherwise null.
   */
  readonly resumeBefore: string | null;
}

/** True when the index cannot look up a term (shorter than a trigram). */
export function isShortTerm(term: string): boolean {
  return [...term].length < 3;
}

/**
 * The full-text index of message text.
 *
 * Writing: `MessageStore.append` indexes each item's `searchText` (when not
 * empty) in the same commit as the message, so a stored message is
 * searchable exactly when it is readable, and a crash never leaves one
 * without the other. This port reads the index and edits it afterwards.
 *
 * Contract (one suite, test/contracts/search-index.contract.ts, for every adapter):
 * - `search` returns only messages the user may read now: conversations the
 *   user is a member of (none after leaving or being removed), seq at or after
 *   the member's first visible seq (the join point), and messages whose
 *   visibleTo is empty, names the user, or was sent by the user; never
 *   messages removed from the index.
 * - Matching is case-insensitive substring matching of every term (AND), for
 *   CJK and Latin text alike; results are in descending message id order and
 *   pages continue strictly below `beforeId`, so paging never repeats or skips.
 * - `remove` and `update` apply to what later searches see; removing or
 *   updating a message that is not indexed is a no-op (update of an
 *   unindexed message indexes it).
 */
/** One step of the index backfill (SearchIndex.backfill). */
export interface BackfillStep {
  /** Messages examined in this step. */
  readonly scanned: number;
  /** Index rows written (examined messages that had text and no row). */
  readonly indexed: number;
  /** No message is left below the cursor: complete until the index is rebuilt. */
  readonly done: boolean;
}

export interface SearchIndex {
  search(query: SearchQuery): Promise<SearchPage>;
  /** Remove messages from the index (recall, deletion). Messages themselves are untouched. */
  remove(conversationId: ConversationId, seqs: readonly number[]): Promise<void>;
  /** Replace the indexed text of a message (edit); empty text removes it. */
  update(conversationId: ConversationId, seq: number, text: string): Promise<void>;
  /**
   * Index up to `limit` stored messages that have no index row (stored
   * before the index existed, or after a rebuild emptied it), walking down
   * from a cursor that is persisted with each step, so a restart resumes
   * where the last step stopped. A message's text is what the append path
   * would index (contentSearchText), or its latest edit's text; recalled
   * messages and operation events have none. Idempotent and safe next to
   * appends and other nodes' steps.
   */
  backfill(limit: number): Promise<BackfillStep>;
}
