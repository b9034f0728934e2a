import { describe, expect, it } from 'vitest';
import {
  FrameSizeError, FrameStreamDecoder, MessageSchema, create, fromBinary, decodeFrame, encodeFrame, encodePushFrame, frameFromJson,
  frameToJson, joinChunks, splitFrames, toBinary, withLengthPrefix, Errors, errorByCode, CloseCodes, closeByCode,
} from '../src/index.js';

const message = create(MessageSchema, {
  id: '1234567890123456789',
  conversationId: '42',
  seq: 7,
  senderId: '9',
  clientMsgId: 'c-1',
  serverTime: 1_700_000_000_000,
  content: { kind: { case: 'text', value: { text: '你好 🎉' } } },
});

describe('frame codec', () => {
  it('round-trips binary and JSON', () => {
    const bytes = encodeFrame({ id: 3, body: { case: 'send', value: { conversationId: '42', clientMsgId: 'x', content: message.content } } });
    const back = decodeFrame(bytes);
    expect(back.id).toBe(3);
    expect(back.body.case).toBe('send');
    const json = frameToJson(back);
    expect(JSON.parse(json)).toMatchObject({ id: 3, send: { conversationId: '42', clientMsgId: 'x' } });
    expect(frameFromJson(json)).toEqual(back);
  });

  it('hand-rolled push frames equal the generic encoder', () => {
    const messageBytes = toBinary(MessageSchema, message);
    for (const syncSeq of [0, 1, 127, 128, 300, 2 ** 31, 2 ** 32 - 1]) {
      const fast = encodePushFrame(messageBytes, syncSeq);
      const slow = withLengthPrefix(encodeFrame({ body: { case: 'push', value: { message, syncSeq } } }));
      expect(Buffer.from(fast).equals(Buffer.from(slow))).toBe(true);
    }
    // Frames whose length needs every byte of the prefix.
    const big = { ...message, clientMsgId: 'b'.repeat(70_000) };
    const bigBytes = toBinary(MessageSchema, big);
    const fast = encodePushFrame(bigBytes, 5);
    expect(fast.length).toBeGreaterThan(65_536);
    expect(Buffer.from(fast).equals(Buffer.from(withLengthPrefix(encodeFrame({ body: { case: 'push', value: { message: big, syncSeq: 5 } } }))))).toBe(true);
  });

  it('splits joined frames and rejects truncation and oversize', () => {
    const a = withLengthPrefix(encodeFrame({ id: 1, body: { case: 'ping', value: {} } }));
    const b = withLengthPrefix(encodeFrame({ id: 2, body: { case: 'pong', value: { serverTime: 5 } } }));
    const joined = joinChunks([a, b]);
    expect(splitFrames(joined, 1024).map((f) => decodeFrame(f).id)).toEqual([1, 2]);
    expect(() => splitFrames(joined.subarray(0, joined.length - 1), 1024)).toThrow(RangeError);
    expect(() => splitFrames(withLengthPrefix(new Uint8Array(2000)), 1024)).toThrow(FrameSizeError);
  });

  it('reads each big-endian length prefix exactly, also inside a larger buffer and past 2^31', () => {
    const a = withLengthPrefix(encodeFrame({ id: 7, body: { case: 'ping', value: {} } }));
    const b = withLengthPrefix(new Uint8Array(300).fill(9));
    // The frames at an odd offset of a bigger ArrayBuffer, as a WebSocket message's bytes may be.
    const backing = new Uint8Array(5 + a.length + b.length + 3);
    backing.set(a, 5);
    backing.set(b, 5 + a.length);
    const bodies = splitFrames(backing.subarray(5, 5 + a.length + b.length), 1024);
    expect(bodies.map((f) => f.length)).toEqual([a.length - 4, 300]);
    expect(decodeFrame(bodies[0]!).id).toBe(7);
    expect(bodies[1]!.every((x) => x === 9)).toBe(true);
    // A prefix with the top bit set is a size of 4,026,531,841 bytes (not a negative number), refused as too large.
    try {
      splitFrames(Uint8Array.of(0xf0, 0, 0, 1, 0), 1024);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(FrameSizeError);
      expect((e as FrameSizeError).size).toBe(0xf0000001);
    }
    expect(() => splitFrames(Uint8Array.of(0, 0, 1), 1024)).toThrow(RangeError);
    expect(splitFrames(Uint8Array.of(0, 0, 0, 0), 1024).map((f) => f.length)).toEqual([0]);
  });

  it('decodes a TCP stream fed one byte at a time, and bounds memory on a huge prefix', () => {
    const frames = [1, 2, 3].map((id) => withLengthPrefix(encodeFrame({ id, body: { case: 'ping', value: {} } })));
    const stream = joinChunks(frames);
    const d = new FrameStreamDecoder(1024);
    const got: number[] = [];
    for (const byte of stream) for (const f of d.push(new Uint8Array([byte]))) got.push(decodeFrame(f).id);
    expect(got).toEqual([1, 2, 3]);
    expect(d.bufferedBytes).toBe(0);
    expect(() => new FrameStreamDecoder(1024).push(new Uint8Array([0x7f, 0, 0, 0]))).toThrow(FrameSizeError);
  });

  it('throws on garbage instead of returning half a frame', () => {
    expect(() => decodeFrame(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))).toThrow();
  });
});

