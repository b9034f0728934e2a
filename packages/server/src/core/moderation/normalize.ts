import { foldTraditional } from './trad-simp.js';

/**
 * Text as the sensitive-word filter sees it. Easy evasions fold away:
 * full-width forms (ＡＢＣ１２３) become ASCII, letters are lower-cased,
 * traditional Chinese folds to simplified, and separators inserted between
 * the characters of a word (spaces, punctuation, symbols, zero-width and
 * control characters, combining marks) are skipped. `origin[i]` is the
 * UTF-16 index in the original text of normalized code point i, so matches
 * can be masked in the original.
 */
export interface NormalizedText {
  /** Normalized code points. */
  readonly cps: Uint32Array;
  /** Original UTF-16 start index of each normalized code point. */
  readonly origin: Uint32Array;
  /** Original UTF-16 length of each normalized code point (1 or 2). */
  readonly width: Uint8Array;
  readonly length: number;
}

const SKIP = /[\p{P}\p{S}\p{Z}\p{Cc}\p{Cf}\p{M}]/u;

/** Fold one code point (never a skipped one). */
export function foldCodePoint(cp: number): number {
  if (cp >= 0x41 && cp <= 0x5a) return cp + 32; // A-Z
  if (cp < 0x80) return cp;
  if (cp >= 0xff01 && cp <= 0xff5e) return foldCodePoint(cp - 0xfee0); // full-width ASCII
  if (cp >= 0x3400) return foldTraditional(cp);
  const lower = String.fromCodePoint(cp).toLowerCase();
  return lower.length > 0 ? lower.codePointAt(0)! : cp;
}

/**
 * The whole BMP folded once (256 KiB, built on first use in a few tens of
 * ms): 0 = skip the character, anything else = its folded code point. Per
 * character the filter then pays one array read instead of a regex and a map.
 */
let BMP: Uint32Array | null = null;
function bmpTable(): Uint32Array {
  if (BMP) return BMP;
  const t = new Uint32Array(0x10000);
  for (let cp = 0; cp < 0x10000; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue; // lone surrogates: skipped
    t[cp] = SKIP.test(String.fromCharCode(cp)) ? 0 : foldCodePoint(cp);
  }
  BMP = t;
  return t;
}

function foldAstral(cp: number): number {
  return SKIP.test(String.fromCodePoint(cp)) ? 0 : foldCodePoint(cp);
}

/**
 * Reusable output arrays for normalize() on the send path: a filter checks
 * one message at a time (synchronously), so one grow-only set per filter
 * saves three typed-array allocations per message.
 */
export class NormalizeScratch {
  cps = new Uint32Array(256);
  origin = new Uint32Array(256);
  width = new Uint8Array(256);

  ensure(n: number): void {
    if (this.cps.length >= n) return;
    const size = Math.max(n, this.cps.length * 2);
    this.cps = new Uint32Array(size);
    this.origin = new Uint32Array(size);
    this.width = new Uint8Array(size);
  }
}

/** `scratch`: write into its arrays (valid until the next call with it) instead of allocating. */
export function normalize(text: string, scratch?: NormalizeScratch): NormalizedText {
  const table = bmpTable();
  const n = text.length;
  scratch?.ensure(n);
  const cps = scratch ? scratch.cps : new Uint32Array(n);
  const origin = scratch ? scratch.origin : new Uint32Array(n);
  const width = scratch ? scratch.width : new Uint8Array(n);
  let len = 0;
  for (let i = 0; i < n; ) {
    const unit = text.charCodeAt(i);
    let folded: number;
    let w = 1;
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < n) {
      const cp = text.codePointAt(i)!;
      w = cp > 0xffff ? 2 : 1;
      folded = w === 2 ? foldAstral(cp) : 0;
    } else {
      folded = table[unit]!;
    }
    if (folded !== 0) {
      cps[len] = folded;
      origin[len] = i;
      width[len] = w;
      len++;
    }
    i += w;
  }
  return { cps, origin, width, length: len };
}

/** A lexicon word as code points, normalized like messages are. */
export function normalizeWord(word: string): number[] {
  const t = normalize(word);
  return Array.from(t.cps.subarray(0, t.length));
}
