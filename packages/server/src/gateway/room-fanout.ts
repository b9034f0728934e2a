import type { RoomId } from '../core/ports/room-store.js';
import type { AudienceCounter, AudienceShare, OutboundRoomMessage, RoomNotice } from '../core/rooms/room-broadcaster.js';
import type { Connection } from './connection.js';
import { Limits, RoomEventSchema, create, encodeFrame, encodeRoomPushFrames, withLengthPrefix } from '@xinbox/protocol';
import type { UserId } from '../core/model.js';
import { PeerAudiences } from './room-peer-audiences.js';
import { clientRoomId } from '../core/rooms/room-id.js';

export interface RoomFanoutOptions {
  /** Delay between retransmissions of an unacknowledged reliable message. */
  readonly retryMs: number;
  /** Retransmissions per reliable message (0 = none). */
  readonly retries: number;
  /** Reliable messages per room remembered for retransmission. */
  readonly window: number;
  /**
   * Connection-frames per second one room may cost this gateway (0 = no
   * limit): a room with L local members is pushed at most every L / budget
   * seconds, and what arrives in between shares the next frame.
   */
  readonly pushBudgetPerSec?: number;
  /** Largest RoomPush frame (body bytes) a client accepts; a bigger batch leaves as several frames. Default Limits.maxFrameBytes. */
  readonly maxFrameBytes?: number;
}

interface Member {
  /** Highest reliable seq this connection acknowledged or is not owed (cumulative). */
  acked: number;
}

interface RecentReliable {
  readonly seq: number;
  readonly bytes: Uint8Array;
  tries: number;
  dueAt: number;
}

interface LocalRoom {
  readonly members: Map<Connection, Member>;
  /** Messages that arrived this event-loop turn, sent as one frame at its end. */
  pending: Uint8Array[];
  pendingReliable: Array<{ seq: number; bytes: Uint8Array }>;
  /** Reliable messages still being retransmitted, ascending seq. */
  recent: RecentReliable[];
  /** When this room last left as a frame (clock ms), and the timer of an open merge window. */
  flushedAt: number;
  mergeTimer: NodeJS.Timeout | null;
}

/** What another gateway's room service did, as this gateway's RoomService must follow it (cluster). */
export interface PeerRoomListener {
  /** A reliable message up to `seq` was stored. */
  reliable(roomId: RoomId, seq: number): void;
  notice(roomId: RoomId, notice: RoomNotice): void;
}

export interface RoomFanoutStats {
  /** RoomPush frames encoded (one per room per batch, whatever the audience). */
  readonly framesEncoded: number;
  /** Frames put on connection queues. */
  readonly framesQueued: number;
  readonly retransmissions: number;
  /** Retransmission sweeps skipped because this gateway's event loop was behind (overload). */
  readonly retransmitSweepsSkipped: number;
}

/**
 * This gateway's room audience: an index room -> connections, keyed by room
 * key (room-id.ts: the client's id qualified by its app; opaque here), and
 * delivery to it. Everything a room receives within one event-loop turn leaves as ONE
 * RoomPush frame, encoded once and queued on every local connection of the
 * room, so a connection costs one queue push per batch (its own flush then
 * writes it with whatever else it has). No lookups outside this process.
 *
 * A large room is also paced (pushBudgetPerSec): writing one frame to each
 * of L sockets costs the gateway L socket writes, whatever the frame holds,
 * so at high message rates a room of 19k local members would take the whole
 * core in writes. Pacing caps that at `budget` writes/s per room: the first
 * message after a quiet spell still leaves at the end of its turn; messages
 * arriving faster than every L / budget seconds wait (at most that long) and
 * leave together in one frame.
 *
 * Reliable messages are remembered per room (not per connection) for
 * retransmission: each connection keeps only its cumulative ack, and every
 * retryMs a connection behind the newest due message gets the due messages
 * above its ack in one frame, shared by all connections at the same ack.
 * Connections with unsent bytes are skipped: the original is still queued
 * for them, and under overload resends to every lagging member would feed
 * the overload (if such a connection drops, RoomJoin{afterSeq} catches up).
 * For the same reason a whole sweep is skipped when its timer fires an
 * interval late: the gateway itself is behind (W4 at 57k viewers measured
 * 800k resends, half of all frames, from acks the gateway had not read yet).
 */
