/**
 * @mentions in the composer: which "@word" the caret is in, what to suggest,
 * and which mentions a finished text carries (only names still present as
 * "@name" count, so deleting one drops its mention).
 */
export interface MentionCandidate {
  readonly userId: string;
  readonly username: string;
}

/** "@all": everyone in the group (owners and admins only). */
export const ALL = 'all';

/** The "@prefix" the caret stands in (without the @), or undefined. */
export function mentionQueryAt(text: string, caret: number): { start: number; query: string } | undefined {
  const before = text.slice(0, caret);
  const m = /(^|\s)@([^\s@]*)$/u.exec(before);
  if (!m) return undefined;
  return { start: caret - m[2]!.length - 1, query: m[2]! };
}

/** Candidates whose name starts with (then contains) the query, @all first when allowed; at most 8. */
export function suggestMentions(query: string, candidates: readonly MentionCandidate[], selfId: string | undefined, canMentionAll: boolean): MentionCandidate[] {
  const q = query.toLowerCase();
  const others = candidates.filter((c) => c.userId !== selfId);
  const starts = others.filter((c) => c.username.toLowerCase().startsWith(q));
  const contains = others.filter((c) => !c.username.toLowerCase().startsWith(q) && c.username.toLowerCase().includes(q));
  const all = canMentionAll && ALL.startsWith(q) ? [{ userId: ALL, username: ALL }] : [];
  return [...all, ...starts, ...contains].slice(0, 8);
}

/** Replaces the "@prefix" at `start` with "@name " and returns the new text and caret. */
export function insertMention(text: string, start: number, caret: number, username: string): { text: string; caret: number } {
  const inserted = `@${username} `;
  return { text: text.slice(0, start) + inserted + text.slice(caret), caret: start + inserted.length };
}

/** The mention metadata of a text: picked users whose "@name" is still in it, and @all. */
export function mentionsIn(text: string, picked: readonly MentionCandidate[], canMentionAll: boolean): { mentions: string[]; mentionAll: boolean } {
  const present = (name: string) => new RegExp(`(^|\\s)@${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[\\s,.!?;:，。！？])`, 'u').test(text);
  const mentions = [...new Set(picked.filter((p) => p.userId !== ALL && present(p.username)).map((p) => p.userId))];
  return { mentions, mentionAll: canMentionAll && present(ALL) };
}
