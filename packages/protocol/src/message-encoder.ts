/**
 * Hand-rolled encoder for xinbox.v1.Message from parts the server already
 * holds: the Content arrives encoded and is spliced in as-is (a nested
 * message is just length-delimited bytes), so the send path never decodes
 * what it stores. Checked byte-for-byte against the generic encoder in tests.
 */
export interface MessageParts {
  readonly id: string;
  readonly conversationId: number;
  readonly seq: number;
  readonly senderId: number;
  readonly clientMsgId: string;
  readonly serverTime: number;
  /** Encoded xinbox.v1.Content (empty: no content, e.g. a hidden placeholder). */
  readonly content: Uint8Array;
  readonly mentions: readonly number[];
  readonly mentionAll: boolean;
  readonly visibleTo: readonly number[];
  readonly hidden: boolean;
  /** xinbox.v1.ConversationKind value. */
  readonly conversationKind: number;
}

import { varintSize, writeDecimalU64Varint, writeVarint } from './varint.js';
import { writeString } from './wire-string.js';

class Writer {
  buf: Uint8Array;
  at = 0;
  private view: DataView;

  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }

  /** Start over with room for at least `size` bytes (the buffer is reused between messages). */
  reset(size: number): void {
    if (this.buf.length < size) {
      this.buf = new Uint8Array(Math.max(size, 2 * this.buf.length));
      this.view = new DataView(this.buf.buffer);
    }
    this.at = 0;
  }

  varint(n: number): void {
    this.at = writeVarint(this.buf, this.at, n);
  }

  decimalU64(decimal: string): void {
    const end = writeDecimalU64Varint(this.buf, this.at, decimal);
    if (end < 0) throw new RangeError(`message id ${decimal} is not a uint64`);
    this.at = end;
  }

  /** Length-delimited UTF-8, written in place (no encoded copy per message). */
  string(s: string): void {
    this.at = writeString(this.buf, this.at, s);
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  double(n: number): void {
    this.view.setFloat64(this.at, n, true);
    this.at += 8;
  }

  packed(tag: number, ids: readonly number[]): void {
    if (ids.length === 0) return;
    let len = 0;
    for (const id of ids) len += varintSize(id);
    this.varint(tag);
    this.varint(len);
    for (const id of ids) this.varint(id);
  }
}

/** Protobuf bytes of a Message (fields in field-number order, defaults omitted, as the generic encoder does). */
export function encodeMessageParts(m: MessageParts): Uint8Array {
  // One exact-size copy out of the reused buffer.
  return encodeMessagePartsView(m).slice();
}

/**
 * The same bytes as a view into the encoder's reused buffer, valid only until
 * the next encodeMessageParts* call: for a caller that copies them at once
 * (the send path splices them into each recipient's push frame), which saves
 * one buffer per message.
 */
export function encodeMessagePartsView(m: MessageParts): Uint8Array {
  const w = scratch;
  // writeString needs 3 bytes per UTF-16 unit at worst.
  w.reset(96 + 3 * m.clientMsgId.length + m.content.length + 10 * (m.mentions.length + m.visibleTo.length));
  if (m.id !== '0' && m.id !== '') {
    w.varint((1 << 3) | 0);
    w.decimalU64(m.id);
  }
  if (m.conversationId) {
    w.varint((2 << 3) | 0);
    w.varint(m.conversationId);
  }
  if (m.seq) {
    w.varint((3 << 3) | 0);
    w.varint(m.seq);
  }
  if (m.senderId) {
    w.varint((4 << 3) | 0);
    w.varint(m.senderId);
  }
  if (m.clientMsgId.length) {
    w.varint((5 << 3) | 2);
    w.string(m.clientMsgId);
  }
  if (m.serverTime) {
    w.varint((6 << 3) | 1);
    w.double(m.serverTime);
  }
  if (m.content.length) {
    w.varint((7 << 3) | 2);
    w.bytes(m.content);
  }
  w.packed((8 << 3) | 2, m.mentions);
  if (m.mentionAll) {
    w.varint((9 << 3) | 0);
    w.varint(1);
  }
  w.packed((10 << 3) | 2, m.visibleTo);
  if (m.hidden) {
    w.varint((11 << 3) | 0);
    w.varint(1);
  }
  if (m.conversationKind) {
    w.varint((12 << 3) | 0);
    w.varint(m.conversationKind);
  }
  return w.buf.subarray(0, w.at);
}

const scratch = new Writer(4096);

