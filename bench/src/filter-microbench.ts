/**
 * Microbenchmark: cost of the sensitive-word filter on the send path, per
 * message, with a 10,000-word lexicon (CJK words of 2-4 characters and ASCII
 * phrases, split over reject/mask/flag lists). Messages are chat-like text
 * (Chinese and English, ~40 characters); one in ten contains a lexicon word,
 * some spelled with evasions (full-width, inserted spaces, traditional).
 *
 *   node --import tsx bench/src/filter-microbench.ts [--words 10000] [--messages 200000] [--write-lexicon DIR]
 *
 * Two figures: `usPerMessage` is ContentFilter.check on a string;
 * `screenUsPerMessage` is the send path's ContentScreen.screenBytes on the
 * encoded Content (what a Send carries), clean messages included.
 *
 * --write-lexicon DIR writes the same lexicon as `<list>.<policy>.txt` files
 * (the server's lexiconDir format) and exits: the W1 filter on/off A/B runs
 * the bench with `--lexicon-dir DIR` (docs/benchmarks.md).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContentSchema, create, toBinary } from '@xinbox/protocol';
import { ContentFilter, type WordList } from '../../packages/server/src/core/moderation/content-filter.js';
import { ContentScreen } from '../../packages/server/src/core/moderation/content-screen.js';
import { xorshift } from './xorshift.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const WORDS = arg('words', 10_000);
const MESSAGES = arg('messages', 200_000);

// Deterministic, so runs compare.
const rand = xorshift(0x9e3779b9);
const cjk = (len: number): string => Array.from({ length: len }, () => String.fromCodePoint(0x4e00 + rand(3000))).join('');
const ascii = (len: number): string => Array.from({ length: len }, () => String.fromCharCode(97 + rand(26))).join('');

const words: string[] = [];
for (let i = 0; i < WORDS; i++) words.push(i % 5 === 0 ? `${ascii(4 + rand(4))} ${ascii(3 + rand(4))}` : cjk(2 + rand(3)));
const lists: WordList[] = [
  { name: 'reject', policy: 'reject', words: words.filter((_w, i) => i % 3 === 0) },
  { name: 'mask', policy: 'mask', words: words.filter((_w, i) => i % 3 === 1) },
  { name: 'flag', policy: 'flag', words: words.filter((_w, i) => i % 3 === 2) },
];

const writeDir = process.argv.indexOf('--write-lexicon') > 0 ? process.argv[process.argv.indexOf('--write-lexicon') + 1] : undefined;
if (writeDir) {
  mkdirSync(writeDir, { recursive: true });
  for (const l of lists) writeFileSync(join(writeDir, `bench.${l.policy}.txt`), `${l.words.join('\n')}\n`);
  console.log(JSON.stringify({ wrote: writeDir, words: words.length }));
  process.exit(0);
}

const t0 = performance.now();
const filter = new ContentFilter(lists);
const buildMs = performance.now() - t0;

const fillers = ['今天晚上一起吃饭吗', 'see you at the station at 7', '这个价格可以再便宜一点吗', 'ok 👍', '我已经到了，你在哪里？', 'the meeting moved to Friday'];
const messages: string[] = [];
for (let i = 0; i < 1000; i++) {
  let m = `${fillers[rand(fillers.length)]} ${cjk(8 + rand(12))} ${fillers[rand(fillers.length)]}`;
  if (i % 10 === 0) {
    const w = words.length ? words[rand(words.length)]! : '';
    const evaded = i % 30 === 0 ? [...w].join(' ') : i % 20 === 0 ? w.toUpperCase() : w;
    m = `${m.slice(0, 10)}${evaded}${m.slice(10)}`;
  }
  messages.push(m);
}

// Warm up (JIT), then measure.
let hits = 0;
for (let i = 0; i < 20_000; i++) if (filter.check(messages[i % messages.length]!).matches.length) hits++;
hits = 0;
const start = process.hrtime.bigint();
for (let i = 0; i < MESSAGES; i++) if (filter.check(messages[i % messages.length]!).matches.length) hits++;
const ns = Number(process.hrtime.bigint() - start);
const screen = new ContentScreen();
screen.use(filter);
const encoded = messages.map((m) => toBinary(ContentSchema, create(ContentSchema, { kind: { case: 'text', value: { text: m } } })));
const screenOnce = (b: Uint8Array): void => {
  try {
    screen.screenBytes(b);
  } catch {
    // CONTENT_REJECTED: counted like any other message
  }
};
for (let i = 0; i < 20_000; i++) screenOnce(encoded[i % encoded.length]!);
const screenStart = process.hrtime.bigint();
for (let i = 0; i < MESSAGES; i++) screenOnce(encoded[i % encoded.length]!);
const screenNs = Number(process.hrtime.bigint() - screenStart);
const avgChars = messages.reduce((s, m) => s + m.length, 0) / messages.length;
console.log(JSON.stringify({
  lexiconWords: filter.wordCount, buildMs: Math.round(buildMs), messages: MESSAGES, avgChars: Math.round(avgChars),
  usPerMessage: Number((ns / MESSAGES / 1000).toFixed(2)), messagesPerSecond: Math.round(MESSAGES / (ns / 1e9)),
  screenUsPerMessage: Number((screenNs / MESSAGES / 1000).toFixed(2)),
  matchedShare: Number((hits / MESSAGES).toFixed(3)),
}));
