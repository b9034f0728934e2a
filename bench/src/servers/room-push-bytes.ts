import { LENGTH_PREFIX_BYTES, varintSize, writeVarint } from '@xinbox/protocol';

/**
 * Length-prefixed Frame{room_push: RoomPush{messages}} frames from
 * RoomMessages that were each encoded once, so a room broadcast pays the
 * protobuf encoding once per batch and the same bytes go to every socket.
 * Standard protobuf (Frame field 94, RoomPush field 1), split so no frame
 * exceeds `maxFrameBytes` (the client's frame limit).
 */

const FRAME_ROOM_PUSH_TAG = [0xf2, 0x05]; // field 94, wire type 2
const ROOM_PUSH_MESSAGE_TAG = 0x0a; // field 1, wire type 2

function oneFrame(messages: readonly Uint8Array[]): Uint8Array {
  let pushLen = 0;
  for (const m of messages) pushLen += 1 + varintSize(m.length) + m.length;
  const frameLen = FRAME_ROOM_PUSH_TAG.length + varintSize(pushLen) + pushLen;
  const out = new Uint8Array(LENGTH_PREFIX_BYTES + frameLen);
  new DataView(out.buffer).setUint32(0, frameLen);
  let at = LENGTH_PREFIX_BYTES;
  for (const b of FRAME_ROOM_PUSH_TAG) out[at++] = b;
  at = writeVarint(out, at, pushLen);
  for (const m of messages) {
    out[at++] = ROOM_PUSH_MESSAGE_TAG;
    at = writeVarint(out, at, m.length);
    out.set(m, at);
    at += m.length;
  }
  return out;
}

export function roomPushFrames(messages: readonly Uint8Array[], maxFrameBytes: number): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let batch: Uint8Array[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = 1 + varintSize(m.length) + m.length;
    if (batch.length > 0 && bytes + size > maxFrameBytes - 16) {
      frames.push(oneFrame(batch));
      batch = [];
      bytes = 0;
    }
    batch.push(m);
    bytes += size;
  }
  if (batch.length > 0) frames.push(oneFrame(batch));
  return frames;
}
