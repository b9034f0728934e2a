import { AhoCorasick } from './aho-corasick.js';
import { NormalizeScratch, normalize, normalizeWord } from './normalize.js';

/** What happens to a message containing a word of a list. */
export type WordPolicy = 'reject' | 'mask' | 'flag';

export interface WordList {
  readonly name: string;
  readonly policy: WordPolicy;
  readonly words: readonly string[];
}

export interface FilterMatch {
  readonly list: string;
  readonly policy: WordPolicy;
  readonly word: string;
}

export interface FilterVerdict {
  /** Some reject-list word is present: refuse the message. */
  readonly rejected: boolean;
  /** The text to store: mask-list words replaced by `*` (the input when nothing was masked). */
  readonly text: string;
  readonly masked: boolean;
  /** Flag-list words are present: store it, and queue it for review. */
  readonly flagged: boolean;
  readonly matches: readonly FilterMatch[];
}

interface Pattern {
  readonly list: number;
  readonly word: string;
}

/**
 * The sensitive-word filter: every list's words in one Aho–Corasick
 * automaton over normalized text (see normalize.ts), so the cost per message
 * is one pass over it, independent of the lexicon size. Immutable: a reload
 * builds a new filter and swaps it in.
 */
export class ContentFilter {
  private readonly ac: AhoCorasick;
  private readonly patterns: Pattern[] = [];
  private readonly scratch = new NormalizeScratch();

  constructor(readonly lists: readonly WordList[]) {
    const cps: number[][] = [];
    lists.forEach((l, li) => {
      for (const w of l.words) {
        const n = normalizeWord(w);
        if (n.length === 0) continue;
        cps.push(n);
        this.patterns.push({ list: li, word: w });
      }
    });
    this.ac = new AhoCorasick(cps);
  }

  get wordCount(): number {
    return this.patterns.length;
  }

  check(text: string): FilterVerdict {
    const t = normalize(text, this.scratch);
    const found = this.ac.search(t.cps, t.length);
    if (found.length === 0) return { rejected: false, text, masked: false, flagged: false, matches: [] };
    let rejected = false;
    let flagged = false;
    const spans: Array<[number, number]> = [];
    const matches: FilterMatch[] = [];
    for (const m of found) {
      const p = this.patterns[m.pattern]!;
      const list = this.lists[p.list]!;
      matches.push({ list: list.name, policy: list.policy, word: p.word });
      if (list.policy === 'reject') rejected = true;
      else if (list.policy === 'flag') flagged = true;
      else spans.push([t.origin[m.start]!, t.origin[m.end - 1]! + t.width[m.end - 1]!]);
    }
    if (rejected || spans.length === 0) return { rejected, text, masked: false, flagged, matches };
    return { rejected, text: maskSpans(text, spans), masked: true, flagged, matches };
  }
}

/** Replace every code point inside the spans (UTF-16 [start, end)) by one `*`. */
function maskSpans(text: string, spans: Array<[number, number]>): string {
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [s, e] of spans) {
    if (e <= at) continue;
    const from = Math.max(s, at);
    out += text.slice(at, from);
    out += '*'.repeat([...text.slice(from, e)].length);
    at = e;
  }
  return out + text.slice(at);
}
