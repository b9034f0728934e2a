import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { RoomEventSchema, create, encodeFrame, withLengthPrefix } from '@xinbox/protocol';
import type { UserId } from '../core/model.js';
import type { RoomId } from '../core/ports/room-store.js';

const FRAME_ROOM_PUSH = 94; // Frame.room_push
const ROOM_PUSH_MESSAGES = 1; // RoomPush.messages

/**
 * Length-prefixed Frame{id: 0, room_push: RoomPush{messages}} built from
 * already-encoded RoomMessages, so a batch is encoded once per gateway and
 * the same bytes go to every connection. Byte-identical to the generic
 * encoder (checked in the tests).
 */
export function encodeRoomPushFrame(messages: readonly Uint8Array[]): Uint8Array {
  const push = new BinaryWriter();
  for (const m of messages) push.tag(ROOM_PUSH_MESSAGES, WireType.LengthDelimited).bytes(m);
  const frame = new BinaryWriter().tag(FRAME_ROOM_PUSH, WireType.LengthDelimited).bytes(push.finish()).finish();
  return withLengthPrefix(frame);
}

/** Length-prefixed Frame{room_event}. */
export function encodeRoomEventFrame(roomId: RoomId, kind: string, audience: number, userId: UserId): Uint8Array {
  return withLengthPrefix(encodeFrame({ body: { case: 'roomEvent', value: create(RoomEventSchema, { roomId, kind, audience, userId: String(userId) }) } }));
}
