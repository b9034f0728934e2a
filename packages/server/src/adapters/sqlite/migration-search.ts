/**
 * Full-text search (issue #14, ADR 0012): an FTS5 table with
 * the trigram tokenizer (case-insensitive substring matching that needs no
 * word segmentation, so Chinese works like English). The rowid is the
 * message's id (messages.id), written in the same transaction as the
 * message; the table keeps the text for snippets. Messages stored before
 * this migration are not indexed.
 */
export const SEARCH_MIGRATION = `
  CREATE VIRTUAL TABLE message_search USING fts5(body, tokenize = 'trigram');
`;
