/**
 * Hand-rolled codecs for the frames that dominate a busy gateway: Send,
 * PushAck and RoomPushAck in (every viewer of a live room acks every gift),
 * SendAck out. Anything unusual (unknown fields, odd wire types)
 * returns null and goes through the generic decoder, so behaviour is the same;
 * only the reflection cost goes away. Tested against the generic codec.
 */
import { varintSize, writeDecimalU64Varint, writeVarint } from './varint.js';
import { writeString } from './wire-string.js';

export interface HotSend {
  readonly kind: 'send';
  readonly id: number;
  readonly conversationId: number;
  readonly clientMsgId: string;
  /** Encoded xinbox.v1.Content exactly as the client sent it. */
  readonly content: Uint8Array;
  readonly mentions: number[];
  readonly mentionAll: boolean;
  readonly visibleTo: number[];
}

export interface HotPushAck {
  readonly kind: 'pushAck';
  readonly id: number;
  readonly syncSeq: number;
}

export interface HotRoomPushAck {
  readonly kind: 'roomPushAck';
  readonly id: number;
  readonly roomId: string;
  readonly seq: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

class Reader {
  at: number;
  constructor(readonly buf: Uint8Array, start: number, readonly end: number) {
    this.at = start;
  }

  /** A varint up to 2^53, or -1 when malformed or larger. */
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.at >= this.end) return -1;
      const b = this.buf[this.at++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result <= Number.MAX_SAFE_INTEGER ? result : -1;
      mul *= 128;
    }
    return -1;
  }

  /** A UTF-8 string field, or null when truncated or not valid UTF-8. */
  string(): string | null {
    const b = this.bytes();
    if (!b) return null;
    try {
      return utf8.decode(b);
    } catch {
      return null;
    }
  }

  bytes(): Uint8Array | null {
    const len = this.varint();
    if (len < 0 || this.at + len > this.end) return null;
    const out = this.buf.subarray(this.at, this.at + len);
    this.at += len;
    return out;
  }
}

/** Decode a frame body if it is a plain Send, PushAck or RoomPushAck; null means "use the generic decoder". */
export function decodeHotFrame(buf: Uint8Array): HotSend | HotPushAck | HotRoomPushAck | null {
  const r = new Reader(buf, 0, buf.length);
  let id = 0;
  let body: Uint8Array | null = null;
  let kind: 20 | 23 | 98 | 0 = 0;
  while (r.at < r.end) {
    const tag = r.varint();
    if (tag === (1 << 3)) {
      id = r.varint();
      if (id < 0 || id > 0xffffffff) return null;
    } else if (tag === ((20 << 3) | 2) || tag === ((23 << 3) | 2) || tag === ((98 << 3) | 2)) {
      if (kind !== 0) return null;
      kind = (tag >>> 3) as 20 | 23 | 98;
      body = r.bytes();
      if (!body) return null;
    } else {
      return null;
    }
  }
  if (!body) return null;
  if (kind === 20) return decodeSend(id, body);
  return kind === 23 ? decodePushAck(id, body) : decodeRoomPushAck(id, body);
}

function decodeSend(id: number, buf: Uint8Array): HotSend | null {
  const r = new Reader(buf, 0, buf.length);
  let conversationId = 0;
  let clientMsgId = '';
  let content: Uint8Array = EMPTY;
  let mentionAll = false;
  const mentions: number[] = [];
  const visibleTo: number[] = [];
  while (r.at < r.end) {
    const tag = r.varint();
    switch (tag) {
      case (1 << 3):
        conversationId = r.varint();
        if (conversationId < 0) return null;
        break;
      case (2 << 3) | 2: {
        const v = r.string();
        if (v === null) return null;
        clientMsgId = v;
        break;
      }
      case (3 << 3) | 2: {
        const b = r.bytes();
        if (!b) return null;
        content = b;
        break;
      }
      case (4 << 3) | 2:
      case (6 << 3) | 2: {
        const list = tag === ((4 << 3) | 2) ? mentions : visibleTo;
        const b = r.bytes();
        if (!b) return null;
        const inner = new Reader(b, 0, b.length);
        while (inner.at < inner.end) {
          const v = inner.varint();
          if (v < 0) return null;
          list.push(v);
        }
        break;
      }
      case (5 << 3):
        mentionAll = r.varint() !== 0;
        break;
      default:
        return null;
    }
  }
  return { kind: 'send', id, conversationId, clientMsgId, content, mentions, mentionAll, visibleTo };
}

