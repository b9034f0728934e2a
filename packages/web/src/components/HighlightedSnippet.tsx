/** A search snippet with the matched ranges (UTF-16 offsets from the server) in <mark>, as text only. */
import type { ComponentChildren } from 'preact';

export function HighlightedSnippet({ text, ranges }: { text: string; ranges: ReadonlyArray<{ start: number; length: number }> }) {
  const parts: ComponentChildren[] = [];
  let at = 0;
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    const start = Math.max(r.start, at);
    const end = Math.min(r.start + r.length, text.length);
    if (end <= start) continue;
    if (start > at) parts.push(text.slice(at, start));
    parts.push(<mark key={start}>{text.slice(start, end)}</mark>);
    at = end;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <span class="search__snippet" data-testid="search-snippet">{parts}</span>;
}
