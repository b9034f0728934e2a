/**
 * Full-text search over the messages this user may read: every conversation,
 * or only the open one. Hits show a snippet with the matched terms marked
 * (the server's highlight ranges, rendered as text, never as HTML), newest
 * first; "More results" pages on with the server's cursor (a partial page,
 * stopped at the server's scan budget, offers to search older messages).
 * Choosing a hit opens its conversation at that message: the history around
 * it is loaded and the message highlighted (ChatApp.jumpTo).
 */
import type { SearchHit } from '@xinbox/protocol';
import { useRef, useState } from 'preact/hooks';
import { conversationTitle, shortTime } from '../state/conversation-view.js';
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';
import { Dialog } from './Dialog.js';
import { HighlightedSnippet } from './HighlightedSnippet.js';

interface Props {
  /** Only this conversation; undefined: all of them. */
  conversationId?: string;
  onClose: () => void;
}

interface Results {
  hits: SearchHit[];
  cursor: string;
  hasMore: boolean;
  partial: boolean;
}

export function SearchPanel({ conversationId, onClose }: Props) {
  const { app, router } = useServices();
  const conversations = useStore(app.conversations);
  const names = useStore(app.directory.names);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Results | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const asked = useRef('');

  const run = async (q: string, cursor: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await app.client.search(q, { conversationId, cursor, limit: 20 });
      if (asked.current !== q) return; // a newer query was started meanwhile
      setResults((prev) => ({
        hits: cursor && prev ? [...prev.hits, ...r.hits] : r.hits,
        cursor: r.nextCursor,
        hasMore: r.hasMore,
        partial: r.partial,
      }));
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Search failed');
    } finally {
      setBusy(false);
    }
  };

  const titleOf = (id: string) => {
    const c = conversations.find((x) => x.conversationId === id);
    return c ? conversationTitle(c, (u) => names.get(u)) : 'Conversation';
  };
  const scopeTitle = conversationId ? `Search in ${titleOf(conversationId)}` : 'Search messages';

  return (
    <Dialog title={scopeTitle} onClose={onClose} class="dialog--search">
      <form
        class="search__form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const q = query.trim();
          if (!q) return;
          asked.current = q;
          setResults(undefined);
          void run(q, '');
        }}
      >
        <label class="sr-only" for="search-query">
          Search
        </label>
        <input
          id="search-query"
          type="search"
          class="search__input"
          placeholder="Words or phrases, e.g. 预算 or budget"
          value={query}
          maxLength={100}
          autoFocus
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
        <button type="submit" class="btn btn--primary" disabled={busy || !query.trim()}>
          Search
        </button>
      </form>
      {error && (
        <p class="error" role="alert" data-testid="search-error">
          {error}
        </p>
      )}
      {results && (
        <div class="search__results" aria-live="polite">
          <p class="search__count" data-testid="search-count">
            {results.hits.length === 0 ? 'No messages found.' : `${results.hits.length}${results.hasMore ? '+' : ''} found`}
            {results.partial && ' (only the most recent messages were searched so far)'}
          </p>
          <ul class="search__list" aria-label="Search results">
            {results.hits.map((h) => (
              <li key={h.message!.id}>
                <button
                  type="button"
                  class="search__hit"
                  data-testid="search-hit"
                  onClick={() => {
                    onClose();
                    const { conversationId: conv, seq } = h.message!;
                    router.go({ kind: 'chat', conversationId: conv });
                    void app.jumpTo(conv, seq);
                  }}
                >
                  <span class="search__where">
                    {!conversationId && <strong>{titleOf(h.message!.conversationId)}</strong>}
                    <span>{names.get(h.message!.senderId) ?? 'Someone'}</span>
                    <time dateTime={new Date(h.message!.serverTime).toISOString()}>{shortTime(h.message!.serverTime)}</time>
                  </span>
                  <HighlightedSnippet text={h.snippet} ranges={h.highlights} />
                </button>
              </li>
            ))}
          </ul>
          {results.hasMore && (
            <button type="button" class="btn" disabled={busy} onClick={() => void run(asked.current, results.cursor)}>
              {results.partial ? 'Search older messages' : 'More results'}
            </button>
          )}
        </div>
      )}
    </Dialog>
  );
}