export class RoomFanout implements AudienceCounter {
  private readonly rooms = new Map<RoomId, LocalRoom>();
  private readonly byConnection = new Map<Connection, Set<RoomId>>();
  private readonly dirty = new Set<RoomId>();
  private scheduled = false;
  private readonly retryTimer: NodeJS.Timeout | null;
  private readonly counters = { framesEncoded: 0, framesQueued: 0, retransmissions: 0 };
  private sweepsSkipped = 0;
  private readonly peers = new PeerAudiences();
  private peerListener: PeerRoomListener | null = null;

  constructor(private readonly opts: RoomFanoutOptions, private readonly clock: () => number = Date.now) {
    const sweepMs = Math.max(20, Math.floor(opts.retryMs / 4));
    let expected = performance.now() + sweepMs;
    this.retryTimer = opts.retries > 0 ? setInterval(() => {
      const late = performance.now() - expected;
      expected = performance.now() + sweepMs;
      // A sweep that fires a whole interval late means this gateway is behind: its acks are still unread and
      // its originals maybe unwritten, so resending now would only add to the overload. The next sweep retries.
      if (late <= sweepMs) this.retransmit(this.clock());
      else this.sweepsSkipped++;
    }, sweepMs) : null;
    this.retryTimer?.unref();
  }

  /** Add a connection to a room (again: keeps it, raising its ack). `acked`: the reliable seq it already has. */
  join(conn: Connection, roomId: RoomId, acked: number): void {
    if (conn.state === 'closed') return;
    let room = this.rooms.get(roomId);
    if (!room) this.rooms.set(roomId, (room = { members: new Map(), pending: [], pendingReliable: [], recent: [], flushedAt: -Infinity, mergeTimer: null }));
    const member = room.members.get(conn);
    if (member) member.acked = Math.max(member.acked, acked);
    else room.members.set(conn, { acked });
    let joined = this.byConnection.get(conn);
    if (!joined) this.byConnection.set(conn, (joined = new Set()));
    joined.add(roomId);
  }

  /** Cumulative ack (RoomPushAck): the connection has every reliable message up to seq. */
  acknowledge(conn: Connection, roomId: RoomId, seq: number): void {
    const member = this.rooms.get(roomId)?.members.get(conn);
    if (member && seq > member.acked) member.acked = seq;
  }

  isJoined(conn: Connection, roomId: RoomId): boolean {
    return this.rooms.get(roomId)?.members.has(conn) ?? false;
  }

  leave(conn: Connection, roomId: RoomId): boolean {
    const room = this.rooms.get(roomId);
    if (!room || !room.members.delete(conn)) return false;
    const joined = this.byConnection.get(conn);
    joined?.delete(roomId);
    if (joined?.size === 0) this.byConnection.delete(conn);
    if (room.members.size === 0) {
      // Nobody left to deliver to or retransmit for.
      this.rooms.delete(roomId);
      this.dirty.delete(roomId);
      if (room.mergeTimer) clearTimeout(room.mergeTimer);
    }
    return true;
  }

  /** The connection is gone: remove it from every room. */
  removeConnection(conn: Connection): void {
    const joined = this.byConnection.get(conn);
    if (!joined) return;
    for (const roomId of [...joined]) this.leave(conn, roomId);
    this.byConnection.delete(conn);
  }

  /**
   * Rooms with viewers on this gateway (the admin console's live rooms):
   * local viewer count, the whole audience (with other gateways' reports),
   * and up to `viewersShown` local viewers' user ids. At most `limit` rooms,
   * the largest first.
   */
  liveRooms(limit: number, viewersShown: number): Array<{ roomId: RoomId; localViewers: number; audience: number; viewerIds: number[] }> {
    const list = [...this.rooms.entries()].filter(([, r]) => r.members.size > 0)
      .sort((a, b) => b[1].members.size - a[1].members.size).slice(0, limit);
    return list.map(([roomId, r]) => {
      const viewerIds = new Set<number>();
      for (const conn of r.members.keys()) {
        if (viewerIds.size >= viewersShown) break;
        viewerIds.add(conn.userId);
      }
      return { roomId, localViewers: r.members.size, audience: this.audience(roomId), viewerIds: [...viewerIds] };
    });
  }

  /** The whole room: local connections plus what the other gateways last reported (cluster). */
  audience(roomId: RoomId): number {
    return (this.rooms.get(roomId)?.members.size ?? 0) + this.peers.audience(roomId, this.clock());
  }

