import { ContentSchema, RoomMessageSchema, create, fromBinary, roomMessageClass, type RoomMessage, type RoomMessageFields } from '@xinbox/protocol';
import type { StoredRoomMessage } from '../ports/room-store.js';

/** The wire object (for replies built with the generic encoder: RoomJoined.pinned, RoomPullResult). */
export function toWireRoomMessage(m: RoomMessageFields | StoredRoomMessage): RoomMessage {
  return create(RoomMessageSchema, {
    roomId: m.roomId,
    id: m.id,
    senderId: String(m.senderId),
    class: roomMessageClass(m.seq),
    seq: m.seq,
    serverTime: m.serverTime,
    content: fromBinary(ContentSchema, m.content),
  });
}
