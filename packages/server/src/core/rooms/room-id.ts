import { Errors, XinboxError } from '@xinbox/protocol';
import type { RoomId } from '../ports/room-store.js';

const ROOM_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Room ids are chosen by their creator: 1-64 characters of [A-Za-z0-9_.:-]. */
export function parseRoomId(raw: string): RoomId {
  if (!ROOM_ID.test(raw)) throw new XinboxError(Errors.INVALID_ARGUMENT, 'roomId must be 1-64 characters of A-Z a-z 0-9 _ . : -');
  return raw;
}
