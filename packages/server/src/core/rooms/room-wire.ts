import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { ContentSchema, RoomMessageClass, RoomMessageSchema, create, fromBinary, type RoomMessage } from '@xinbox/protocol';
import type { UserId } from '../model.js';
import type { RoomId, StoredRoomMessage } from '../ports/room-store.js';

/** A room message in domain form: ordinary ones have seq 0 and were never stored. */
export interface RoomMessageFields {
  readonly roomId: RoomId;
  readonly id: string;
  readonly senderId: UserId;
  readonly seq: number;
  readonly serverTime: number;
  /** Encoded xinbox.v1.Content. */
  readonly content: Uint8Array;
}

function wireClass(seq: number): RoomMessageClass {
  return seq > 0 ? RoomMessageClass.RELIABLE : RoomMessageClass.ORDINARY;
}

/**
 * Encodes a xinbox.v1.RoomMessage straight from its fields, splicing the
 * already-encoded content in (no decode and re-encode of the content on the
 * send path). Byte-identical to the generic encoder; checked in the tests.
 */
export function encodeRoomMessage(m: RoomMessageFields): Uint8Array {
  const w = new BinaryWriter();
  if (m.roomId) w.tag(1, WireType.LengthDelimited).string(m.roomId);
  if (m.id !== '0') w.tag(2, WireType.Varint).uint64(m.id);
  if (m.senderId !== 0) w.tag(3, WireType.Varint).uint64(m.senderId);
  w.tag(4, WireType.Varint).int32(wireClass(m.seq));
  if (m.seq !== 0) w.tag(5, WireType.Varint).uint32(m.seq);
  if (m.serverTime !== 0) w.tag(6, WireType.Bit64).double(m.serverTime);
  w.tag(7, WireType.LengthDelimited).bytes(m.content);
  return w.finish();
}

/** The wire object (for replies built with the generic encoder: RoomJoined.pinned, RoomPullResult). */
export function toWireRoomMessage(m: RoomMessageFields | StoredRoomMessage): RoomMessage {
  return create(RoomMessageSchema, {
    roomId: m.roomId,
    id: m.id,
    senderId: String(m.senderId),
    class: wireClass(m.seq),
    seq: m.seq,
    serverTime: m.serverTime,
    content: fromBinary(ContentSchema, m.content),
  });
}
