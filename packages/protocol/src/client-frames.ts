/**
 * Hand-rolled client-side codecs for clients that must be cheap per frame
 * (the load generator: the generic codec costs ~20 us per frame, these ~1 us).
 * They produce and read the same wire bytes as the generic codec
 * (test/client-frames.test.ts):
 *  - encodeCustomSendFrame: Frame{id, send:{conversationId, clientMsgId, content:{custom:{kind, data}}}}
 *  - encodeTextSendFrame:   Frame{id, send:{conversationId, clientMsgId, content:{text:{text}}}}
 *  - encodePushAckFrame:    Frame{pushAck:{syncSeq}}
 *  - encodeRoomPushAckFrame: Frame{roomPushAck:{roomId, seq}}
 *  - peekFrame / peekPush: the request id, the body field number, and from a
 *    Push only sync_seq, message id, sender id, and the data of a Custom
 *    content of one kind or the UTF-8 bytes of a Text content.
 *  - RoomPushBatch: every RoomMessage of a RoomPush with its seq and where
 *    its Custom payload is, without per-message allocations.
 * Readers throw RangeError on truncated input; anything else goes through
 * the generic decodeFrame.
 */
import { LENGTH_PREFIX_BYTES } from './codec.js';
import { varintSize, writeVarint } from './varint.js';

/** Field numbers of Frame body cases a fast client tells apart. */
export const FrameField = { error: 14, pong: 13, sendAck: 21, push: 22, roomPush: 94, roomEvent: 99 } as const;

const encoder = new TextEncoder();
const varintCache = new Map<string, Uint8Array>();
const kindCache = new Map<string, Uint8Array>();

function kindBytes(kind: string): Uint8Array {
  let b = kindCache.get(kind);
  if (!b) {
    b = encoder.encode(kind);
    if (kindCache.size < 64) kindCache.set(kind, b);
  }
  return b;
}