function decodePushAck(id: number, buf: Uint8Array): HotPushAck | null {
  const r = new Reader(buf, 0, buf.length);
  let syncSeq = 0;
  while (r.at < r.end) {
    if (r.varint() !== (1 << 3)) return null;
    syncSeq = r.varint();
    if (syncSeq < 0) return null;
  }
  return { kind: 'pushAck', id, syncSeq };
}

function decodeRoomPushAck(id: number, buf: Uint8Array): HotRoomPushAck | null {
  const r = new Reader(buf, 0, buf.length);
  let roomId = '';
  let seq = 0;
  while (r.at < r.end) {
    const tag = r.varint();
    if (tag === ((1 << 3) | 2)) {
      const v = r.string();
      if (v === null) return null;
      roomId = v;
    } else if (tag === (2 << 3)) {
      seq = r.varint();
      if (seq < 0 || seq > 0xffffffff) return null;
    } else {
      return null;
    }
  }
  return { kind: 'roomPushAck', id, roomId, seq };
}

export interface SendAckParts {
  readonly messageId: string;
  readonly conversationId: number;
  readonly seq: number;
  readonly serverTime: number;
  readonly clientMsgId: string;
  readonly duplicate: boolean;
}

/**
 * Where acks are assembled before the one exact-size copy that is sent: one
 * reused buffer instead of a body buffer, a DataView and an encoded client id
 * per ack (the send path's allocations are measured in docs/benchmarks.md).
 */
let ackScratch = new Uint8Array(256);
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

/** Length-prefixed Frame{id, sendAck{...}}, byte-identical to the generic encoder. */
export function encodeSendAckFrame(id: number, a: SendAckParts): Uint8Array {
  // Worst case: ids and numbers 10 bytes each, 3 bytes of UTF-8 per UTF-16 unit of the client id.
  const worst = 64 + 3 * a.clientMsgId.length;
  if (ackScratch.length < worst) ackScratch = new Uint8Array(worst * 2);
  const body = ackScratch;
  let at = 0;
  if (a.messageId !== '0' && a.messageId !== '') {
    body[at++] = 1 << 3;
    at = writeDecimalU64Varint(body, at, a.messageId);
    if (at < 0) throw new RangeError(`messageId ${a.messageId} is not a uint64`);
  }
  if (a.conversationId) {
    body[at++] = 2 << 3;
    at = writeVarint(body, at, a.conversationId);
  }
  if (a.seq) {
    body[at++] = 3 << 3;
    at = writeVarint(body, at, a.seq);
  }
  if (a.serverTime) {
    body[at++] = (4 << 3) | 1;
    f64[0] = a.serverTime;
    body.set(f64Bytes, at);
    at += 8;
  }
  if (a.clientMsgId.length) {
    body[at++] = (5 << 3) | 2;
    at = writeString(body, at, a.clientMsgId);
  }
  if (a.duplicate) {
    body[at++] = 6 << 3;
    body[at++] = 1;
  }
  const sendAckTag = (21 << 3) | 2;
  const frameLen = (id ? 1 + varintSize(id) : 0) + varintSize(sendAckTag) + varintSize(at) + at;
  const out = new Uint8Array(4 + frameLen);
  out[0] = frameLen >>> 24;
  out[1] = (frameLen >>> 16) & 0xff;
  out[2] = (frameLen >>> 8) & 0xff;
  out[3] = frameLen & 0xff;
  let o = 4;
  if (id) {
    out[o++] = 1 << 3;
    o = writeVarint(out, o, id);
  }
  o = writeVarint(out, o, sendAckTag);
  o = writeVarint(out, o, at);
  // A byte loop, not out.set(body.subarray(0, at)): the ack body is ~40 bytes, and a subarray is a typed array per ack.
  for (let i = 0; i < at; i++) out[o + i] = body[i]!;
  return out;
}

const EMPTY: Uint8Array = new Uint8Array(0);
