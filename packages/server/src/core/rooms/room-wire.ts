import {
  ContentSchema, RoomMessageSchema, create, encodeRoomMessage, fromBinary, roomMessageClass, type RoomMessage, type RoomMessageFields,
} from '@xinbox/protocol';
import type { StoredRoomMessage } from '../ports/room-store.js';
import { clientRoomId } from './room-id.js';

/**
 * The wire object (for replies built with the generic encoder: RoomJoined.pinned, RoomPullResult).
 * `m.roomId` is the room's key; the wire carries the client's id.
 */
export function toWireRoomMessage(m: RoomMessageFields | StoredRoomMessage): RoomMessage {
  return create(RoomMessageSchema, {
    roomId: clientRoomId(m.roomId),
    id: m.id,
    senderId: String(m.senderId),
    class: roomMessageClass(m.seq),
    seq: m.seq,
    serverTime: m.serverTime,
    content: fromBinary(ContentSchema, m.content),
  });
}

/**
 * An encoded xinbox.v1.RoomMessage of a message keyed by its room's key,
 * carrying the client's room id. Encoded once per message, the bytes serve
 * every viewer: all viewers of a room are of its app.
 */
export function encodeWireRoomMessage(m: RoomMessageFields): Uint8Array {
  const roomId = clientRoomId(m.roomId);
  return encodeRoomMessage(roomId === m.roomId ? m : { ...m, roomId });
}