  /** Another gateway's audience counts (cluster; the ClusterLink feeds them). */
  peerAudience(nodeId: string, share: AudienceShare): void {
    this.peers.update(nodeId, share, this.clock());
  }

  /** Who hears of other gateways' batches and notices first: the local RoomService, so its cached rooms follow them. */
  onPeer(listener: PeerRoomListener): void {
    this.peerListener = listener;
  }

  /**
   * A batch another gateway's room service published (cluster). The
   * listener learns its reliable seqs before any local join can read the
   * room, so RoomJoined.lastSeq covers every seq that is not still on its way.
   */
  peerMessages(roomId: RoomId, messages: readonly OutboundRoomMessage[]): void {
    let newest = 0;
    for (const m of messages) if (m.seq > newest) newest = m.seq;
    if (newest > 0) this.peerListener?.reliable(roomId, newest);
    this.messages(roomId, messages);
  }

  /**
   * A notice another gateway's room service published (cluster). The
   * listener sees it before the local members do, so a user told 'muted' or
   * 'kicked' is already refused by this gateway.
   */
  peerNotice(roomId: RoomId, notice: RoomNotice): void {
    // Audience counts travel as shares (peerAudience); every gateway announces totals itself.
    if (notice.kind === 'audience') return;
    this.peerListener?.notice(roomId, notice);
    this.notice(roomId, notice);
  }

  /** Rooms with local connections, with the local count. */
  *audiences(): Iterable<readonly [RoomId, number]> {
    for (const [roomId, room] of this.rooms) yield [roomId, room.members.size];
  }

  get connectionCount(): number {
    return this.byConnection.size;
  }

  stats(): RoomFanoutStats {
    return { ...this.counters, retransmitSweepsSkipped: this.sweepsSkipped };
  }

