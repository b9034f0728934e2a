import { describe, expect, it } from 'vitest';
import {
  ContentSchema, RoomMessageClass, RoomMessageSchema, create, decodeFrame, encodeFrame, toBinary, withLengthPrefix,
} from '@xinbox/protocol';
import { encodeRoomMessage } from '../../src/core/rooms/room-wire.js';
import { encodeRoomPushFrame } from '../../src/gateway/room-frames.js';

const content = (text: string) => create(ContentSchema, { kind: { case: 'text', value: { text } } });

describe('room frames', () => {
  it('encode a RoomMessage byte-identically to the generic encoder', () => {
    for (const seq of [0, 1, 300, 0xffff_ffff]) {
      const fields = { roomId: 'live:1', id: (2n ** 63n + 17n).toString(), senderId: 2 ** 40 + 3, seq, serverTime: 1_763_800_000_123, content: toBinary(ContentSchema, content('弹幕 👋')) };
      const generic = toBinary(RoomMessageSchema, create(RoomMessageSchema, {
        roomId: fields.roomId, id: fields.id, senderId: String(fields.senderId), seq, serverTime: fields.serverTime,
        class: seq > 0 ? RoomMessageClass.RELIABLE : RoomMessageClass.ORDINARY, content: content('弹幕 👋'),
      }));
      expect(Buffer.from(encodeRoomMessage(fields)).equals(Buffer.from(generic))).toBe(true);
    }
  });

  it('build a RoomPush frame from encoded messages that decodes to those messages', () => {
    const messages = [0, 7].map((seq, i) => encodeRoomMessage({ roomId: 'r', id: String(1000 + i), senderId: 5, seq, serverTime: 1, content: toBinary(ContentSchema, content(`m${i}`)) }));
    const frame = encodeRoomPushFrame(messages);
    const decoded = decodeFrame(frame.subarray(4));
    expect(new DataView(frame.buffer).getUint32(0)).toBe(frame.length - 4);
    expect(decoded.id).toBe(0);
    if (decoded.body.case !== 'roomPush') throw new Error('not a roomPush');
    expect(decoded.body.value.messages.map((m) => [m.seq, m.id, m.content?.kind.value])).toEqual([
      [0, '1000', expect.objectContaining({ text: 'm0' })],
      [7, '1001', expect.objectContaining({ text: 'm1' })],
    ]);
    const generic = withLengthPrefix(encodeFrame({ body: { case: 'roomPush', value: { messages: decoded.body.value.messages } } }));
    expect(Buffer.from(frame).equals(Buffer.from(generic))).toBe(true);
  });
});
