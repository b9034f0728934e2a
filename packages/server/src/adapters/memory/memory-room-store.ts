import type { UserId } from '../../core/model.js';
import {
  RoomUnavailableError,
  type NewRoomMessage, type RestrictionKind, type RoomId, type RoomRecord, type RoomRestriction, type RoomStore, type StoredRoomMessage,
} from '../../core/ports/room-store.js';

interface RoomState {
  record: RoomRecord;
  /** messages[i] has seq i + 1. */
  readonly messages: StoredRoomMessage[];
  /** `${senderId}:${clientMsgId}` -> seq. */
  readonly byClientMsgId: Map<string, number>;
  /** `${userId}:${kind}` -> restriction. */
  readonly restrictions: Map<string, RoomRestriction>;
}

/**
 * RoomStore in memory: the reference implementation for tests and
 * storage=memory. Calls complete synchronously inside their promise, so each
 * one is atomic; returned records are copies the caller cannot mutate.
 */
export class MemoryRoomStore implements RoomStore {
  private readonly rooms = new Map<RoomId, RoomState>();

  async createRoom(id: RoomId, hostId: UserId, now: number): Promise<{ room: RoomRecord; created: boolean }> {
    const existing = this.rooms.get(id);
    if (existing) return { room: existing.record, created: false };
    const record: RoomRecord = Object.freeze({ id, hostId, createdAt: now, lastSeq: 0, pinnedSeq: 0, closed: false });
    this.rooms.set(id, { record, messages: [], byClientMsgId: new Map(), restrictions: new Map() });
    return { room: record, created: true };
  }

  async getRoom(id: RoomId): Promise<RoomRecord | null> {
    return this.rooms.get(id)?.record ?? null;
  }

  async closeRoom(id: RoomId): Promise<boolean> {
    const room = this.rooms.get(id);
    if (!room || room.record.closed) return false;
    room.record = Object.freeze({ ...room.record, closed: true });
    return true;
  }

  async append(roomId: RoomId, message: NewRoomMessage, opts: { pin?: boolean } = {}): Promise<{ message: StoredRoomMessage; duplicate: boolean }> {
    const room = this.open(roomId);
    const key = `${message.senderId}:${message.clientMsgId}`;
    const seen = message.clientMsgId ? room.byClientMsgId.get(key) : undefined;
    if (seen !== undefined) return { message: room.messages[seen - 1]!, duplicate: true };
    const seq = room.record.lastSeq + 1;
    const stored: StoredRoomMessage = Object.freeze({ ...message, content: message.content.slice(), roomId, seq });
    room.messages.push(stored);
    if (message.clientMsgId) room.byClientMsgId.set(key, seq);
    room.record = Object.freeze({ ...room.record, lastSeq: seq, pinnedSeq: opts.pin ? seq : room.record.pinnedSeq });
    return { message: stored, duplicate: false };
  }

  async setPinned(roomId: RoomId, seq: number): Promise<boolean> {
    const room = this.rooms.get(roomId);
    if (!room || room.record.closed) return false;
    room.record = Object.freeze({ ...room.record, pinnedSeq: seq });
    return true;
  }

  async getRange(roomId: RoomId, fromSeq: number, toSeq: number, limit: number): Promise<StoredRoomMessage[]> {
    const room = this.rooms.get(roomId);
    if (!room || limit <= 0) return [];
    const from = Math.max(1, fromSeq);
    const to = Math.min(toSeq, room.messages.length, from + limit - 1);
    return to < from ? [] : room.messages.slice(from - 1, to);
  }

  async setRestriction(r: RoomRestriction): Promise<void> {
    const room = this.rooms.get(r.roomId);
    if (!room) throw new RoomUnavailableError(r.roomId, 'missing');
    room.restrictions.set(`${r.userId}:${r.kind}`, Object.freeze({ ...r }));
  }

  async clearRestriction(roomId: RoomId, userId: UserId, kind: RestrictionKind): Promise<void> {
    this.rooms.get(roomId)?.restrictions.delete(`${userId}:${kind}`);
  }

  async restrictions(roomId: RoomId, now: number): Promise<RoomRestriction[]> {
    const room = this.rooms.get(roomId);
    if (!room) return [];
    return [...room.restrictions.values()].filter((r) => r.until === 0 || r.until > now);
  }

  private open(roomId: RoomId): RoomState {
    const room = this.rooms.get(roomId);
    if (!room) throw new RoomUnavailableError(roomId, 'missing');
    if (room.record.closed) throw new RoomUnavailableError(roomId, 'closed');
    return room;
  }
}
