/**
 * Aho–Corasick automaton over code points: all occurrences of many patterns
 * in one pass over the text, O(text + matches) whatever the lexicon size.
 * Transitions are one Map per node (sparse: CJK alphabets are large); the
 * failure links are resolved at build time into each node's `out` chain.
 */
export interface AcMatch {
  /** Index of the first code point of the match in the searched sequence. */
  readonly start: number;
  /** Index after the last code point. */
  readonly end: number;
  readonly pattern: number;
}

export class AhoCorasick {
  private readonly next: Array<Map<number, number>> = [new Map()];
  private readonly fail: number[] = [0];
  /** Pattern ids ending at each node (including those reached through failure links). */
  private readonly out: number[][] = [[]];
  private readonly lengths: number[] = [];
  /** Root transitions for the BMP as an array: most characters of a text fail at the root, so this is the hot read. */
  private readonly rootBmp = new Int32Array(0x10000);

  /** Patterns are code-point arrays; empty ones never match. */
  constructor(patterns: readonly (readonly number[])[]) {
    patterns.forEach((p, id) => {
      this.lengths.push(p.length);
      if (p.length === 0) return;
      let node = 0;
      for (const cp of p) {
        let to = this.next[node]!.get(cp);
        if (to === undefined) {
          to = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.out.push([]);
          this.next[node]!.set(cp, to);
        }
        node = to;
      }
      this.out[node]!.push(id);
    });
    for (const [cp, to] of this.next[0]!) if (cp < 0x10000) this.rootBmp[cp] = to;
    // Breadth-first: a node's failure target is resolved before its children's.
    const queue: number[] = [...this.next[0]!.values()];
    for (let qi = 0; qi < queue.length; qi++) {
      const node = queue[qi]!;
      for (const [cp, child] of this.next[node]!) {
        let f = this.fail[node]!;
        while (f !== 0 && !this.next[f]!.has(cp)) f = this.fail[f]!;
        const target = this.next[f]!.get(cp);
        this.fail[child] = target !== undefined && target !== child ? target : 0;
        const inherited = this.out[this.fail[child]!]!;
        if (inherited.length) this.out[child] = [...this.out[child]!, ...inherited];
        queue.push(child);
      }
    }
  }

  get nodes(): number {
    return this.next.length;
  }

  /** Every match in cps[0, length). */
  search(cps: Uint32Array | readonly number[], length = cps.length): AcMatch[] {
    const matches: AcMatch[] = [];
    let node = 0;
    for (let i = 0; i < length; i++) {
      const cp = cps[i]!;
      if (node === 0 && cp < 0x10000) {
        node = this.rootBmp[cp]!;
        if (node === 0) continue;
        const out0 = this.out[node]!;
        for (let k = 0; k < out0.length; k++) matches.push({ start: i + 1 - this.lengths[out0[k]!]!, end: i + 1, pattern: out0[k]! });
        continue;
      }
      let to = this.next[node]!.get(cp);
      while (to === undefined && node !== 0) {
        node = this.fail[node]!;
        to = this.next[node]!.get(cp);
      }
      node = to ?? 0;
      const out = this.out[node]!;
      for (let k = 0; k < out.length; k++) {
        const id = out[k]!;
        matches.push({ start: i + 1 - this.lengths[id]!, end: i + 1, pattern: id });
      }
    }
    return matches;
  }
}
