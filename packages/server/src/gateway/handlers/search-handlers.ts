import type { SearchService } from '../../core/search/search-service.js';
import type { HandlerTable } from './types.js';
import { parseId } from './ids.js';

/** Full-text search (Search → SearchResult). */
export function searchHandlers(search: SearchService): HandlerTable {
  return {
    search: async ({ caller }, v) => ({
      case: 'searchResult',
      value: await search.search(caller, {
        query: v.query,
        conversationId: v.conversationId && v.conversationId !== '0' ? parseId(v.conversationId, 'conversationId') : null,
        cursor: v.cursor,
        limit: v.limit,
      }),
    }),
  };
}
