import { foldCase } from './search-query.js';

export interface Snippet {
  readonly text: string;
  /** [start, length) ranges in UTF-16 code units of `text`, ascending, not overlapping. */
  readonly highlights: Array<{ start: number; length: number }>;
}

const ELLIPSIS = '\u2026';

/**
 * Up to `width` characters of `text` (whitespace runs collapsed) around the
 * first occurrence of any term, with an ellipsis where it was cut, and where
 * every term occurs inside it. Terms are case-folded (search-query.ts).
 */
export function makeSnippet(text: string, terms: readonly string[], width = 120, lead = 30): Snippet {
  const flat = text.replace(/\s+/gu, ' ').trim();
  const folded = foldCase(flat);
  let first = -1;
  for (const t of terms) {
    const at = folded.indexOf(t);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  let start = Math.max(0, Math.min(first - lead, flat.length - width));
  let end = Math.min(flat.length, start + width);
  // Never cut a surrogate pair in half.
  if (start > 0 && isLowSurrogate(flat.charCodeAt(start))) start--;
  if (end < flat.length && isLowSurrogate(flat.charCodeAt(end))) end++;
  const prefix = start > 0 ? ELLIPSIS : '';
  const suffix = end < flat.length ? ELLIPSIS : '';

  const ranges: Array<[number, number]> = [];
  for (const t of terms) {
    if (t.length === 0) continue;
    for (let at = folded.indexOf(t, Math.max(0, start - t.length + 1)); at >= 0 && at < end; at = folded.indexOf(t, at + 1)) {
      ranges.push([Math.max(at, start), Math.min(at + t.length, end)]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const highlights: Array<{ start: number; length: number }> = [];
  let open: [number, number] | null = null;
  for (const r of ranges) {
    if (open && r[0] <= open[1]) open[1] = Math.max(open[1], r[1]);
    else {
      if (open) highlights.push({ start: open[0] - start + prefix.length, length: open[1] - open[0] });
      open = [r[0], r[1]];
    }
  }
  if (open) highlights.push({ start: open[0] - start + prefix.length, length: open[1] - open[0] });
  return { text: prefix + flat.slice(start, end) + suffix, highlights };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
