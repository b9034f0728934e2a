import { LENGTH_PREFIX_BYTES } from '@xinbox/protocol';

/**
 * Build a length-prefixed Frame{push:{message, syncSeq}} from a Message that
 * was encoded once, so a fan-out pays the protobuf encoding of the message a
 * single time and only a few header bytes per recipient. The bytes are the
 * standard protobuf encoding (Frame field 22, Push fields 1 and 2), which
 * decodeFrame parses like any other frame.
 */

const FRAME_PUSH_TAG = [0xb2, 0x01]; // field 22, wire type 2
const PUSH_MESSAGE_TAG = 0x0a; // field 1, wire type 2
const PUSH_SYNC_SEQ_TAG = 0x10; // field 2, wire type 0

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function writeVarint(out: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}

export function pushFrameBytes(messageBytes: Uint8Array, syncSeq: number): Uint8Array {
  const pushLen = 1 + varintLength(messageBytes.length) + messageBytes.length + (syncSeq > 0 ? 1 + varintLength(syncSeq) : 0);
  const frameLen = FRAME_PUSH_TAG.length + varintLength(pushLen) + pushLen;
  const out = new Uint8Array(LENGTH_PREFIX_BYTES + frameLen);
  new DataView(out.buffer).setUint32(0, frameLen);
  let at = LENGTH_PREFIX_BYTES;
  for (const b of FRAME_PUSH_TAG) out[at++] = b;
  at = writeVarint(out, at, pushLen);
  out[at++] = PUSH_MESSAGE_TAG;
  at = writeVarint(out, at, messageBytes.length);
  out.set(messageBytes, at);
  at += messageBytes.length;
  if (syncSeq > 0) {
    out[at++] = PUSH_SYNC_SEQ_TAG;
    writeVarint(out, at, syncSeq);
  }
  return out;
}