describe('catalogs', () => {
  it('has unique error and close codes that resolve back', () => {
    const codes = Object.values(Errors).map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const e of Object.values(Errors)) expect(errorByCode(e.code)).toBe(e);
    const close = Object.values(CloseCodes).map((c) => c.code);
    expect(new Set(close).size).toBe(close.length);
    for (const c of Object.values(CloseCodes)) expect(closeByCode(c.code)).toBe(c);
    for (const c of Object.values(CloseCodes)) if (c.code !== 1000) expect(c.code).toBeGreaterThanOrEqual(4000);
  });
});

describe('hand-rolled message encoder', () => {
  it('matches the generic encoder byte for byte', async () => {
    const { encodeMessageParts, encodeMessagePartsView, ContentSchema, ConversationKind } = await import('../src/index.js');
    const content = toBinary(ContentSchema, create(ContentSchema, { kind: { case: 'text', value: { text: '你好 🎉' } } }));
    const cases = [
      { id: '7331234567890123456', conversationId: 42, seq: 300, senderId: 2 ** 40, clientMsgId: 'c-1', serverTime: 1_763_800_000_123, content, mentions: [], mentionAll: false, visibleTo: [], hidden: false, conversationKind: ConversationKind.DIRECT },
      { id: '18446744073709551615', conversationId: 1, seq: 1, senderId: 9, clientMsgId: '', serverTime: 5, content: new Uint8Array(0), mentions: [3, 300, 2 ** 50], mentionAll: true, visibleTo: [7, 8], hidden: true, conversationKind: ConversationKind.GROUP },
      // Client ids written in place: non-ASCII (2-, 3- and 4-byte UTF-8, a lone surrogate), and long enough for a 2-byte length.
      ...['客户端-1 🎉', 'é\ud800x', 'x'.repeat(200), '消'.repeat(100)].map((clientMsgId, i) => (
        { id: String(1000 + i), conversationId: 3, seq: 2, senderId: 4, clientMsgId, serverTime: 6, content, mentions: [], mentionAll: false, visibleTo: [], hidden: false, conversationKind: ConversationKind.DIRECT })),
    ];
    for (const c of cases) {
      const generic = toBinary(MessageSchema, create(MessageSchema, {
        id: c.id, conversationId: String(c.conversationId), seq: c.seq, senderId: String(c.senderId), clientMsgId: c.clientMsgId, serverTime: c.serverTime,
        content: c.content.length ? fromBinary(ContentSchema, c.content) : undefined,
        mentions: c.mentions.map(String), mentionAll: c.mentionAll, visibleTo: c.visibleTo.map(String), hidden: c.hidden, conversationKind: c.conversationKind,
      }));
      expect(Buffer.from(encodeMessageParts(c)).equals(Buffer.from(generic))).toBe(true);
      expect(Buffer.from(encodeMessagePartsView(c)).equals(Buffer.from(generic))).toBe(true);
    }
  });

  it('gives a view that the next encode reuses, and copies that stay', async () => {
    const { encodeMessageParts, encodeMessagePartsView, ConversationKind } = await import('../src/index.js');
    const parts = (clientMsgId: string) => ({ id: '5', conversationId: 1, seq: 1, senderId: 2, clientMsgId, serverTime: 3, content: new Uint8Array(0), mentions: [], mentionAll: false, visibleTo: [], hidden: false, conversationKind: ConversationKind.DIRECT });
    const kept = encodeMessageParts(parts('aaaa'));
    const view = encodeMessagePartsView(parts('aaaa'));
    expect(Buffer.from(view).equals(Buffer.from(kept))).toBe(true);
    encodeMessagePartsView(parts('bbbb'));
    expect(Buffer.from(view).equals(Buffer.from(kept))).toBe(false);
    expect(Buffer.from(kept).includes('aaaa')).toBe(true);
  });
});
