/**
 * The search index backfill's cursor (issue #14, SearchIndex.backfill): one
 * row. Messages below `before_id` that have no index row are indexed by the
 * background job, newest first; the cursor moves down with each step's
 * commit, so a restart resumes. It starts above the newest message stored
 * at migration time (everything appended later is indexed by the append
 * path). A rebuild empties message_search and sets before_id back to NULL
 * (= above every message) and done to 0 (docs/operations.md).
 */
export const SEARCH_BACKFILL_MIGRATION = `
  CREATE TABLE search_backfill (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    before_id INTEGER,
    done      INTEGER NOT NULL DEFAULT 0
  );
  INSERT INTO search_backfill (id, before_id, done) SELECT 1, max(id) + 1, 0 FROM messages;
`;
