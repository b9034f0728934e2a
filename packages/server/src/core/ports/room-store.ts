import type { MessageId, UserId } from '../model.js';

/** Rooms are named by their creator: 1-64 characters of [A-Za-z0-9_.:-]. */
export type RoomId = string;

export interface RoomRecord {
  readonly id: RoomId;
  /** The creator; the only user allowed to run admin actions. */
  readonly hostId: UserId;
  readonly createdAt: number;
  /** Highest reliable seq stored; 0 when none. */
  readonly lastSeq: number;
  /** Seq of the pinned notice; 0 when nothing is pinned. */
  readonly pinnedSeq: number;
  /** A closed room is gone: no joins, sends or pulls; its id is never reused. */
  readonly closed: boolean;
}

/** A reliable room message (gift, red packet, pinned notice). `content` is the encoded xinbox.v1.Content. */
export interface StoredRoomMessage {
  readonly roomId: RoomId;
  readonly seq: number;
  readonly id: MessageId;
  readonly senderId: UserId;
  readonly clientMsgId: string;
  readonly serverTime: number;
  readonly content: Uint8Array;
}

/** A reliable message to append; the store assigns its seq. */
export type NewRoomMessage = Omit<StoredRoomMessage, 'seq' | 'roomId'>;

export type RestrictionKind = 'mute' | 'kick';

/** A host's mute or kick of one user. `until` is ms since the epoch; 0 means for the life of the room. */
export interface RoomRestriction {
  readonly roomId: RoomId;
  readonly userId: UserId;
  readonly kind: RestrictionKind;
  readonly until: number;
}

export class RoomUnavailableError extends Error {
  constructor(readonly roomId: RoomId, readonly reason: 'missing' | 'closed') {
    super(`room ${roomId} is ${reason === 'missing' ? 'unknown' : 'closed'}`);
    this.name = 'RoomUnavailableError';
  }
}

/**
 * Durable room state: the room record, its reliable messages and the host's
 * restrictions. Audience membership is NOT stored (it lives in each gateway's
 * memory), and ordinary messages (danmaku, likes) are never stored.
 *
 * Contract:
 * - `createRoom` is atomic on the id: of concurrent creates exactly one
 *   reports created = true; the others get the existing record unchanged
 *   (also when that room is closed).
 * - Reliable messages of one room carry seq 1, 2, 3, ... without holes, in
 *   commit order. `append` is atomic: the message row, the room's lastSeq and
 *   (with `pin`) its pinnedSeq commit together or not at all. When the promise
 *   resolves the message is durable per the adapter's sync policy.
 * - (roomId, senderId, clientMsgId) is unique: appending it again stores
 *   nothing and returns the original message with duplicate = true (a retried
 *   gift is never stored twice). An empty clientMsgId is never deduplicated.
 * - `append` to an unknown or closed room rejects with RoomUnavailableError
 *   and changes nothing. A room's lastSeq never decreases.
 * - Range reads return messages in ascending seq order.
 * - Restrictions are keyed by (roomId, userId, kind); setting one replaces
 *   it. `restrictions` returns those still active at `now` (until = 0 or
 *   until > now).
 */
export interface RoomStore {
  createRoom(id: RoomId, hostId: UserId, now: number): Promise<{ room: RoomRecord; created: boolean }>;
  getRoom(id: RoomId): Promise<RoomRecord | null>;
  /** Marks the room closed; false when it was unknown or already closed. */
  closeRoom(id: RoomId): Promise<boolean>;

  append(roomId: RoomId, message: NewRoomMessage, opts?: { pin?: boolean }): Promise<{ message: StoredRoomMessage; duplicate: boolean }>;
  /** Sets (seq > 0) or clears (seq = 0) the pinned notice of an open room; false when the room is unknown or closed. */
  setPinned(roomId: RoomId, seq: number): Promise<boolean>;
  /** Messages with fromSeq <= seq <= toSeq, ascending, at most `limit`. */
  getRange(roomId: RoomId, fromSeq: number, toSeq: number, limit: number): Promise<StoredRoomMessage[]>;

  setRestriction(restriction: RoomRestriction): Promise<void>;
  clearRestriction(roomId: RoomId, userId: UserId, kind: RestrictionKind): Promise<void>;
  restrictions(roomId: RoomId, now: number): Promise<RoomRestriction[]>;
}