/** Varint bytes of a uint64 given as a decimal string (ids are 64-bit on the wire). */
function uint64Varint(decimal: string): Uint8Array {
  let cached = varintCache.get(decimal);
  if (!cached) {
    const bytes: number[] = [];
    let v = BigInt(decimal);
    while (v >= 0x80n) {
      bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    bytes.push(Number(v));
    cached = Uint8Array.from(bytes);
    if (varintCache.size < 100_000) varintCache.set(decimal, cached);
  }
  return cached;
}

/** Size of a length-delimited field with a one-byte tag; 0 for empty bytes (proto3 omits them). */
function lenFieldSize(n: number): number {
  return n > 0 ? 1 + varintSize(n) + n : 0;
}

/** Write a length-delimited field with a one-byte tag unless empty (proto3 omits empty strings and bytes). */
function writeLenField(out: Uint8Array, at: number, tag: number, b: Uint8Array): number {
  if (b.length === 0) return at;
  out[at++] = tag;
  at = writeVarint(out, at, b.length);
  out.set(b, at);
  return at + b.length;
}

/** Length-prefixed Frame{id, send:{conversationId, clientMsgId, content:{custom:{kind, data}}}}; conversationId is a decimal uint64. */
export function encodeCustomSendFrame(id: number, conversationId: string, clientMsgId: string, kind: string, data: Uint8Array): Uint8Array {
  const kindUtf8 = kindBytes(kind);
  const customLen = lenFieldSize(kindUtf8.length) + lenFieldSize(data.length);
  const { out, at } = sendFrameHead(id, conversationId, clientMsgId, customLen);
  let i = at;
  out[i++] = 0x2a; // Content.custom = 5
  i = writeVarint(out, i, customLen);
  i = writeLenField(out, i, 0x0a, kindUtf8); // Custom.kind
  writeLenField(out, i, 0x12, data); // Custom.data
  return out;
}

/** Length-prefixed Frame{id, send:{conversationId, clientMsgId, content:{text:{text}}}}; `textUtf8` is the text's UTF-8 bytes. */
export function encodeTextSendFrame(id: number, conversationId: string, clientMsgId: string, textUtf8: Uint8Array): Uint8Array {
  const textLen = lenFieldSize(textUtf8.length);
  const { out, at } = sendFrameHead(id, conversationId, clientMsgId, textLen);
  let i = at;
  out[i++] = 0x0a; // Content.text = 1
  i = writeVarint(out, i, textLen);
  writeLenField(out, i, 0x0a, textUtf8); // Text.text
  return out;
}

/**
 * Allocates the whole frame for a Send whose content is one message field of
 * `kindLen` bytes (written by the caller at the returned offset) and writes
 * everything before it.
 */
function sendFrameHead(id: number, conversationId: string, clientMsgId: string, kindLen: number): { out: Uint8Array; at: number } {
  const cid = uint64Varint(conversationId);
  const hasCid = cid.length > 1 || cid[0] !== 0;
  const cmid = encoder.encode(clientMsgId);
  // Message fields are written when set, even empty.
  const contentLen = 1 + varintSize(kindLen) + kindLen;
  const sendLen = (hasCid ? 1 + cid.length : 0) + lenFieldSize(cmid.length) + 1 + varintSize(contentLen) + contentLen;
  const frameLen = (id > 0 ? 1 + varintSize(id) : 0) + 2 + varintSize(sendLen) + sendLen;
  const out = new Uint8Array(LENGTH_PREFIX_BYTES + frameLen);
  new DataView(out.buffer).setUint32(0, frameLen);
  let at = LENGTH_PREFIX_BYTES;
  if (id > 0) {
    out[at++] = 0x08; // Frame.id
    at = writeVarint(out, at, id);
  }
  out[at++] = 0xa2; // Frame.send = 20, LEN
  out[at++] = 0x01;
  at = writeVarint(out, at, sendLen);
  if (hasCid) {
    out[at++] = 0x08; // Send.conversation_id
    out.set(cid, at);
    at += cid.length;
  }
  at = writeLenField(out, at, 0x12, cmid); // Send.client_msg_id
  out[at++] = 0x1a; // Send.content
  at = writeVarint(out, at, contentLen);
  return { out, at };
}

/** Length-prefixed Frame{pushAck:{syncSeq}}. */
export function encodePushAckFrame(syncSeq: number): Uint8Array {
  const ackLen = syncSeq > 0 ? 1 + varintSize(syncSeq) : 0;
  const frameLen = 2 + varintSize(ackLen) + ackLen;
  const out = new Uint8Array(LENGTH_PREFIX_BYTES + frameLen);
  new DataView(out.buffer).setUint32(0, frameLen);
  let at = LENGTH_PREFIX_BYTES;
  out[at++] = 0xba; // Frame.push_ack = 23, LEN
  out[at++] = 0x01;
  at = writeVarint(out, at, ackLen);
  if (syncSeq > 0) {
    out[at++] = 0x08;
    writeVarint(out, at, syncSeq);
  }
  return out;
}

/** A minimal protobuf reader over one buffer. Throws RangeError on truncation. */
class Reader {
  at: number;
  /** Bounds of the last field read with lenField(). */
  fieldStart = 0;
  fieldEnd = 0;
  constructor(public buf: Uint8Array, start = 0, public end = buf.length) {
    this.at = start;
  }
  /** Point this reader at another range (saves an allocation per nested message). */
  reset(buf: Uint8Array, start: number, end: number): this {
    this.buf = buf;
    this.at = start;
    this.end = end;
    return this;
  }
  /** Like len(), into fieldStart/fieldEnd instead of a new array. */
  lenField(): void {
    const n = this.varint();
    const s = this.at;
    if (s + n > this.end) throw new RangeError('truncated field');
    this.at = s + n;
    this.fieldStart = s;
    this.fieldEnd = s + n;
  }
  get more(): boolean {
    return this.at < this.end;
  }
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.end) throw new RangeError('truncated varint');
      const b = this.buf[this.at++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new RangeError('varint too long');
  }
  /** uint64 as an exact decimal string. */
  varintString(): string {
    const start = this.at;
    const n = this.varint();
    if (n <= Number.MAX_SAFE_INTEGER) return String(n);
    let v = 0n;
    for (let i = this.at - 1; i >= start; i--) v = (v << 7n) | BigInt(this.buf[i]! & 0x7f);
    return v.toString();
  }
  /** Returns [start, end) of a LEN field's bytes. */
  len(): [number, number] {
    const n = this.varint();
    const s = this.at;
    if (s + n > this.end) throw new RangeError('truncated field');
    this.at = s + n;
    return [s, s + n];
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.at += 8;
    else if (wireType === 2) this.len();
    else if (wireType === 5) this.at += 4;
    else throw new RangeError(`wire type ${wireType}`);
    if (this.at > this.end) throw new RangeError('truncated field');
  }
}

export interface FramePeek {
  readonly id: number;
  /** Field number of the Frame.body oneof case, 0 when empty. */
  readonly field: number;
  readonly bodyStart: number;
  readonly bodyEnd: number;
}

export function peekFrame(frameBody: Uint8Array): FramePeek {
  const r = new Reader(frameBody);
  let id = 0;
  let field = 0;
  let bodyStart = 0;
  let bodyEnd = 0;
  while (r.more) {
    const tag = r.varint();
    const f = Math.floor(tag / 8);
    const wt = tag & 7;
    if (f === 1 && wt === 0) id = r.varint();
    else if (wt === 2 && f >= 10) {
      field = f;
      [bodyStart, bodyEnd] = r.len();
    } else r.skip(wt);
  }
  return { id, field, bodyStart, bodyEnd };
}

