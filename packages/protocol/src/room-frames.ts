/**
 * Hand-rolled encoders for live-room frames: a RoomMessage is encoded once
 * from its fields with the content spliced in as the client sent it, and a
 * room's batch leaves as RoomPush frames built from those bytes, so a
 * broadcast pays protobuf encoding once per batch and the same bytes go to
 * every socket. Byte-identical to the generic encoder (test/room-frames.test.ts).
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { LENGTH_PREFIX_BYTES } from './codec.js';
import { RoomMessageClass } from './gen/xinbox/v1/xinbox_pb.js';
import { varintSize, writeVarint } from './varint.js';

/** A room message in field form: ordinary ones have seq 0 and were never stored. */
export interface RoomMessageFields {
  readonly roomId: string;
  /** Snowflake id, decimal (uint64). */
  readonly id: string;
  readonly senderId: number;
  readonly seq: number;
  readonly serverTime: number;
  /** Encoded xinbox.v1.Content. */
  readonly content: Uint8Array;
}

export function roomMessageClass(seq: number): RoomMessageClass {
  return seq > 0 ? RoomMessageClass.RELIABLE : RoomMessageClass.ORDINARY;
}

/** Encoded xinbox.v1.RoomMessage, the content bytes spliced in (never decoded and re-encoded). */
export function encodeRoomMessage(m: RoomMessageFields): Uint8Array {
  const w = new BinaryWriter();
  if (m.roomId) w.tag(1, WireType.LengthDelimited).string(m.roomId);
  if (m.id !== '0') w.tag(2, WireType.Varint).uint64(m.id);
  if (m.senderId !== 0) w.tag(3, WireType.Varint).uint64(m.senderId);
  w.tag(4, WireType.Varint).int32(roomMessageClass(m.seq));
  if (m.seq !== 0) w.tag(5, WireType.Varint).uint32(m.seq);
  if (m.serverTime !== 0) w.tag(6, WireType.Bit64).double(m.serverTime);
  // Always present: a room message has content (a set, even empty, message field is written).
  w.tag(7, WireType.LengthDelimited).bytes(m.content);
  return w.finish();
}

const FRAME_ROOM_PUSH_TAG = (94 << 3) | 2; // Frame.room_push, length-delimited
const FRAME_ROOM_PUSH_TAG_BYTES = varintSize(FRAME_ROOM_PUSH_TAG);
const ROOM_PUSH_MESSAGE_TAG = (1 << 3) | 2; // RoomPush.messages, length-delimited

/** Length-prefixed Frame{id: 0, room_push: RoomPush{messages}} from encoded RoomMessages, as one frame. */
export function encodeRoomPushFrame(messages: readonly Uint8Array[]): Uint8Array {
  return roomPushFrame(messages, 0, messages.length);
}

/**
 * The same as frames of at most `maxFrameBytes` each (the frame body, without
 * its length prefix: the limit clients enforce, Limits.maxFrameBytes), in
 * message order. A message is never split: one larger than the limit on its
 * own (content limits keep that from happening) leaves alone in its frame.
 */
export function encodeRoomPushFrames(messages: readonly Uint8Array[], maxFrameBytes: number): Uint8Array[] {
  const frames: Uint8Array[] = [];
  let start = 0;
  let pushLen = 0;
  for (let i = 0; i < messages.length; i++) {
    const size = entrySize(messages[i]!);
    const next = pushLen + size;
    if (i > start && FRAME_ROOM_PUSH_TAG_BYTES + varintSize(next) + next > maxFrameBytes) {
      frames.push(roomPushFrame(messages, start, i));
      start = i;
      pushLen = size;
    } else {
      pushLen = next;
    }
  }
  if (start < messages.length || frames.length === 0) frames.push(roomPushFrame(messages, start, messages.length));
  return frames;
}

function entrySize(m: Uint8Array): number {
  return 1 + varintSize(m.length) + m.length;
}

function roomPushFrame(messages: readonly Uint8Array[], from: number, to: number): Uint8Array {
  let pushLen = 0;
  for (let i = from; i < to; i++) pushLen += entrySize(messages[i]!);
  const frameLen = FRAME_ROOM_PUSH_TAG_BYTES + varintSize(pushLen) + pushLen;
  const out = new Uint8Array(LENGTH_PREFIX_BYTES + frameLen);
  new DataView(out.buffer).setUint32(0, frameLen);
  let at = writeVarint(out, LENGTH_PREFIX_BYTES, FRAME_ROOM_PUSH_TAG);
  at = writeVarint(out, at, pushLen);
  for (let i = from; i < to; i++) {
    const m = messages[i]!;
    out[at++] = ROOM_PUSH_MESSAGE_TAG;
    at = writeVarint(out, at, m.length);
    out.set(m, at);
    at += m.length;
  }
  return out;
}
