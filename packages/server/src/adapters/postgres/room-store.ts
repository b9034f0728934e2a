import type { UserId } from '../../core/model.js';
import {
  RoomUnavailableError,
  type NewRoomMessage, type RestrictionKind, type RoomId, type RoomRecord, type RoomRestriction, type RoomStore, type StoredRoomMessage,
} from '../../core/ports/room-store.js';
import type { Sql } from './client.js';
import { PG, pgConstraint, pgErrorCode, retryTransient } from './errors.js';
import { messageIdFromSql, messageIdToSql } from './message-id.js';

interface RoomRow {
  id: string;
  host_id: number;
  created_at: number;
  last_seq: number;
  pinned_seq: number;
  closed: boolean;
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

/** The room row locked by an append, with the message a retried clientMsgId already stored (if any). */
interface LockedRoomRow {
  last_seq: number;
  closed: boolean;
  seen_seq: number | null;
  seen_id_text: string | null;
  seen_server_time: number | null;
  seen_content: Buffer | null;
}

const ROOM_COLUMNS = 'id, host_id, created_at, last_seq, pinned_seq, closed';
const MESSAGE_COLUMNS = 'room_id, seq, id::text AS id_text, sender_id, client_msg_id, server_time, content';
/** The partial unique index on (room_id, sender_id, client_msg_id). */
const CLIENT_MSG_ID_INDEX = 'room_messages_by_client_msg_id';
/** Range reads clamp their upper bound here, so "to the end" (e.g. 2^32 - 1 or Infinity) is a valid int8 parameter. */
const MAX_SEQ = Number.MAX_SAFE_INTEGER;

function roomFromRow(r: RoomRow): RoomRecord {
  return { id: r.id, hostId: r.host_id, createdAt: r.created_at, lastSeq: r.last_seq, pinnedSeq: r.pinned_seq, closed: r.closed };
}

/** A plain Uint8Array view of a bytea Buffer: no copy, and callers see the declared type. */
function bytesOf(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function messageFromRow(r: RoomMessageRow): StoredRoomMessage {
  return {
    roomId: r.room_id,
    seq: r.seq,
    id: messageIdFromSql(r.id_text),
    senderId: r.sender_id,
    clientMsgId: r.client_msg_id,
    serverTime: r.server_time,
    content: bytesOf(r.content),
  };
}

/**
 * RoomStore on PostgreSQL (schema: migration 2 in migrations.ts), same
 * semantics as the SQLite store, safe with any number of nodes on one
 * database.
 *
 * `append` is one transaction: it locks the room row (SELECT ... FOR UPDATE,
 * which also finds a message already stored under the same clientMsgId),
 * then inserts the message with last_seq + 1 and bumps the room in one
 * statement. The row lock, held to commit, serialises appends of one room
 * across every pool and node, so seqs are 1, 2, 3, ... in commit order
 * without holes; different rooms never wait for each other.
 */
export class PostgresRoomStore implements RoomStore {
  constructor(private readonly sql: Sql) {}

  async createRoom(id: RoomId, hostId: UserId, now: number): Promise<{ room: RoomRecord; created: boolean }> {
    const [inserted] = await this.sql.unsafe<RoomRow[]>(
      `INSERT INTO rooms (id, host_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING ${ROOM_COLUMNS}`,
      [id, hostId, now], { prepare: true },
    );
    if (inserted) return { room: roomFromRow(inserted), created: true };
    // DO NOTHING waited for the competing insert to commit, and this new
    // statement sees it; rooms are never deleted.
    const existing = await this.getRoom(id);
    if (!existing) throw new Error(`room ${id} vanished while being created`);
    return { room: existing, created: false };
  }

  async getRoom(id: RoomId): Promise<RoomRecord | null> {
    const [row] = await this.sql.unsafe<RoomRow[]>(`SELECT ${ROOM_COLUMNS} FROM rooms WHERE id = $1`, [id], { prepare: true });
    return row ? roomFromRow(row) : null;
  }

  async closeRoom(id: RoomId): Promise<boolean> {
    const rows = await this.sql.unsafe('UPDATE rooms SET closed = true WHERE id = $1 AND NOT closed RETURNING 1', [id], { prepare: true });
    return rows.length === 1;
  }

  async append(roomId: RoomId, message: NewRoomMessage, opts: { pin?: boolean } = {}): Promise<{ message: StoredRoomMessage; duplicate: boolean }> {
    const pin = opts.pin === true;
    for (let attempt = 1; ; attempt++) {
      try {
        return await retryTransient(() => this.runAppend(roomId, message, pin));
      } catch (error) {
        // The lock query read room_messages with the snapshot it started
        // with; a retry with the same clientMsgId that committed while it
        // waited for the lock shows up as this index's violation. Nothing
        // was written; run again and the retry is found.
        const raced = pgErrorCode(error) === PG.uniqueViolation && pgConstraint(error) === CLIENT_MSG_ID_INDEX;
        if (!raced || attempt >= 3) throw error;
      }
    }
  }

  private runAppend(roomId: RoomId, m: NewRoomMessage, pin: boolean): Promise<{ message: StoredRoomMessage; duplicate: boolean }> {
    return this.sql.begin(async (tx) => {
      const [room] = await tx.unsafe<LockedRoomRow[]>(
        `SELECT r.last_seq, r.closed, m.seq AS seen_seq, m.id::text AS seen_id_text, m.server_time AS seen_server_time, m.content AS seen_content
         FROM rooms r
         LEFT JOIN room_messages m ON m.room_id = r.id AND m.sender_id = $2 AND m.client_msg_id = $3 AND m.client_msg_id <> ''
         WHERE r.id = $1
         FOR UPDATE OF r`,
        [roomId, m.senderId, m.clientMsgId], { prepare: true },
      );
      if (!room) throw new RoomUnavailableError(roomId, 'missing');
      if (room.closed) throw new RoomUnavailableError(roomId, 'closed');
      if (room.seen_seq !== null) {
        const seen: StoredRoomMessage = {
          roomId,
          seq: room.seen_seq,
          id: messageIdFromSql(room.seen_id_text!),
          senderId: m.senderId,
          clientMsgId: m.clientMsgId,
          serverTime: room.seen_server_time!,
          content: bytesOf(room.seen_content!),
        };
        return { message: seen, duplicate: true };
      }
      const content = Buffer.from(m.content);
      const [row] = await tx.unsafe<Array<{ seq: number }>>(
        `WITH bumped AS (
           UPDATE rooms SET last_seq = last_seq + 1, pinned_seq = CASE WHEN $7::bool THEN last_seq + 1 ELSE pinned_seq END
           WHERE id = $1
           RETURNING last_seq
         )
         INSERT INTO room_messages (room_id, seq, id, sender_id, client_msg_id, server_time, content)
         SELECT $1::text, bumped.last_seq, $2::int8, $3::int8, $4::text, $5::int8, $6::bytea FROM bumped
         RETURNING seq`,
        [roomId, messageIdToSql(m.id), m.senderId, m.clientMsgId, m.serverTime, content, pin], { prepare: true },
      );
      const message: StoredRoomMessage = { ...m, content: bytesOf(content), roomId, seq: row!.seq };
      return { message, duplicate: false };
    });
  }

  async setPinned(roomId: RoomId, seq: number): Promise<boolean> {
    const rows = await this.sql.unsafe('UPDATE rooms SET pinned_seq = $2 WHERE id = $1 AND NOT closed RETURNING 1', [roomId, seq], { prepare: true });
    return rows.length === 1;
  }

  async getRange(roomId: RoomId, fromSeq: number, toSeq: number, limit: number): Promise<StoredRoomMessage[]> {
    if (limit <= 0 || toSeq < fromSeq) return [];
    const rows = await this.sql.unsafe<RoomMessageRow[]>(
      `SELECT ${MESSAGE_COLUMNS} FROM room_messages WHERE room_id = $1 AND seq BETWEEN $2 AND $3 ORDER BY seq LIMIT $4`,
      [roomId, fromSeq, Math.min(toSeq, MAX_SEQ), limit], { prepare: true },
    );
    return rows.map(messageFromRow);
  }

  async setRestriction(r: RoomRestriction): Promise<void> {
    // INSERT ... SELECT: no row for an unknown room (rooms are never deleted, so no race).
    const rows = await this.sql.unsafe(
      `INSERT INTO room_restrictions (room_id, user_id, kind, until)
       SELECT id, $2::int8, $3::text, $4::int8 FROM rooms WHERE id = $1
       ON CONFLICT (room_id, user_id, kind) DO UPDATE SET until = excluded.until
       RETURNING 1`,
      [r.roomId, r.userId, r.kind, r.until], { prepare: true },
    );
    if (rows.length === 0) throw new RoomUnavailableError(r.roomId, 'missing');
  }

  async clearRestriction(roomId: RoomId, userId: UserId, kind: RestrictionKind): Promise<void> {
    await this.sql.unsafe('DELETE FROM room_restrictions WHERE room_id = $1 AND user_id = $2 AND kind = $3', [roomId, userId, kind], { prepare: true });
  }

  async restrictions(roomId: RoomId, now: number): Promise<RoomRestriction[]> {
    const rows = await this.sql.unsafe<RestrictionRow[]>(
      `SELECT room_id, user_id, kind, until FROM room_restrictions
       WHERE room_id = $1 AND (until = 0 OR until > $2) ORDER BY user_id, kind`,
      [roomId, now], { prepare: true },
    );
    return rows.map((r) => ({ roomId: r.room_id, userId: r.user_id, kind: r.kind, until: r.until }));
  }
}
