import { describe, expect, it } from 'vitest';
import { ContentSchema, Limits, XinboxError, create, fromBinary, toBinary, type Content } from '@xinbox/protocol';
import { passesWireCheck, validateContent, validateContentBytes } from '../../src/core/messaging/content.js';

/** The verdict of the full path: decode reflectively, then check the decoded content. */
function slowVerdict(bytes: Uint8Array): string {
  let content: Content;
  try {
    content = fromBinary(ContentSchema, bytes);
  } catch {
    return 'CONTENT_INVALID';
  }
  try {
    validateContent(content);
    return 'ok';
  } catch (e) {
    return (e as XinboxError).errorName;
  }
}

function verdict(bytes: Uint8Array): string {
  try {
    expect(validateContentBytes(bytes)).toBe(bytes);
    return 'ok';
  } catch (e) {
    if (!(e instanceof XinboxError)) throw e;
    return e.errorName;
  }
}

const text = (t: string): Uint8Array => toBinary(ContentSchema, create(ContentSchema, { kind: { case: 'text', value: { text: t } } }));
const custom = (kind: string, data: Uint8Array): Uint8Array => toBinary(ContentSchema, create(ContentSchema, { kind: { case: 'custom', value: { kind, data } } }));
const wireChecked = (bytes: Uint8Array): boolean => {
  try {
    return passesWireCheck(bytes);
  } catch {
    return true;
  }
};

describe('text and custom content checked from the wire form', () => {
  const samples = ['a', 'hello', '你好，世界', '👋🏽'.repeat(40), 'x'.repeat(Limits.maxTextBytes), 'x'.repeat(Limits.maxTextBytes + 1), '中'.repeat(Math.floor(Limits.maxTextBytes / 3) + 1), ''];

  it('takes canonical text and gives the same verdict as the full decode', () => {
    for (const t of samples) {
      const bytes = text(t);
      expect(wireChecked(bytes)).toBe(true);
      expect(verdict(bytes)).toBe(slowVerdict(bytes));
    }
    expect(verdict(text('x'.repeat(Limits.maxTextBytes + 1)))).toBe('MESSAGE_TOO_LARGE');
    expect(verdict(new Uint8Array([0x0a, 0x00]))).toBe('CONTENT_INVALID');
    for (const bytes of [custom('bench', new Uint8Array(40)), custom('', new Uint8Array(0)), custom('卡片', new Uint8Array([1])), custom('k', new Uint8Array(Limits.maxCustomBytes)), custom('k', new Uint8Array(Limits.maxCustomBytes + 1))]) {
      expect(wireChecked(bytes)).toBe(true);
      expect(verdict(bytes)).toBe(slowVerdict(bytes));
    }
    expect(verdict(custom('k', new Uint8Array(Limits.maxCustomBytes + 1)))).toBe('MESSAGE_TOO_LARGE');
  });

  it('leaves everything else to the full decode: other kinds, extra or repeated fields', () => {
    const image = toBinary(ContentSchema, create(ContentSchema, { kind: { case: 'image', value: { url: 'https://x/y.png' } } }));
    const longKind = custom('k'.repeat(65), new Uint8Array([1]));
    const system = toBinary(ContentSchema, create(ContentSchema, { kind: { case: 'system', value: {} } }));
    const twice = new Uint8Array([...text('a'), ...text('b')]);
    const unknownField = new Uint8Array([0x0a, 0x05, 0x0a, 0x01, 0x61, 0x10, 0x01]);
    for (const bytes of [image, longKind, system, twice, unknownField]) {
      expect(passesWireCheck(bytes)).toBe(false);
      expect(verdict(bytes)).toBe(slowVerdict(bytes));
    }
  });

  it('agrees with the full decode on thousands of corrupted inputs', () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const bases = [...samples.filter((t) => t.length < 200).map(text), custom('bench', new Uint8Array(24)), custom('卡片', new Uint8Array([7, 8, 9]))];
    for (let i = 0; i < 5000; i++) {
      const bytes = Uint8Array.from(bases[rand(bases.length)]!);
      const edits = 1 + rand(3);
      for (let e = 0; e < edits; e++) bytes[rand(bytes.length)] = rand(256);
      const cut = rand(4) === 0 ? bytes.subarray(0, rand(bytes.length + 1)) : bytes;
      expect(verdict(cut), `input ${Buffer.from(cut).toString('hex')}`).toBe(slowVerdict(cut));
    }
  });
});
