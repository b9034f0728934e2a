import { describe, expect, it } from 'vitest';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { ContentSchema, contentSearchText, create, toBinary } from '../src/index.js';

type ContentInit = MessageInitShape<typeof ContentSchema>;

const enc = (c: ContentInit) => toBinary(ContentSchema, create(ContentSchema, c));

describe('contentSearchText (hand-written) against protobuf-es encodings', () => {
  it('reads the text of a Text and the name of media, nothing from custom or system content', () => {
    const long = '长'.repeat(3000) + ' tail';
    const cases: Array<[ContentInit, string]> = [
      [{ kind: { case: 'text', value: { text: 'Hello 世界 👋' } } }, 'Hello 世界 👋'],
      [{ kind: { case: 'text', value: { text: long } } }, long],
      [{ kind: { case: 'text', value: { text: '' } } }, ''],
      [{ kind: { case: 'image', value: { url: 'https://x/y.png', size: 12345, width: 640, height: 480, name: '猫.png', placeholder: new Uint8Array([1, 2, 3]) } } }, '猫.png'],
      [{ kind: { case: 'file', value: { name: 'report Q3.pdf', size: 1.5e9, variants: ['a', 'b'] } } }, 'report Q3.pdf'],
      [{ kind: { case: 'video', value: { durationMs: 1000, name: 'clip.mp4' } } }, 'clip.mp4'],
      [{ kind: { case: 'audio', value: { name: 'voice.ogg' } } }, 'voice.ogg'],
      [{ kind: { case: 'custom', value: { kind: 'card', data: new Uint8Array([10, 3, 97, 98, 99]) } } }, ''],
      [{ kind: { case: 'system', value: { kind: 'join', text: 'alice joined', attrs: { a: 'b' } } } }, ''],
      [{}, ''],
      // A reply or a forward keeps its text: reply = 16 and forwarded = 17 are outside the kind oneof.
      [{ kind: { case: 'text', value: { text: 'sure, see you' } }, reply: { seq: 4, snippet: 'dinner?' } }, 'sure, see you'],
      [{ kind: { case: 'text', value: { text: '转发的消息' } }, forwarded: { conversationId: '9', seq: 2 } }, '转发的消息'],
    ];
    for (const [content, text] of cases) expect(contentSearchText(enc(content))).toBe(text);
  });

  it('answers "" for malformed bytes instead of throwing', () => {
    expect(contentSearchText(new Uint8Array([0x0a, 0x05, 0x0a]))).toBe('');
    expect(contentSearchText(new Uint8Array([0xff, 0xff, 0xff]))).toBe('');
  });
});
