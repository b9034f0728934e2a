import type Database from 'better-sqlite3';
import type { UserId } from '../../core/model.js';
import {
  RoomUnavailableError,
  type NewRoomMessage, type RestrictionKind, type RoomId, type RoomRecord, type RoomRestriction, type RoomStore, type StoredRoomMessage,
} from '../../core/ports/room-store.js';
import { messageIdFromSql, messageIdToSql } from './snowflake-column.js';

interface RoomRow {
  id: string;
  host_id: number;
  created_at: number;
  last_seq: number;
  pinned_seq: number;
  closed: number;
}

interface RoomMessageRow {
  room_id: string;
  seq: number;
  id_text: string;
  sender_id: number;
  client_msg_id: string;
  server_time: number;
  content: Buffer;
}

interface RestrictionRow {
  room_id: string;
  user_id: number;
  kind: RestrictionKind;
  until: number;
}

const MESSAGE_COLUMNS = 'room_id, seq, CAST(id AS TEXT) AS id_text, sender_id, client_msg_id, server_time, content';

function roomFromRow(r: RoomRow): RoomRecord {
  return { id: r.id, hostId: r.host_id, createdAt: r.created_at, lastSeq: r.last_seq, pinnedSeq: r.pinned_seq, closed: r.closed !== 0 };
}

function messageFromRow(r: RoomMessageRow): StoredRoomMessage {
  return {
    roomId: r.room_id,
    seq: r.seq,
    id: messageIdFromSql(r.id_text),
    senderId: r.sender_id,
    clientMsgId: r.client_msg_id,
    serverTime: r.server_time,
    content: new Uint8Array(r.content),
  };
}

/**
 * RoomStore on SQLite (schema: migration-rooms.ts). `append` runs in one
 * IMMEDIATE transaction: it reads the room's last_seq under the write lock,
 * inserts the message with last_seq + 1 and bumps the room, so seqs stay
 * continuous even with a second connection writing the same file.
 */
export class SqliteRoomStore implements RoomStore {
  private readonly insertRoomStmt;
  private readonly getRoomStmt;
  private readonly closeRoomStmt;
  private readonly findByClientMsgIdStmt;
  private readonly insertMessageStmt;
  private readonly bumpRoomStmt;
  private readonly setPinnedStmt;
  private readonly rangeStmt;
  private readonly upsertRestrictionStmt;
  private readonly deleteRestrictionStmt;
  private readonly restrictionsStmt;
  private readonly createTx;
  private readonly appendTx;

  constructor(db: Database.Database) {
    this.insertRoomStmt = db.prepare<[string, number, number]>(
      'INSERT INTO rooms (id, host_id, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING',
    );
    this.getRoomStmt = db.prepare<[string], RoomRow>('SELECT id, host_id, created_at, last_seq, pinned_seq, closed FROM rooms WHERE id = ?');
    this.closeRoomStmt = db.prepare<[string]>('UPDATE rooms SET closed = 1 WHERE id = ? AND closed = 0');
    this.findByClientMsgIdStmt = db.prepare<[string, number, string], RoomMessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM room_messages WHERE room_id = ? AND sender_id = ? AND client_msg_id = ? AND client_msg_id <> ''`,
    );
    this.insertMessageStmt = db.prepare<[string, number, bigint, number, string, number, Buffer]>(
      'INSERT INTO room_messages (room_id, seq, id, sender_id, client_msg_id, server_time, content) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.bumpRoomStmt = db.prepare<{ id: string; seq: number; pin: number }>(
      'UPDATE rooms SET last_seq = @seq, pinned_seq = CASE WHEN @pin = 1 THEN @seq ELSE pinned_seq END WHERE id = @id',
    );
    this.setPinnedStmt = db.prepare<[number, string]>('UPDATE rooms SET pinned_seq = ? WHERE id = ? AND closed = 0');
    this.rangeStmt = db.prepare<[string, number, number, number], RoomMessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM room_messages WHERE room_id = ? AND seq >= ? AND seq <= ? ORDER BY seq LIMIT ?`,
    );
    this.upsertRestrictionStmt = db.prepare<[string, number, string, number]>(
      `INSERT INTO room_restrictions (room_id, user_id, kind, until) VALUES (?, ?, ?, ?)
       ON CONFLICT (room_id, user_id, kind) DO UPDATE SET until = excluded.until`,
    );
    this.deleteRestrictionStmt = db.prepare<[string, number, string]>('DELETE FROM room_restrictions WHERE room_id = ? AND user_id = ? AND kind = ?');
    this.restrictionsStmt = db.prepare<[string, number], RestrictionRow>(
      'SELECT room_id, user_id, kind, until FROM room_restrictions WHERE room_id = ? AND (until = 0 OR until > ?) ORDER BY user_id, kind',
    );

