import { describe, expect, it } from 'vitest';
import {
  FrameField, Limits, RoomMessageClass, RoomPushBatch, decodeFrame, encodeCustomSendFrame, encodeFrame, encodeTextSendFrame, encodePushAckFrame, encodeRoomPushAckFrame,
  peekFrame, peekPush, splitFrames, withLengthPrefix,
} from '../src/index.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const body = (prefixed: Uint8Array) => splitFrames(prefixed, 1 << 24)[0]!;
const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('client frames (hand-written) against protobuf-es', () => {
  it('encodeCustomSendFrame writes the bytes encodeFrame writes: ids, empty and unicode strings, large data', () => {
    for (const cid of ['0', '1', '127', '128', '300', '9007199254740991', '9007199254740993', '18446744073709551615']) {
      for (const [clientMsgId, kind, data] of [
        ['b7-42-99999', 'bench', bytes(24)],
        ['', '', new Uint8Array()],
        ['消息-💬-é', '种类✓', bytes(200)],
        ['c'.repeat(Limits.maxClientMsgIdLength), 'bench', bytes(Limits.maxCustomBytes)],
      ] as Array<[string, string, Uint8Array]>) {
        for (const id of [0, 1, 128, 0xffff_ffff]) {
          const fast = encodeCustomSendFrame(id, cid, clientMsgId, kind, data);
          const generic = withLengthPrefix(encodeFrame({ id, body: { case: 'send', value: { conversationId: cid, clientMsgId, content: { kind: { case: 'custom', value: { kind, data } } } } } }));
          expect(hex(fast)).toBe(hex(generic));
          const f = decodeFrame(body(fast));
          expect(f.body.case === 'send' && [f.body.value.conversationId, f.body.value.clientMsgId]).toEqual([cid, clientMsgId]);
        }
      }
    }
  });

  it('encodeTextSendFrame writes the bytes encodeFrame writes: empty, unicode and long texts', () => {
    for (const cid of ['0', '1', '300', '18446744073709551615']) {
      for (const text of ['', 'hi', '你好 world 👋🏽', 'x'.repeat(Limits.maxTextBytes)]) {
        for (const id of [0, 1, 0xffff_ffff]) {
          const fast = encodeTextSendFrame(id, cid, 'c-1', new TextEncoder().encode(text));
          const generic = withLengthPrefix(encodeFrame({ id, body: { case: 'send', value: { conversationId: cid, clientMsgId: 'c-1', content: { kind: { case: 'text', value: { text } } } } } }));
          expect(hex(fast)).toBe(hex(generic));
        }
      }
    }
  });

  it('encodePushAckFrame and encodeRoomPushAckFrame write the bytes encodeFrame writes', () => {
    for (const syncSeq of [0, 1, 127, 128, 4_000_000_000, 0xffff_ffff]) {
      expect(hex(encodePushAckFrame(syncSeq))).toBe(hex(withLengthPrefix(encodeFrame({ body: { case: 'pushAck', value: { syncSeq } } }))));
    }
    for (const roomId of ['', 'live:1', '直播间-🎥', 'r'.repeat(128)]) {
      for (const seq of [0, 1, 128, 0xffff_ffff]) {
        expect(hex(encodeRoomPushAckFrame(roomId, seq))).toBe(hex(withLengthPrefix(encodeFrame({ body: { case: 'roomPushAck', value: { roomId, seq } } }))));
      }
    }
  });

  it('peekPush reads what the generic encoder wrote, including 64-bit ids and empty fields', () => {
    const data = bytes(40);
    for (const [messageId, senderId, syncSeq] of [['7345678901234567890', '77', 321], ['18446744073709551615', '9007199254740993', 0xffff_ffff], ['0', '0', 0]] as Array<[string, string, number]>) {
      const b = body(withLengthPrefix(encodeFrame({
        body: { case: 'push', value: { syncSeq, message: {
          id: messageId, conversationId: '55', seq: 9, senderId, clientMsgId: 'x-✓', serverTime: 1.5,
          content: { kind: { case: 'custom', value: { kind: 'bench', data } } }, mentions: ['1', '2'],
        } } },
      })));
      const p = peekFrame(b);
      expect(p.field).toBe(FrameField.push);
      const push = peekPush(b, p, 'bench');
      expect(push).toMatchObject({ syncSeq, messageId, senderId });
      expect(hex(push.customData!)).toBe(hex(data));
    }
  });

  it('peekPush leaves content of another kind alone', () => {
    const other = body(withLengthPrefix(encodeFrame({ body: { case: 'push', value: { syncSeq: 2, message: { id: '1', senderId: '3', content: { kind: { case: 'custom', value: { kind: 'other', data: bytes(3) } } } } } } })));
    expect(peekPush(other, peekFrame(other), 'bench').customData).toBeUndefined();
    const text = body(withLengthPrefix(encodeFrame({ body: { case: 'push', value: { syncSeq: 3, message: { id: '1', senderId: '3', content: { kind: { case: 'text', value: { text: 'hi' } } } } } } })));
    const peeked = peekPush(text, peekFrame(text), 'bench');
    expect(peeked).toMatchObject({ syncSeq: 3, customData: undefined });
    expect(new TextDecoder().decode(peeked.textData)).toBe('hi');
    expect(peekPush(other, peekFrame(other), 'bench').textData).toBeUndefined();
  });

  it('peekFrame finds the id and body of replies, and refuses truncated input', () => {
    for (const id of [0, 99, 0xffff_ffff]) {
      const b = body(withLengthPrefix(encodeFrame({ id, body: { case: 'sendAck', value: { messageId: '5', seq: 1 } } })));
      expect(peekFrame(b)).toMatchObject({ id, field: FrameField.sendAck });
      expect(() => peekFrame(b.subarray(0, b.length - 1))).toThrow(RangeError);
    }
  });

  it('RoomPushBatch reads every message of a generic RoomPush: seq, room id, custom data', () => {
    const messages = Array.from({ length: 100 }, (_, i) => ({
      roomId: i % 2 ? '直播-🎥' : '', id: String(1000 + i), senderId: '5', seq: i % 3 === 0 ? i + 1 : 0, serverTime: 2,
      class: i % 3 === 0 ? RoomMessageClass.RELIABLE : RoomMessageClass.ORDINARY,
      content: i % 5 === 4
        ? { kind: { case: 'text' as const, value: { text: 'not ours' } } }
        : { kind: { case: 'custom' as const, value: { kind: 'bench', data: bytes(i, i) } } },
    }));
    const b = body(withLengthPrefix(encodeFrame({ body: { case: 'roomPush', value: { messages } } })));
    const batch = new RoomPushBatch('bench').read(b, peekFrame(b));
    expect(batch.count).toBe(messages.length);
    for (let i = 0; i < messages.length; i++) {
      expect(batch.seq[i]).toBe(messages[i]!.seq);
      expect(batch.roomId(i)).toBe(messages[i]!.roomId);
      if (i % 5 === 4) expect(batch.dataAt[i]).toBe(-1);
      else expect(hex(batch.buf.subarray(batch.dataAt[i]!, batch.dataAt[i]! + batch.dataLen[i]!))).toBe(hex(bytes(i, i)));
    }
  });
});