  /** A batch for a room: joins this turn's frame for it. */
  messages(roomId: RoomId, messages: readonly OutboundRoomMessage[]): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    for (const m of messages) {
      room.pending.push(m.bytes);
      if (m.seq > 0) room.pendingReliable.push(m);
    }
    if (room.mergeTimer) return; // a merge window is open: these leave with it
    const wait = room.flushedAt + this.pushIntervalMs(room) - this.clock();
    if (wait > 0) {
      room.mergeTimer = setTimeout(() => {
        room.mergeTimer = null;
        this.flushRoom(roomId, room);
      }, Math.ceil(wait));
      return;
    }
    this.dirty.add(roomId);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushAll);
    }
  }

  /** Shortest time between two frames of this room here (pacing); 0 when unpaced. */
  private pushIntervalMs(room: LocalRoom): number {
    const budget = this.opts.pushBudgetPerSec ?? 0;
    return budget > 0 ? (room.members.size * 1000) / budget : 0;
  }

  notice(roomId: RoomId, notice: RoomNotice): void {
    const room = this.rooms.get(roomId);
    if (!room) return;
    // Messages that came before the notice go out before it.
    this.flushRoom(roomId, room);
    switch (notice.kind) {
      case 'audience':
        return this.toAll(room, encodeRoomEventFrame(roomId, 'audience', notice.audience, 0));
      case 'pinned':
        // The pinned message itself arrived just before, as a reliable message; RoomJoin returns it too.
        return this.toAll(room, encodeRoomEventFrame(roomId, 'pinned', 0, 0));
      case 'closed': {
        this.toAll(room, encodeRoomEventFrame(roomId, 'closed', 0, 0));
        for (const conn of [...room.members.keys()]) this.leave(conn, roomId);
        return;
      }
      default: {
        const frame = encodeRoomEventFrame(roomId, notice.kind, 0, notice.userId);
        for (const conn of [...room.members.keys()]) {
          if (conn.userId !== notice.userId) continue;
          conn.enqueue(frame);
          this.counters.framesQueued++;
          if (notice.kind === 'kicked') this.leave(conn, roomId);
        }
      }
    }
  }

  /** Reliable messages for one connection only (catch-up after RoomJoin{afterSeq}). */
  sendTo(conn: Connection, roomId: RoomId, messages: readonly OutboundRoomMessage[]): void {
    if (messages.length === 0 || !this.isJoined(conn, roomId)) return;
    for (const frame of this.pushFrames(messages.map((m) => m.bytes))) {
      conn.enqueue(frame);
      this.counters.framesQueued++;
    }
  }

  /** RoomPush frames for encoded messages, split at the client's frame limit. */
  private pushFrames(messages: readonly Uint8Array[]): Uint8Array[] {
    const frames = encodeRoomPushFrames(messages, this.opts.maxFrameBytes ?? Limits.maxFrameBytes);
    this.counters.framesEncoded += frames.length;
    return frames;
  }

  /** Resend due reliable messages to connections that have not acked them. */
  retransmit(now: number): void {
    for (const room of this.rooms.values()) {
      if (room.recent.length === 0) continue;
      const due: RecentReliable[] = [];
      for (const r of room.recent) {
        if (r.dueAt > now || r.tries >= this.opts.retries) continue;
        r.tries++;
        r.dueAt = now + this.opts.retryMs;
        due.push(r);
      }
      room.recent = room.recent.filter((r) => r.tries < this.opts.retries);
      if (due.length === 0) continue;
      const newest = due[due.length - 1]!.seq;
      // Connections at the same ack get the same bytes: frames by first due index.
      const frames = new Map<number, Uint8Array[]>();
      for (const [conn, member] of room.members) {
        // A connection with a backlog has not been able to read the original yet: resending would only add to it.
        if (member.acked >= newest || conn.state !== 'open' || conn.backlogBytes > 0) continue;
        let from = 0;
        while (due[from]!.seq <= member.acked) from++;
        let list = frames.get(from);
        if (!list) frames.set(from, (list = this.pushFrames(due.slice(from).map((r) => r.bytes))));
        for (const frame of list) conn.enqueue(frame);
        this.counters.framesQueued += list.length;
        this.counters.retransmissions++;
      }
    }
  }

  stop(): void {
    if (this.retryTimer) clearInterval(this.retryTimer);
    for (const room of this.rooms.values()) if (room.mergeTimer) clearTimeout(room.mergeTimer);
  }

  private readonly flushAll = (): void => {
    this.scheduled = false;
    const rooms = [...this.dirty];
    this.dirty.clear();
    for (const roomId of rooms) {
      const room = this.rooms.get(roomId);
      if (room) this.flushRoom(roomId, room);
    }
  };

  private flushRoom(roomId: RoomId, room: LocalRoom): void {
    if (room.pending.length === 0) return;
    if (room.mergeTimer) {
      clearTimeout(room.mergeTimer);
      room.mergeTimer = null;
    }
    room.flushedAt = this.clock();
    const frames = this.pushFrames(room.pending);
    const reliable = room.pendingReliable;
    room.pending = [];
    room.pendingReliable = [];
    this.dirty.delete(roomId);
    for (const frame of frames) this.toAll(room, frame);
    if (reliable.length > 0 && this.opts.retries > 0) {
      const dueAt = this.clock() + this.opts.retryMs;
      let ordered = true;
      for (const m of reliable) {
        const last = room.recent[room.recent.length - 1];
        if (last && last.seq > m.seq) ordered = false;
        room.recent.push({ seq: m.seq, bytes: m.bytes, tries: 0, dueAt });
      }
      // Batches from several logic nodes (cluster) may interleave; keep seq order.
      if (!ordered) room.recent.sort((a, b) => a.seq - b.seq);
      if (room.recent.length > this.opts.window) room.recent.splice(0, room.recent.length - this.opts.window);
    }
  }

  private toAll(room: LocalRoom, frame: Uint8Array): void {
    let closed: Connection[] | undefined;
    for (const conn of room.members.keys()) {
      // A connection whose close hook has not run yet is skipped and dropped here.
      if (conn.state === 'closed') (closed ??= []).push(conn);
      else {
        conn.enqueue(frame);
        this.counters.framesQueued++;
      }
    }
    if (closed) for (const c of closed) this.removeConnection(c);
  }
}

/**
 * Length-prefixed Frame{room_event} (rare: generic encoder), once per room for all its viewers. `roomId` is the
 * room's key; the frame carries the client's id (every viewer of a room is of its app).
 */
function encodeRoomEventFrame(roomId: RoomId, kind: string, audience: number, userId: UserId): Uint8Array {
  return withLengthPrefix(encodeFrame({ body: { case: 'roomEvent', value: create(RoomEventSchema, { roomId: clientRoomId(roomId), kind, audience, userId: String(userId) }) } }));
}