    this.createTx = db.transaction((id: string, hostId: number, now: number) => {
      const created = this.insertRoomStmt.run(id, hostId, now).changes === 1;
      return { room: roomFromRow(this.getRoomStmt.get(id)!), created };
    });
    this.appendTx = db.transaction((roomId: string, m: NewRoomMessage, pin: boolean) => {
      const room = this.getRoomStmt.get(roomId);
      if (!room) throw new RoomUnavailableError(roomId, 'missing');
      if (room.closed) throw new RoomUnavailableError(roomId, 'closed');
      const seen = m.clientMsgId ? this.findByClientMsgIdStmt.get(roomId, m.senderId, m.clientMsgId) : undefined;
      if (seen) return { message: messageFromRow(seen), duplicate: true };
      const seq = room.last_seq + 1;
      const content = Buffer.from(m.content);
      this.insertMessageStmt.run(roomId, seq, messageIdToSql(m.id), m.senderId, m.clientMsgId, m.serverTime, content);
      this.bumpRoomStmt.run({ id: roomId, seq, pin: pin ? 1 : 0 });
      const message: StoredRoomMessage = { ...m, content: new Uint8Array(content), roomId, seq };
      return { message, duplicate: false };
    });
  }

  async createRoom(id: RoomId, hostId: UserId, now: number): Promise<{ room: RoomRecord; created: boolean }> {
    return this.createTx.immediate(id, hostId, now);
  }

  async getRoom(id: RoomId): Promise<RoomRecord | null> {
    const row = this.getRoomStmt.get(id);
    return row ? roomFromRow(row) : null;
  }

  async closeRoom(id: RoomId): Promise<boolean> {
    return this.closeRoomStmt.run(id).changes === 1;
  }

  async append(roomId: RoomId, message: NewRoomMessage, opts: { pin?: boolean } = {}): Promise<{ message: StoredRoomMessage; duplicate: boolean }> {
    return this.appendTx.immediate(roomId, message, opts.pin === true);
  }

  async setPinned(roomId: RoomId, seq: number): Promise<boolean> {
    return this.setPinnedStmt.run(seq, roomId).changes === 1;
  }

  async getRange(roomId: RoomId, fromSeq: number, toSeq: number, limit: number): Promise<StoredRoomMessage[]> {
    if (limit <= 0 || toSeq < fromSeq) return [];
    return this.rangeStmt.all(roomId, fromSeq, Math.min(toSeq, Number.MAX_SAFE_INTEGER), limit).map(messageFromRow);
  }

  async setRestriction(r: RoomRestriction): Promise<void> {
    if (!this.getRoomStmt.get(r.roomId)) throw new RoomUnavailableError(r.roomId, 'missing');
    this.upsertRestrictionStmt.run(r.roomId, r.userId, r.kind, r.until);
  }

  async clearRestriction(roomId: RoomId, userId: UserId, kind: RestrictionKind): Promise<void> {
    this.deleteRestrictionStmt.run(roomId, userId, kind);
  }

  async restrictions(roomId: RoomId, now: number): Promise<RoomRestriction[]> {
    return this.restrictionsStmt.all(roomId, now).map((r) => ({ roomId: r.room_id, userId: r.user_id, kind: r.kind, until: r.until }));
  }
}
