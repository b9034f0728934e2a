import { describe, expect, it } from 'vitest';
import {
  ContentSchema, Limits, RoomMessageClass, RoomMessageSchema, create, decodeFrame, encodeFrame, encodeRoomMessage, encodeRoomPushFrame,
  encodeRoomPushFrames, fromBinary, splitFrames, toBinary, withLengthPrefix, type RoomMessageFields,
} from '../src/index.js';

const content = (text: string) => create(ContentSchema, { kind: { case: 'text', value: { text } } });

/** The same message through protobuf-es. */
function generic(f: RoomMessageFields): Uint8Array {
  return toBinary(RoomMessageSchema, create(RoomMessageSchema, {
    roomId: f.roomId, id: f.id, senderId: String(f.senderId), seq: f.seq, serverTime: f.serverTime,
    class: f.seq > 0 ? RoomMessageClass.RELIABLE : RoomMessageClass.ORDINARY, content: fromBinary(ContentSchema, f.content),
  }));
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const body = (prefixed: Uint8Array) => prefixed.subarray(4);

describe('room frames (hand-written) against protobuf-es', () => {
  it('encode a RoomMessage byte for byte like the generic encoder, edge cases included', () => {
    const cases: RoomMessageFields[] = [];
    for (const seq of [0, 1, 127, 128, 300, 0xffff_ffff]) {
      cases.push({ roomId: 'live:1', id: (2n ** 63n + 17n).toString(), senderId: 2 ** 40 + 3, seq, serverTime: 1_763_800_000_123.5, content: toBinary(ContentSchema, content('弹幕 👋')) });
    }
    cases.push({ roomId: '', id: '0', senderId: 0, seq: 0, serverTime: 0, content: toBinary(ContentSchema, content('')) });
    cases.push({ roomId: '房间-🎥'.repeat(20), id: '18446744073709551615', senderId: Number.MAX_SAFE_INTEGER, seq: 1, serverTime: -1, content: toBinary(ContentSchema, content('x'.repeat(Limits.maxTextBytes))) });
    cases.push({ roomId: 'r', id: '1', senderId: 1, seq: 0, serverTime: 1, content: new Uint8Array() });
    for (const f of cases) expect(hex(encodeRoomMessage(f))).toBe(hex(generic(f)));
  });

  it('decode what the generic decoder reads from a hand-built RoomPush, and the other way round', () => {
    const messages = [0, 7, 0].map((seq, i) => encodeRoomMessage({ roomId: 'r', id: String(1000 + i), senderId: 5, seq, serverTime: 1, content: toBinary(ContentSchema, content(`m${i} ✓`)) }));
    const frame = encodeRoomPushFrame(messages);
    expect(new DataView(frame.buffer).getUint32(0)).toBe(frame.length - 4);
    const decoded = decodeFrame(body(frame));
    expect(decoded.id).toBe(0);
    if (decoded.body.case !== 'roomPush') throw new Error('not a roomPush');
    expect(decoded.body.value.messages.map((m) => [m.seq, m.id, m.content?.kind.value])).toEqual([
      [0, '1000', expect.objectContaining({ text: 'm0 ✓' })],
      [7, '1001', expect.objectContaining({ text: 'm1 ✓' })],
      [0, '1002', expect.objectContaining({ text: 'm2 ✓' })],
    ]);
    const again = withLengthPrefix(encodeFrame({ body: { case: 'roomPush', value: { messages: decoded.body.value.messages } } }));
    expect(hex(frame)).toBe(hex(again));
  });

  it('encode an empty RoomPush like the generic encoder', () => {
    expect(hex(encodeRoomPushFrame([]))).toBe(hex(withLengthPrefix(encodeFrame({ body: { case: 'roomPush', value: { messages: [] } } }))));
    expect(encodeRoomPushFrames([], 1000).map(hex)).toEqual([hex(encodeRoomPushFrame([]))]);
  });

  it('split a RoomPush larger than the frame limit into frames under it, every message once and in order', () => {
    const text = 'z'.repeat(1000);
    const messages = Array.from({ length: 300 }, (_, i) => encodeRoomMessage({ roomId: 'big', id: String(5000 + i), senderId: 9, seq: i % 3 === 0 ? i + 1 : 0, serverTime: 2, content: toBinary(ContentSchema, content(`${i}:${text}`)) }));
    const total = messages.reduce((n, m) => n + m.length, 0);
    for (const limit of [Limits.maxFrameBytes, 64 * 1024, 4096, 1100]) {
      const frames = encodeRoomPushFrames(messages, limit);
      expect(frames.length).toBeGreaterThanOrEqual(Math.ceil(total / limit));
      const ids: string[] = [];
      for (const f of frames) {
        // What a client enforces: splitFrames refuses a frame over its limit.
        const [only] = splitFrames(f, limit);
        const d = decodeFrame(only!);
        if (d.body.case !== 'roomPush') throw new Error('not a roomPush');
        expect(d.body.value.messages.length).toBeGreaterThan(0);
        ids.push(...d.body.value.messages.map((m) => m.id));
        // Each piece is itself byte-identical to the generic encoding of its messages.
        expect(hex(f)).toBe(hex(withLengthPrefix(encodeFrame({ body: { case: 'roomPush', value: { messages: d.body.value.messages } } }))));
      }
      expect(ids).toEqual(messages.map((_, i) => String(5000 + i)));
    }
    // Under the limit: one frame, the same bytes as encodeRoomPushFrame.
    expect(encodeRoomPushFrames(messages.slice(0, 3), Limits.maxFrameBytes).map(hex)).toEqual([hex(encodeRoomPushFrame(messages.slice(0, 3)))]);
  });

  it('put a message larger than the limit alone in its frame rather than split it', () => {
    const small = encodeRoomMessage({ roomId: 'r', id: '1', senderId: 1, seq: 0, serverTime: 1, content: toBinary(ContentSchema, content('a')) });
    const big = encodeRoomMessage({ roomId: 'r', id: '2', senderId: 1, seq: 0, serverTime: 1, content: toBinary(ContentSchema, content('b'.repeat(500))) });
    const frames = encodeRoomPushFrames([small, big, small], 200);
    expect(frames).toHaveLength(3);
    expect(frames.map((f) => { const d = decodeFrame(body(f)); return d.body.case === 'roomPush' ? d.body.value.messages.map((m) => m.id) : []; })).toEqual([['1'], ['2'], ['1']]);
  });
});
