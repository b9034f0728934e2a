/**
 * Date separators in a message list: a label before the first message of
 * each local calendar day ("Today", "Yesterday", a weekday within the last
 * week, otherwise the date). Pure, so the rules are easy to test.
 */
export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function dayLabel(ms: number, now = Date.now()): string {
  const startOf = (t: number) => {
    const d = new Date(t);
    return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  };
  const days = Math.round((startOf(now) - startOf(ms)) / 86_400_000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  const d = new Date(ms);
  if (days > 1 && days < 7) return d.toLocaleDateString(undefined, { weekday: 'long' });
  return d.toLocaleDateString(undefined, { year: 'numeric', month: 'long', day: 'numeric' });
}

/** The seqs that start a new day among messages in seq order: the separator goes before them. */
export function dayStarts(messages: ReadonlyArray<{ seq: number; serverTime: number }>): Set<number> {
  const starts = new Set<number>();
  let last = '';
  for (const m of messages) {
    const k = dayKey(m.serverTime);
    if (k !== last) starts.add(m.seq);
    last = k;
  }
  return starts;
}
