import { Errors, XinboxError, create, SearchResultSchema, type SearchResult } from '@xinbox/protocol';
import type { ConversationId, ConversationKind } from '../model.js';
import type { ConversationStore } from '../ports/conversation-store.js';
import type { SearchIndex } from '../ports/search-index.js';
import type { Caller } from '../messaging/send-types.js';
import { toWireMessage } from '../messaging/wire.js';
import { parseSearch } from './search-query.js';
import { makeSnippet } from './snippet.js';

export interface SearchServiceOptions {
  /**
   * How many of the newest readable messages a query of only 1-2 character
   * terms examines (the trigram index needs 3). Default 5,000.
   */
  readonly shortScanLimit?: number;
  /**
   * How many index entries of a 3+ character term one page examines at most
   * (SearchQuery.scanBudget). Default 10,000: ~30 ms of storage-thread work
   * on SQLite in the worst case measured (docs/benchmarks.md, Search), after
   * which the page comes back partial with a cursor to continue.
   */
  readonly scanBudget?: number;
  /** Delete-for-me: which of these seqs the user hid (ConversationSettingsService.hiddenAmong); absent = none. */
  readonly hiddenAmong?: (userId: number, conversationId: ConversationId, seqs: readonly number[]) => Promise<number[]>;
}

export interface SearchRequest {
  readonly query: string;
  /** null: every conversation of the caller. */
  readonly conversationId: ConversationId | null;
  readonly cursor: string;
  readonly limit: number;
}

/**
 * Full-text search over what the caller may read (the SearchIndex contract
 * enforces membership, join point and personalised messages), one page at a
 * time, newest first, with highlighted snippets.
 */
export class SearchService {
  private readonly shortScanLimit: number;
  private readonly scanBudget: number;
  private readonly hiddenAmong: SearchServiceOptions['hiddenAmong'];

  constructor(
    private readonly index: SearchIndex,
    private readonly conversations: ConversationStore,
    opts: SearchServiceOptions = {},
  ) {
    this.shortScanLimit = opts.shortScanLimit ?? 5000;
    this.scanBudget = opts.scanBudget ?? 10_000;
    this.hiddenAmong = opts.hiddenAmong;
  }

  async search(caller: Caller, req: SearchRequest): Promise<SearchResult> {
    const parsed = parseSearch(req.query, req.cursor, req.limit);
    if (req.conversationId !== null && !(await this.conversations.getMember(req.conversationId, caller.userId))) {
      throw new XinboxError(Errors.NOT_A_MEMBER);
    }
    const page = await this.index.search({
      userId: caller.userId,
      conversationId: req.conversationId,
      terms: parsed.terms,
      beforeId: parsed.beforeId,
      limit: parsed.limit,
      shortScanLimit: this.shortScanLimit,
      scanBudget: this.scanBudget,
    });
    const kinds = new Map<ConversationId, ConversationKind>();
    await Promise.all([...new Set(page.hits.map((h) => h.message.conversationId))].map(async (id) => {
      kinds.set(id, (await this.conversations.getConversation(id))?.kind ?? 'group');
    }));
    // Messages the caller deleted for themselves are left out (the cursor still moves past them).
    const hiddenIds = new Set<string>();
    if (this.hiddenAmong) {
      for (const id of kinds.keys()) {
        const inConv = page.hits.filter((h) => h.message.conversationId === id);
        const hidden = new Set(await this.hiddenAmong(caller.userId, id, inConv.map((h) => h.message.seq)));
        for (const h of inConv) if (hidden.has(h.message.seq)) hiddenIds.add(h.message.id);
      }
    }
    const hits = page.hits.filter((h) => !hiddenIds.has(h.message.id)).map((h) => {
      const snippet = makeSnippet(h.text, parsed.terms);
      return { message: toWireMessage(h.message, kinds.get(h.message.conversationId)!), snippet: snippet.text, highlights: snippet.highlights };
    });
    // A page that stopped at its scan budget continues below the oldest
    // message it examined (it may have fewer hits than the limit, even none).
    const nextCursor = page.hasMore ? page.hits.at(-1)!.message.id : page.resumeBefore ?? '';
    return create(SearchResultSchema, {
      hits,
      hasMore: nextCursor !== '',
      nextCursor,
      partial: page.partial,
    });
  }
}