export interface PushPeek {
  readonly syncSeq: number;
  readonly messageId: string;
  readonly senderId: string;
  /** Custom payload when the content is Custom{kind: <the kind asked for>}. */
  readonly customData: Uint8Array | undefined;
  /** UTF-8 bytes of the text when the content is Text (a view into the frame). */
  readonly textData: Uint8Array | undefined;
}

/** Reads a Push frame's sync seq, message and sender ids, and the data of a Custom content of `customKind` or of a Text content. */
export function peekPush(frameBody: Uint8Array, p: FramePeek, customKind: string): PushPeek {
  const kindUtf8 = kindBytes(customKind);
  const r = new Reader(frameBody, p.bodyStart, p.bodyEnd);
  let syncSeq = 0;
  let messageId = '0';
  let senderId = '0';
  let customData: Uint8Array | undefined;
  let textData: Uint8Array | undefined;
  while (r.more) {
    const tag = r.varint();
    const f = Math.floor(tag / 8);
    if (tag === 0x10) syncSeq = r.varint();
    else if (f === 1 && (tag & 7) === 2) {
      const [ms, me] = r.len();
      const m = new Reader(frameBody, ms, me);
      while (m.more) {
        const t = m.varint();
        if (t === 0x08) messageId = m.varintString();
        else if (t === 0x20) senderId = m.varintString();
        else if (t === 0x3a) {
          const span = m.len();
          customData = customOfKind(frameBody, span, kindUtf8);
          if (!customData) textData = textOf(frameBody, span);
        } else m.skip(t & 7);
      }
    } else r.skip(tag & 7);
  }
  return { syncSeq, messageId, senderId, customData, textData };
}

/** The Text.text bytes of a Content, or undefined when its kind is not Text. */
function textOf(buf: Uint8Array, [s, e]: [number, number]): Uint8Array | undefined {
  const content = new Reader(buf, s, e);
  while (content.more) {
    const t = content.varint();
    if (t !== 0x0a) {
      content.skip(t & 7);
      continue;
    }
    const [ts, te] = content.len();
    const text = new Reader(buf, ts, te);
    let data: Uint8Array = buf.subarray(ts, ts);
    while (text.more) {
      const tt = text.varint();
      if (tt === 0x0a) {
        const [ds, de] = text.len();
        data = buf.subarray(ds, de);
      } else text.skip(tt & 7);
    }
    return data;
  }
  return undefined;
}

function customOfKind(buf: Uint8Array, [s, e]: [number, number], kindUtf8: Uint8Array): Uint8Array | undefined {
  const content = new Reader(buf, s, e);
  while (content.more) {
    const t = content.varint();
    if (t !== 0x2a) {
      content.skip(t & 7);
      continue;
    }
    const [cs, ce] = content.len();
    const custom = new Reader(buf, cs, ce);
    let kindOk = false;
    let data: Uint8Array | undefined;
    while (custom.more) {
      const ct = custom.varint();
      if (ct === 0x0a) {
        const [ks, ke] = custom.len();
        kindOk = ke - ks === kindUtf8.length && kindUtf8.every((b, i) => buf[ks + i] === b);
      } else if (ct === 0x12) {
        const [ds, de] = custom.len();
        data = buf.subarray(ds, de);
      } else custom.skip(ct & 7);
    }
    return kindOk ? data : undefined;
  }
  return undefined;
}

/** Length-prefixed Frame{roomPushAck:{roomId, seq}}. */
export function encodeRoomPushAckFrame(roomId: string, seq: number): Uint8Array {
  const rid = encoder.encode(roomId);
  const ackLen = (rid.length > 0 ? 1 + varintSize(rid.length) + rid.length : 0) + (seq > 0 ? 1 + varintSize(seq) : 0);
  const frameLen = 2 + varintSize(ackLen) + ackLen;
  const out = new Uint8Array(LENGTH_PREFIX_BYTES + frameLen);
  new DataView(out.buffer).setUint32(0, frameLen);
  let at = LENGTH_PREFIX_BYTES;
  out[at++] = 0x92; // Frame.room_push_ack = 98, LEN
  out[at++] = 0x06;
  at = writeVarint(out, at, ackLen);
  if (rid.length > 0) {
    out[at++] = 0x0a; // RoomPushAck.room_id
    at = writeVarint(out, at, rid.length);
    out.set(rid, at);
    at += rid.length;
  }
  if (seq > 0) {
    out[at++] = 0x10; // RoomPushAck.seq
    writeVarint(out, at, seq);
  }
  return out;
}

