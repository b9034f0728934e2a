/**
 * Hand-rolled encoder for the one frame on the fan-out hot path:
 * Frame{ push: Push{ message, sync_seq } } with a length prefix. The message
 * is encoded once per send and reused for every recipient; only the sync seq
 * differs. Checked against the generic encoder in the protocol tests.
 */
import { varintSize, writeVarint } from './varint.js';

const FRAME_PUSH_TAG = (22 << 3) | 2; // Frame.push, length-delimited
const PUSH_MESSAGE_TAG = (1 << 3) | 2; // Push.message, length-delimited
const PUSH_SYNC_SEQ_TAG = (2 << 3) | 0; // Push.sync_seq, varint

/** Length-prefixed bytes of Frame{id: 0, push: {message: <messageBytes>, syncSeq}}. */
export function encodePushFrame(messageBytes: Uint8Array, syncSeq: number): Uint8Array {
  const pushLen = 1 + varintSize(messageBytes.length) + messageBytes.length + (syncSeq > 0 ? 1 + varintSize(syncSeq) : 0);
  const frameLen = varintSize(FRAME_PUSH_TAG) + varintSize(pushLen) + pushLen;
  const out = new Uint8Array(4 + frameLen);
  // The big-endian length prefix byte by byte: a DataView here was one more object per push.
  out[0] = frameLen >>> 24;
  out[1] = (frameLen >>> 16) & 0xff;
  out[2] = (frameLen >>> 8) & 0xff;
  out[3] = frameLen & 0xff;
  let at = writeVarint(out, 4, FRAME_PUSH_TAG);
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
