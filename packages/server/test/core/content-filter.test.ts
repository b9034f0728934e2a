import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AhoCorasick } from '../../src/core/moderation/aho-corasick.js';
import { ContentSchema, create, fromBinary, toBinary } from '@xinbox/protocol';
import { ContentFilter } from '../../src/core/moderation/content-filter.js';
import { ContentScreen } from '../../src/core/moderation/content-screen.js';
import { readLexiconDir } from '../../src/core/moderation/lexicon-files.js';
import { normalize, normalizeWord } from '../../src/core/moderation/normalize.js';
import { TRAD_SIMP_SIZE } from '../../src/core/moderation/trad-simp.js';

const cps = (s: string) => [...s].map((c) => c.codePointAt(0)!);

describe('Aho–Corasick', () => {
  it('finds every occurrence of every pattern, overlapping ones and suffixes included', () => {
    const ac = new AhoCorasick([cps('he'), cps('she'), cps('his'), cps('hers'), []]);
    const found = ac.search(cps('ushers')).map((m) => [m.start, m.end, m.pattern]);
    expect(found).toEqual([[1, 4, 1], [2, 4, 0], [2, 6, 3]]);
    expect(ac.search(cps('nothing here?')).map((m) => m.pattern)).toEqual([0]);
    expect(new AhoCorasick([]).search(cps('abc'))).toEqual([]);
  });

  it('agrees with a naive search on random texts', () => {
    const words = ['ab', 'abc', 'bca', 'c', 'aab', '你好', '好你'];
    const ac = new AhoCorasick(words.map(cps));
    for (let n = 0; n < 200; n++) {
      const text = Array.from({ length: 30 }, () => 'abc你好'[Math.floor(Math.random() * 5)]).join('');
      const naive: string[] = [];
      const t = cps(text);
      words.forEach((w, id) => {
        const p = cps(w);
        for (let i = 0; i + p.length <= t.length; i++) if (p.every((c, k) => t[i + k] === c)) naive.push(`${i}:${id}`);
      });
      const got = ac.search(t).map((m) => `${m.start}:${m.pattern}`);
      expect(got.sort()).toEqual(naive.sort());
    }
  });
});

describe('normalization', () => {
  it('folds full-width forms, case and traditional characters, and skips separators', () => {
    expect(String.fromCodePoint(...normalizeWord('ＡＢＣ１２３ Ab'))).toBe('abc123ab');
    expect(String.fromCodePoint(...normalizeWord('法 輪-功！'))).toBe('法轮功');
    expect(String.fromCodePoint(...normalizeWord('x\u200by\u0301z👍'))).toBe('xyz');
    expect(TRAD_SIMP_SIZE).toBeGreaterThan(400);
  });

  it('maps each normalized character back to the original text', () => {
    const t = normalize('a, 𝐁 c');
    expect(t.length).toBe(3);
    expect(Array.from(t.origin.subarray(0, 3))).toEqual([0, 3, 6]);
    expect(Array.from(t.width.subarray(0, 3))).toEqual([1, 2, 1]);
  });
});

describe('ContentFilter', () => {
  const filter = new ContentFilter([
    { name: 'politics', policy: 'reject', words: ['违禁词'] },
    { name: 'rude', policy: 'mask', words: ['笨蛋', 'stupid'] },
    { name: 'ads', policy: 'flag', words: ['加微信'] },
  ]);

  it('rejects, masks in the original text (separators included) and flags', () => {
    expect(filter.check('这是違 禁.詞').rejected).toBe(true);
    const masked = filter.check('你这个笨-蛋, so STUPID!');
    expect(masked).toMatchObject({ rejected: false, masked: true, text: '你这个***, so ******!' });
    const flagged = filter.check('加 微 信聊');
    expect(flagged).toMatchObject({ rejected: false, masked: false, flagged: true, text: '加 微 信聊' });
    expect(filter.check('all clear 一切正常')).toEqual({ rejected: false, text: 'all clear 一切正常', masked: false, flagged: false, matches: [] });
  });

  it('screens encoded Content: clean bytes pass untouched, masks re-encode, rejects throw, replies are screened too', () => {
    const screen = new ContentScreen();
    screen.use(filter);
    const text = (t: string, reply = false) => toBinary(ContentSchema, create(ContentSchema, {
      kind: { case: 'text', value: { text: t } }, ...(reply ? { reply: { seq: 3, snippet: 'earlier' } } : {}),
    }));
    const clean = text('all clear 一切正常', true);
    expect(screen.screenBytes(clean).bytes).toBe(clean);
    const long = text('长'.repeat(5000) + ' 笨蛋');
    for (const bytes of [text('你这个笨-蛋'), text('你这个笨-蛋', true), long]) {
      const out = fromBinary(ContentSchema, screen.screenBytes(bytes).bytes);
      expect(out.kind.case === 'text' && out.kind.value.text).toMatch(/\*\*$/);
      expect(out.reply?.seq ?? 0).toBe(fromBinary(ContentSchema, bytes).reply?.seq ?? 0);
    }
    expect(() => screen.screenBytes(text('这是违禁词', true))).toThrow(expect.objectContaining({ errorName: 'CONTENT_REJECTED' }));
    expect(screen.screenBytes(text('加微信聊')).flagged.map((m) => m.policy)).toEqual(['flag']);
    expect(screen.stats).toMatchObject({ checked: 6, rejected: 1, masked: 3, flagged: 1 });
  });

  it('reads lexicon directories of <list>.<policy>.txt files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lexicon-'));
    try {
      writeFileSync(join(dir, 'a.reject.txt'), '# comment\n\nfoo\r\nbar baz\n');
      writeFileSync(join(dir, 'b.flag.txt'), '加微信');
      writeFileSync(join(dir, 'notes.txt'), 'ignored');
      writeFileSync(join(dir, 'c.bogus.txt'), 'ignored');
      expect(await readLexiconDir(dir)).toEqual([
        { name: 'a', policy: 'reject', words: ['foo', 'bar baz'] },
        { name: 'b', policy: 'flag', words: ['加微信'] },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