/**
 * The messages of one Frame{room_push}, read without allocating per message
 * (a burst to a whole room puts hundreds of messages in each frame of every
 * connection): struct-of-arrays, reused for every frame a process reads, so
 * valid only until the next read. RoomPush.messages = 1; RoomMessage fields
 * 1 room_id, 5 seq, 7 content -> Content.custom = 5 -> Custom{kind, data}.
 */
export class RoomPushBatch {
  private readonly kind: Uint8Array;
  count = 0;
  buf: Uint8Array = new Uint8Array(0);
  /** Over `buf`, for reading stamps in place. */
  view: DataView = new DataView(new ArrayBuffer(0));
  /** Reliable room seq; 0 for ordinary messages. */
  seq = new Float64Array(64);
  /** Offset of the Custom{kind} data in buf (kind as constructed), -1 when the content is something else. */
  dataAt = new Int32Array(64);
  dataLen = new Int32Array(64);
  roomStart = new Int32Array(64);
  roomEnd = new Int32Array(64);
  /** Set by the receiving connection: 1 for a reliable seq it already had (retransmission). */
  duplicate = new Uint8Array(64);

  /** `customKind`: the Custom content kind whose data is located (dataAt/dataLen). */
  constructor(customKind: string) {
    this.kind = kindBytes(customKind);
  }

  roomId(i: number): string {
    return decoder.decode(this.buf.subarray(this.roomStart[i]!, this.roomEnd[i]!));
  }

  /** Fill from one frame body; throws RangeError on truncated input. */
  read(frameBody: Uint8Array, p: FramePeek): this {
    this.count = 0;
    this.buf = frameBody;
    this.view = new DataView(frameBody.buffer, frameBody.byteOffset, frameBody.byteLength);
    const r = this.reader.reset(frameBody, p.bodyStart, p.bodyEnd);
    const m = this.message;
    while (r.more) {
      const tag = r.varint();
      if (tag !== 0x0a) {
        r.skip(tag & 7);
        continue;
      }
      r.lenField();
      const i = this.slot();
      m.reset(frameBody, r.fieldStart, r.fieldEnd);
      while (m.more) {
        const t = m.varint();
        if (t === 0x0a) {
          m.lenField();
          this.roomStart[i] = m.fieldStart;
          this.roomEnd[i] = m.fieldEnd;
        } else if (t === 0x28) this.seq[i] = m.varint();
        else if (t === 0x3a) {
          m.lenField();
          this.locateCustom(i, m.fieldStart, m.fieldEnd);
        } else m.skip(t & 7);
      }
    }
    return this;
  }

  private readonly reader = new Reader(new Uint8Array(0));
  private readonly message = new Reader(new Uint8Array(0));
  private readonly inner = new Reader(new Uint8Array(0));

  private slot(): number {
    const i = this.count++;
    if (i >= this.seq.length) {
      const grow = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.seq = grow(this.seq);
      this.dataAt = grow(this.dataAt);
      this.dataLen = grow(this.dataLen);
      this.roomStart = grow(this.roomStart);
      this.roomEnd = grow(this.roomEnd);
      this.duplicate = grow(this.duplicate);
    }
    this.seq[i] = 0;
    this.dataAt[i] = -1;
    this.dataLen[i] = 0;
    this.roomStart[i] = 0;
    this.roomEnd[i] = 0;
    this.duplicate[i] = 0;
    return i;
  }

  /** Content [s, e): find Custom (field 5) and, when its kind is ours, record where its data is. */
  private locateCustom(i: number, s: number, e: number): void {
    const c = this.inner.reset(this.buf, s, e);
    while (c.more) {
      const t = c.varint();
      if (t !== 0x2a) {
        c.skip(t & 7);
        continue;
      }
      c.lenField();
      const end = c.fieldEnd;
      c.reset(this.buf, c.fieldStart, end);
      let kindOk = false;
      let at = -1;
      let len = 0;
      while (c.more) {
        const ct = c.varint();
        if (ct === 0x0a) {
          c.lenField();
          kindOk = c.fieldEnd - c.fieldStart === this.kind.length;
          for (let k = 0; kindOk && k < this.kind.length; k++) kindOk = this.buf[c.fieldStart + k] === this.kind[k];
        } else if (ct === 0x12) {
          c.lenField();
          at = c.fieldStart;
          len = c.fieldEnd - c.fieldStart;
        } else c.skip(ct & 7);
      }
      if (kindOk && at >= 0) {
        this.dataAt[i] = at;
        this.dataLen[i] = len;
      }
      return;
    }
  }
}

const decoder = new TextDecoder();
