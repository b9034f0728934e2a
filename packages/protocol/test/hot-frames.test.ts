import { describe, expect, it } from 'vitest';
import { ContentSchema, Limits, decodeFrame, decodeHotFrame, encodeFrame, encodeSendAckFrame, toBinary, withLengthPrefix, type FrameInit } from '../src/index.js';

const send = (extra: Record<string, unknown> = {}): FrameInit => ({
  id: 77,
  body: { case: 'send', value: { conversationId: '123456789012', clientMsgId: 'c-✓-1', content: { kind: { case: 'text', value: { text: 'hi 👋' } } }, ...extra } },
});

describe('hot-path frame codecs', () => {
  it('decode Send exactly like the generic decoder', () => {
    for (const extra of [{}, { mentions: ['5', '2000000'], mentionAll: true, visibleTo: ['9'] }]) {
      const bytes = encodeFrame(send(extra));
      const hot = decodeHotFrame(bytes);
      const generic = decodeFrame(bytes);
      if (hot?.kind !== 'send' || generic.body.case !== 'send') throw new Error('not a send');
      const g = generic.body.value;
      expect(hot.id).toBe(generic.id);
      expect(String(hot.conversationId)).toBe(g.conversationId);
      expect(hot.clientMsgId).toBe(g.clientMsgId);
      expect(hot.mentions.map(String)).toEqual(g.mentions);
      expect(hot.visibleTo.map(String)).toEqual(g.visibleTo);
      expect(hot.mentionAll).toBe(g.mentionAll);
      expect(hot.content.length).toBeGreaterThan(0);
    }
  });

  it('decode PushAck, and defer anything else to the generic decoder', () => {
    const ack = decodeHotFrame(encodeFrame({ body: { case: 'pushAck', value: { syncSeq: 300 } } }));
    expect(ack).toEqual({ kind: 'pushAck', id: 0, syncSeq: 300 });
    expect(decodeHotFrame(encodeFrame({ id: 1, body: { case: 'ping', value: {} } }))).toBeNull();
    expect(decodeHotFrame(encodeFrame({ body: { case: 'pushAck', value: { messageIds: ['5'] } } }))).toBeNull();
    expect(decodeHotFrame(new Uint8Array([0xa2, 0x01, 0x05, 0x08]))).toBeNull(); // truncated send body
    expect(decodeHotFrame(new Uint8Array([0xff, 0xff]))).toBeNull();
  });

  it('decode RoomPushAck like the generic decoder', () => {
    for (const value of [{ roomId: 'live-✓-1', seq: 4_000_000_000 }, { roomId: 'r', seq: 0 }, { roomId: '', seq: 7 }]) {
      const bytes = encodeFrame({ id: 9, body: { case: 'roomPushAck', value } });
      const generic = decodeFrame(bytes);
      if (generic.body.case !== 'roomPushAck') throw new Error('not a room ack');
      expect(decodeHotFrame(bytes)).toEqual({ kind: 'roomPushAck', id: 9, roomId: generic.body.value.roomId, seq: generic.body.value.seq });
    }
    // Invalid UTF-8 in the room id: the generic decoder decides.
    expect(decodeHotFrame(new Uint8Array([0x92, 0x06, 0x03, 0x0a, 0x01, 0xff]))).toBeNull();
  });

  it('encode SendAck byte for byte like the generic encoder', () => {
    for (const a of [
      { messageId: '7331234567890123456', conversationId: 42, seq: 7, serverTime: 1_763_800_000_123, clientMsgId: 'c-1', duplicate: false },
      { messageId: '1', conversationId: 2 ** 40, seq: 2 ** 31, serverTime: 5, clientMsgId: '', duplicate: true },
    ]) {
      for (const id of [0, 1, 300]) {
        const generic = withLengthPrefix(encodeFrame({ id, body: { case: 'sendAck', value: { ...a, conversationId: String(a.conversationId) } } }));
        expect(Buffer.from(encodeSendAckFrame(id, a)).equals(Buffer.from(generic))).toBe(true);
      }
    }
  });
});

describe('hot-path frame codecs: edge cases against protobuf-es', () => {
  it('decode Send with empty and unicode strings, large ids, full id lists, empty and large content', () => {
    const many = Array.from({ length: Limits.maxIdsPerRequest }, (_, i) => String(Number.MAX_SAFE_INTEGER - i));
    for (const value of [
      { conversationId: '1', clientMsgId: '' },
      { conversationId: String(Number.MAX_SAFE_INTEGER), clientMsgId: '消息-💬-é', mentions: many, visibleTo: many, mentionAll: true },
      { conversationId: '128', clientMsgId: 'c'.repeat(Limits.maxClientMsgIdLength), content: { kind: { case: 'text' as const, value: { text: '字'.repeat(Limits.maxTextBytes / 3) } } } },
    ]) {
      const bytes = encodeFrame({ id: 0xffff_ffff, body: { case: 'send', value } });
      const hot = decodeHotFrame(bytes);
      const generic = decodeFrame(bytes);
      if (hot?.kind !== 'send' || generic.body.case !== 'send') throw new Error('not a send');
      const g = generic.body.value;
      expect([hot.id, String(hot.conversationId), hot.clientMsgId, hot.mentions.map(String), hot.visibleTo.map(String), hot.mentionAll])
        .toEqual([generic.id, g.conversationId, g.clientMsgId, g.mentions, g.visibleTo, g.mentionAll]);
      // The content bytes are the client's, exactly: what protobuf-es encodes for the same Content.
      expect(Buffer.from(hot.content).equals(Buffer.from(g.content ? toBinary(ContentSchema, g.content) : new Uint8Array()))).toBe(true);
    }
  });

  it('leave ids beyond 2^53 and truncated frames to the generic decoder', () => {
    expect(decodeHotFrame(encodeFrame({ body: { case: 'send', value: { conversationId: '9007199254740993', clientMsgId: 'x' } } }))).toBeNull();
    expect(decodeHotFrame(encodeFrame({ body: { case: 'send', value: { conversationId: '5', clientMsgId: 'x', mentions: ['18446744073709551615'] } } }))).toBeNull();
    const full = encodeFrame({ id: 5, body: { case: 'send', value: { conversationId: '7', clientMsgId: 'abc', content: { kind: { case: 'text', value: { text: 'hi' } } } } } });
    for (let cut = 1; cut < full.length; cut++) expect(decodeHotFrame(full.subarray(0, cut))).toBeNull();
  });

  it('encode SendAck for the largest ids, unicode and empty client ids like the generic encoder', () => {
    for (const a of [
      { messageId: '18446744073709551615', conversationId: Number.MAX_SAFE_INTEGER, seq: 0xffff_ffff, serverTime: -0.5, clientMsgId: '消息-💬', duplicate: true },
      { messageId: '0', conversationId: 0, seq: 0, serverTime: 0, clientMsgId: '', duplicate: false },
      { messageId: '128', conversationId: 128, seq: 128, serverTime: 1e300, clientMsgId: 'c'.repeat(Limits.maxClientMsgIdLength), duplicate: false },
    ]) {
      const generic = withLengthPrefix(encodeFrame({ id: 0xffff_ffff, body: { case: 'sendAck', value: { ...a, conversationId: String(a.conversationId) } } }));
      expect(Buffer.from(encodeSendAckFrame(0xffff_ffff, a)).equals(Buffer.from(generic))).toBe(true);
    }
  });
});
