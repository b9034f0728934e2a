import { Errors, XinboxError } from '@xinbox/protocol';

export const MAX_QUERY_CHARS = 100;
export const MAX_TERMS = 8;
export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 50;

export interface ParsedQuery {
  /** Lower-cased, distinct, in query order. */
  readonly terms: string[];
  readonly beforeId: string | null;
  readonly limit: number;
}

/**
 * Checks a client's Search and turns it into index terms: whitespace
 * separates terms, every term must occur (AND), case is folded with
 * toLowerCase (per code point, so offsets in the folded text are offsets in
 * the original). Bad input is SEARCH_QUERY_INVALID.
 */
export function parseSearch(query: string, cursor: string, limit: number): ParsedQuery {
  const trimmed = query.trim();
  if (trimmed.length === 0) throw new XinboxError(Errors.SEARCH_QUERY_INVALID, 'the query is empty');
  if ([...trimmed].length > MAX_QUERY_CHARS) throw new XinboxError(Errors.SEARCH_QUERY_INVALID, `the query is longer than ${MAX_QUERY_CHARS} characters`);
  const terms = [...new Set(trimmed.split(/\s+/u).map(foldCase))];
  if (terms.length > MAX_TERMS) throw new XinboxError(Errors.SEARCH_QUERY_INVALID, `the query has more than ${MAX_TERMS} terms`);
  if (cursor !== '' && !/^[1-9]\d{0,19}$/.test(cursor)) throw new XinboxError(Errors.SEARCH_QUERY_INVALID, 'the cursor is malformed');
  return { terms, beforeId: cursor === '' ? null : cursor, limit: limit <= 0 ? DEFAULT_PAGE : Math.min(limit, MAX_PAGE) };
}

/** toLowerCase per code point, keeping a code point whose lower case has another length (so lengths stay equal). */
export function foldCase(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  let out = '';
  for (const c of text) {
    const l = c.toLowerCase();
    out += l.length === c.length ? l : c;
  }
  return out;
}
