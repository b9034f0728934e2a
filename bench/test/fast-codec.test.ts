import { describe, expect, it } from 'vitest';
import { MessageSchema, create, decodeFrame, encodeFrame, encodePushFrame, splitFrames, toBinary, withLengthPrefix, Limits } from '@xinbox/protocol';
import { encodeBenchSend, encodePushAck, peekFrame, peekPush, FIELD } from '../src/load/fast-codec.js';
import { decodeStamp, encodeStamp } from '../src/load/payload.js';

const stamp = { sentAt: 1_763_000_000_123.456, runId: 7, senderIdx: 42, seq: 99_999 };

function body(prefixed: Uint8Array): Uint8Array {
  const [only] = splitFrames(prefixed, Limits.maxFrameBytes);
  return only!;
}

describe('fast codec matches the protocol codec', () => {
  it('encodeBenchSend produces the bytes encodeFrame produces', () => {
    for (const cid of ['1', '300', '9007199254740993', '18446744073709551615']) {
      const data = encodeStamp(stamp);
      const fast = encodeBenchSend(12345, cid, 'b7-42-99999', data);
      const generic = withLengthPrefix(encodeFrame({ id: 12345, body: { case: 'send', value: { conversationId: cid, clientMsgId: 'b7-42-99999', content: { kind: { case: 'custom', value: { kind: 'bench', data } } } } } }));
      expect(Buffer.from(fast).toString('hex')).toBe(Buffer.from(generic).toString('hex'));
      const f = decodeFrame(body(fast));
      expect(f.body.case === 'send' && f.body.value.conversationId).toBe(cid);
    }
  });

  it('encodePushAck decodes as PushAck with the sync seq', () => {
    for (const seq of [1, 127, 128, 4_000_000_000]) {
      const f = decodeFrame(body(encodePushAck(seq)));
      expect(f.body.case).toBe('pushAck');
      expect(f.body.case === 'pushAck' && f.body.value.syncSeq).toBe(seq);
    }
  });

  it('peekPush reads what the generic encoder wrote, including 64-bit ids', () => {
    const data = encodeStamp(stamp);
    const prefixed = withLengthPrefix(encodeFrame({
      id: 0,
      body: { case: 'push', value: { syncSeq: 321, message: {
        id: '7345678901234567890', conversationId: '55', seq: 9, senderId: '77', clientMsgId: 'x', serverTime: 1.5,
        content: { kind: { case: 'custom', value: { kind: 'bench', data } } }, mentions: ['1', '2'],
      } } },
    }));
    const b = body(prefixed);
    const p = peekFrame(b);
    expect(p.field).toBe(FIELD.push);
    const push = peekPush(b, p);
    expect(push).toMatchObject({ syncSeq: 321, messageId: '7345678901234567890', senderId: '77' });
    expect(decodeStamp(push.benchData!)).toEqual(stamp);
  });

  it('peekPush ignores content that is not a bench payload', () => {
    const prefixed = withLengthPrefix(encodeFrame({ body: { case: 'push', value: { syncSeq: 2, message: { id: '1', senderId: '3', content: { kind: { case: 'custom', value: { kind: 'other', data: encodeStamp(stamp) } } } } } } }));
    const b = body(prefixed);
    expect(peekPush(b, peekFrame(b)).benchData).toBeUndefined();
    const text = withLengthPrefix(encodeFrame({ body: { case: 'push', value: { syncSeq: 3, message: { id: '1', senderId: '3', content: { kind: { case: 'text', value: { text: 'hi' } } } } } } }));
    const tb = body(text);
    expect(peekPush(tb, peekFrame(tb))).toMatchObject({ syncSeq: 3, benchData: undefined });
  });

  it('peekFrame finds the id of replies', () => {
    const b = body(withLengthPrefix(encodeFrame({ id: 99, body: { case: 'sendAck', value: { messageId: '5', seq: 1 } } })));
    expect(peekFrame(b)).toMatchObject({ id: 99, field: FIELD.sendAck });
  });

  it('encodePushFrame (relay fan-out) decodes as Frame{push}', () => {
    const msg = toBinary(MessageSchema, create(MessageSchema, { id: '10', conversationId: '4', seq: 3, senderId: '8', content: { kind: { case: 'text', value: { text: 'hello' } } } }));
    for (const seq of [0, 1, 300, 2 ** 31]) {
      const f = decodeFrame(body(encodePushFrame(msg, seq)));
      expect(f.body.case).toBe('push');
      if (f.body.case !== 'push') return;
      expect(f.body.value.syncSeq).toBe(seq);
      expect(f.body.value.message?.senderId).toBe('8');
      expect(f.body.value.message?.content?.kind.case).toBe('text');
    }
  });
});
