import type { AppLinks } from '../identity/user-apps.js';
import { Errors, Limits, XinboxError, encodeRoomMessage } from '@xinbox/protocol';
import type { Logger } from '../../logger.js';
import type { Caller } from '../messaging/send-types.js';
import type { UserId } from '../model.js';
import { noPlatformEvents, type PlatformEvents } from '../ports/platform-events.js';
import {
  RoomUnavailableError,
  type RestrictionKind, type RoomId, type RoomRecord, type RoomStore, type StoredRoomMessage,
} from '../ports/room-store.js';
import type { RoomBroadcaster, RoomNotice } from './room-broadcaster.js';
import { RoomDirectory, type RoomState } from './room-directory.js';
import type { RoomOptions } from './room-options.js';
import { clientRoomId } from './room-id.js';
import { RoomTickBuffer } from './room-tick-buffer.js';
import { encodeWireRoomMessage } from './room-wire.js';
import { KeyedRateLimiter } from './token-bucket.js';
import { fitPage } from '../paging/reply-budget.js';

export interface RoomSendRequest {
  /** The room's key (room-id.ts roomKey): the client's id qualified by its app. */
  readonly roomId: RoomId;
  readonly reliable: boolean;
  /** Encoded, validated xinbox.v1.Content. */
  readonly content: Uint8Array;
  readonly clientMsgId: string;
  /** Whether the sending connection has joined the room (the gateway knows). */
  readonly joined: boolean;
}

/** The ack of a reliable send; ordinary sends have none. */
export interface RoomSendAck {
  readonly messageId: string;
  readonly seq: number;
  readonly serverTime: number;
  readonly clientMsgId: string;
  /** The send repeated a stored clientMsgId: nothing new was stored or pushed. */
  readonly duplicate: boolean;
}

export type RoomAdminRequest =
  | { readonly action: 'create' }
  | { readonly action: 'close' }
  | { readonly action: 'mute' | 'kick'; readonly userId: UserId; readonly until: number }
  | { readonly action: 'unmute'; readonly userId: UserId }
  /** Pin a notice (content), or clear the pin (null). */
  | { readonly action: 'pin'; readonly content: Uint8Array | null };

/** What a joining connection needs: the room, its pin, and reliable messages after its afterSeq. */
export interface RoomSnapshot {
  readonly lastSeq: number;
  readonly pinned: StoredRoomMessage | null;
  readonly missed: readonly StoredRoomMessage[];
  /** More missed messages exist than returned; the client continues with RoomPull. */
  readonly hasMore: boolean;
}

export interface RoomStats {
  readonly ordinaryAccepted: number;
  /** Ordinary messages dropped by the per-room cap (thinning). */
  readonly ordinaryDropped: number;
  readonly reliableStored: number;
  /** Sends refused by the per-user rate limit. */
  readonly rateLimited: number;
  /** Batches handed to the broadcaster (at most one per room per tick). */
  readonly batchesPublished: number;
}

export interface RoomServiceDeps {
  readonly store: RoomStore;
  readonly broadcaster: RoomBroadcaster;
  readonly ids: { next(): string };
  readonly options: RoomOptions;
  readonly clock?: () => number;
  readonly log?: Logger;
  readonly events?: PlatformEvents;
  /** Account-wide restrictions (a moderator's mute or ban, issue #15): refuses the send with their catalogued code. */
  readonly senderCheck?: (userId: UserId) => Promise<void>;
  /** Users' apps (ADR 0013): a room is its host's app's; joining one of another app is ROOM_NOT_FOUND. */
  readonly apps?: AppLinks | null;
}

const MAX_SEQ = 0xffff_ffff;
const MAINTENANCE_MS = 5_000;

/**
 * Live rooms: creation and host controls, sends and catch-up reads. It keeps
 * no per-member state: who is in a room is known only to the gateways (their
 * local fan-out index), and the service hands every batch to the
 * RoomBroadcaster once.
 *
 * Ordinary messages (danmaku, likes) are never stored. They pass the per-user
 * token bucket, wait at most one tick in the RoomTickBuffer, and leave as one
 * batch per room per tick, thinned newest-first to the room's rate cap.
 * Reliable messages (gifts, red packets, pins) are appended to the store with
 * the room's next seq first, and are never thinned.
 */
export class RoomService {
  private readonly options: RoomOptions;
  private readonly store: RoomStore;
  private readonly broadcaster: RoomBroadcaster;
  private readonly ids: { next(): string };
  private readonly clock: () => number;
  private readonly log: Logger | undefined;
  private readonly events: PlatformEvents;
  private readonly senderCheck: ((userId: UserId) => Promise<void>) | undefined;
  private readonly apps: AppLinks | null;
  private readonly directory: RoomDirectory;
  private readonly limiter: KeyedRateLimiter<UserId>;
  private readonly tick: RoomTickBuffer;
  /** Notices that must follow this tick's batches (a pin follows its message). */
  private afterTick: Array<{ roomId: RoomId; notice: RoomNotice }> = [];
  private tickTimer: NodeJS.Timeout | null = null;
  private readonly maintenanceTimer: NodeJS.Timeout;
  private readonly droppedByRoom = new Map<RoomId, number>();
  private stopped = false;
  private readonly counters = { ordinaryAccepted: 0, ordinaryDropped: 0, reliableStored: 0, rateLimited: 0, batchesPublished: 0 };

  constructor(deps: RoomServiceDeps) {
    this.options = deps.options;
    this.store = deps.store;
    this.broadcaster = deps.broadcaster;
    this.ids = deps.ids;
    this.clock = deps.clock ?? Date.now;
    this.log = deps.log;
    this.events = deps.events ?? noPlatformEvents;
    this.senderCheck = deps.senderCheck;
    this.apps = deps.apps ?? null;
    this.directory = new RoomDirectory(deps.store, this.options.stateCacheMs, this.clock);
    this.limiter = new KeyedRateLimiter(this.options.userSendPerSec, this.options.userSendBurst);
    this.tick = new RoomTickBuffer(this.options.roomOrdinaryPerSec, this.options.tickMs);
    this.maintenanceTimer = setInterval(() => {
      const now = this.clock();
      this.limiter.prune(now);
      this.directory.prune();
    }, MAINTENANCE_MS);
    this.maintenanceTimer.unref();
  }

  /** Create a room; the caller becomes its host. Creating one's own open room again is a no-op. */
  async create(caller: Caller, roomId: RoomId): Promise<RoomRecord> {
    const { room, created } = await this.store.createRoom(roomId, caller.userId, this.clock());
    if (created) {
      this.directory.created(room);
      const id = clientRoomId(roomId);
      this.events.emit('room.created', `room:${id}`, { roomId: id, hostId: String(caller.userId), createdAt: room.createdAt });
      return room;
    }
    if (room.closed) throw new XinboxError(Errors.INVALID_ARGUMENT, `room ${clientRoomId(roomId)} was closed; its id cannot be reused`);
    if (room.hostId !== caller.userId) throw new XinboxError(Errors.PERMISSION_DENIED, `room id ${clientRoomId(roomId)} is taken`);
    return room;
  }

  /** May the caller join? Throws ROOM_NOT_FOUND or ROOM_KICKED. */
  async admit(caller: Caller, roomId: RoomId): Promise<void> {
    const state = await this.openRoom(roomId);
    // Joining links the caller to the room's app: one of another app does not exist for them. Later
    // sends and pulls need the join (or are the host's), so they carry no app check.
    if (this.apps) await this.apps.requireSameApp(caller.userId, state.record.hostId).catch(() => {
      throw new XinboxError(Errors.ROOM_NOT_FOUND);
    });
    this.refuseKicked(state, caller.userId, this.clock());
  }

  /**
   * The room as a connection that just joined must see it. Call it AFTER the
   * connection is in the gateway's index: every reliable message stored
   * before this read is in `missed` or below `lastSeq`, every later one
   * reaches the connection through the broadcaster.
   */
  async snapshot(roomId: RoomId, afterSeq: number): Promise<RoomSnapshot> {
    const state = await this.openRoom(roomId);
    let lastSeq = state.record.lastSeq;
    let missed: StoredRoomMessage[] = [];
    let hasMore = false;
    if (afterSeq > 0) {
      const rows = await this.store.getRange(roomId, afterSeq + 1, MAX_SEQ, Limits.maxPageSize + 1);
      ({ page: missed, hasMore } = fitPage(rows, Limits.maxPageSize, roomMessageWireSize));
      // Another node may have appended since the cache was filled.
      lastSeq = Math.max(lastSeq, rows[rows.length - 1]?.seq ?? 0);
    }
    return { lastSeq, pinned: state.pinned, missed, hasMore };
  }

  async send(caller: Caller, req: RoomSendRequest): Promise<RoomSendAck | null> {
    const now = this.clock();
    const state = await this.openRoom(req.roomId);
    this.refuseKicked(state, caller.userId, now);
    if (!req.joined) throw new XinboxError(Errors.NOT_IN_ROOM);
    const muted = this.directory.restriction(state, caller.userId, 'mute', now);
    if (muted !== undefined) throw new XinboxError(Errors.MUTED, muted === 0 ? 'muted in this room' : `muted in this room until ${new Date(muted).toISOString()}`);
    // Muted everywhere by a moderator (MUTED) or banned (BANNED): rooms too.
    if (this.senderCheck) await this.senderCheck(caller.userId);
    if (!this.limiter.tryTake(caller.userId, now)) {
      this.counters.rateLimited++;
      throw new XinboxError(Errors.RATE_LIMITED, `at most ${this.options.userSendPerSec} room messages per second`);
    }
    if (req.reliable) return this.appendReliable(req.roomId, caller.userId, req.content, req.clientMsgId, now, false);
    // Encoded once for every viewer, with the client's id (all viewers of a room are of its app).
    const bytes = encodeRoomMessage({ roomId: clientRoomId(req.roomId), id: this.ids.next(), senderId: caller.userId, seq: 0, serverTime: now, content: req.content });
    this.counters.ordinaryAccepted++;
    this.enqueue(req.roomId, { seq: 0, bytes });
    return null;
  }

  /** Reliable messages with seq > afterSeq, at most `limit` (0 = the page maximum). */
  async pull(caller: Caller, roomId: RoomId, afterSeq: number, limit: number, joined: boolean): Promise<{ messages: StoredRoomMessage[]; hasMore: boolean }> {
    const state = await this.openRoom(roomId);
    this.refuseKicked(state, caller.userId, this.clock());
    if (!joined) throw new XinboxError(Errors.NOT_IN_ROOM);
    const n = limit > 0 ? Math.min(limit, Limits.maxPageSize) : Limits.maxPageSize;
    const rows = await this.store.getRange(roomId, afterSeq + 1, MAX_SEQ, n + 1);
    const { page, hasMore } = fitPage(rows, n, roomMessageWireSize);
    return { messages: page, hasMore };
  }

  async admin(caller: Caller, roomId: RoomId, req: RoomAdminRequest): Promise<void> {
    if (req.action === 'create') {
      await this.create(caller, roomId);
      return;
    }
    const state = await this.openRoom(roomId);
    if (state.record.hostId !== caller.userId) throw new XinboxError(Errors.PERMISSION_DENIED, 'only the host may do this');
    const now = this.clock();
    switch (req.action) {
      case 'mute':
      case 'kick':
        if (req.userId === caller.userId) throw new XinboxError(Errors.INVALID_ARGUMENT, `the host cannot ${req.action} themselves`);
        if (!Number.isFinite(req.until) || req.until < 0 || (req.until !== 0 && req.until <= now)) {
          throw new XinboxError(Errors.INVALID_ARGUMENT, 'until must be a future time (ms since the epoch) or 0 for the life of the room');
        }
        await this.restrict(roomId, req.userId, req.action, req.until);
        this.publishNotice(roomId, { kind: req.action === 'mute' ? 'muted' : 'kicked', userId: req.userId, until: req.until });
        this.roomEvent(req.action === 'mute' ? 'room.muted' : 'room.kicked', roomId, caller, { userId: String(req.userId), until: req.until });
        return;
      case 'unmute':
        await this.restrict(roomId, req.userId, 'mute', undefined);
        this.publishNotice(roomId, { kind: 'unmuted', userId: req.userId, until: 0 });
        this.roomEvent('room.unmuted', roomId, caller, { userId: String(req.userId) });
        return;
      case 'pin':
        if (req.content) {
          const ack = await this.appendReliable(roomId, caller.userId, req.content, '', now, true);
          this.afterThisTick(roomId, { kind: 'pinned', seq: ack.seq });
        } else {
          if (!(await this.store.setPinned(roomId, 0))) throw new XinboxError(Errors.ROOM_NOT_FOUND);
          this.directory.apply(roomId, (s) => {
            s.record = { ...s.record, pinnedSeq: 0 };
            s.pinned = null;
          });
          this.afterThisTick(roomId, { kind: 'pinned', seq: 0 });
        }
        return;
      case 'close':
        await this.store.closeRoom(roomId);
        this.forgetClosed(roomId);
        this.publishNotice(roomId, { kind: 'closed' });
        this.roomEvent('room.closed', roomId, caller, {});
        return;
    }
  }

  private roomEvent(type: string, roomId: RoomId, caller: Caller, data: Record<string, unknown>): void {
    // Webhooks see the client's id, never the key (its app is the event's app).
    const id = clientRoomId(roomId);
    this.events.emit(type, `room:${id}`, { roomId: id, actorId: String(caller.userId), ...data, time: this.clock() });
  }

  /**
   * Another node stored reliable messages up to `seq` (cluster; its batch
   * just arrived): the cached lastSeq follows, so a join here reports it
   * instead of a value up to stateCacheMs old.
   */
  peerReliable(roomId: RoomId, seq: number): void {
    this.directory.apply(roomId, (s) => {
      if (seq > s.record.lastSeq) s.record = { ...s.record, lastSeq: seq };
    });
  }

  /**
   * A notice another node's room service published after changing a room
   * (cluster): apply it to the cached room state now, before the gateway
   * tells its members, instead of up to stateCacheMs later. A user told
   * 'muted' or 'kicked' is then refused here too, and a closed room can no
   * longer be joined. The change is already in the store.
   */
  peerNotice(roomId: RoomId, notice: RoomNotice): void {
    switch (notice.kind) {
      case 'muted':
      case 'kicked': {
        const kind = notice.kind === 'muted' ? 'mute' : 'kick';
        this.directory.apply(roomId, (s) => RoomDirectory.setRestriction(s, notice.userId, kind, notice.until));
        return;
      }
      case 'unmuted':
        this.directory.apply(roomId, (s) => RoomDirectory.setRestriction(s, notice.userId, 'mute', undefined));
        return;
      case 'closed':
        this.forgetClosed(roomId);
        return;
      case 'pinned':
        // The pinned message is not in the notice: read the room again on next use.
        this.directory.invalidate(roomId);
        return;
      case 'audience':
        return;
    }
  }

  stats(): RoomStats {
    return { ...this.counters };
  }

  /** Ordinary messages dropped by thinning in one room since it was last active. */
  droppedIn(roomId: RoomId): number {
    return this.droppedByRoom.get(roomId) ?? 0;
  }

  /** Stop the timers; messages still waiting for their tick are discarded. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.maintenanceTimer);
    if (this.tickTimer) clearTimeout(this.tickTimer);
    this.tickTimer = null;
  }

  private async appendReliable(roomId: RoomId, senderId: UserId, content: Uint8Array, clientMsgId: string, now: number, pin: boolean): Promise<RoomSendAck> {
    let result: { message: StoredRoomMessage; duplicate: boolean };
    try {
      result = await this.store.append(roomId, { id: this.ids.next(), senderId, clientMsgId, serverTime: now, content }, { pin });
    } catch (e) {
      if (e instanceof RoomUnavailableError) throw new XinboxError(Errors.ROOM_NOT_FOUND);
      throw e;
    }
    const m = result.message;
    if (!result.duplicate) {
      this.counters.reliableStored++;
      this.directory.apply(roomId, (s) => {
        s.record = { ...s.record, lastSeq: Math.max(s.record.lastSeq, m.seq), pinnedSeq: pin ? m.seq : s.record.pinnedSeq };
        if (pin) s.pinned = m;
      });
      this.enqueue(roomId, { seq: m.seq, bytes: encodeWireRoomMessage(m) });
    }
    return { messageId: m.id, seq: m.seq, serverTime: m.serverTime, clientMsgId: m.clientMsgId, duplicate: result.duplicate };
  }

  /** The room is closed: cache it so, and drop what this tick still holds for an audience that is gone. */
  private forgetClosed(roomId: RoomId): void {
    this.directory.apply(roomId, (s) => {
      s.record = { ...s.record, closed: true };
    });
    this.tick.discard(roomId);
    this.afterTick = this.afterTick.filter((n) => n.roomId !== roomId);
    this.droppedByRoom.delete(roomId);
  }

  private async restrict(roomId: RoomId, userId: UserId, kind: RestrictionKind, until: number | undefined): Promise<void> {
    try {
      if (until === undefined) await this.store.clearRestriction(roomId, userId, kind);
      else await this.store.setRestriction({ roomId, userId, kind, until });
    } catch (e) {
      if (e instanceof RoomUnavailableError) throw new XinboxError(Errors.ROOM_NOT_FOUND);
      throw e;
    }
    this.directory.apply(roomId, (s) => RoomDirectory.setRestriction(s, userId, kind, until));
  }

  /** The host of an open room (the server API acts as the host). */
  async hostOf(roomId: RoomId): Promise<UserId> {
    return (await this.openRoom(roomId)).record.hostId;
  }

  private async openRoom(roomId: RoomId): Promise<RoomState> {
    const state = await this.directory.get(roomId);
    if (!state || state.record.closed) throw new XinboxError(Errors.ROOM_NOT_FOUND);
    return state;
  }

  private refuseKicked(state: RoomState, userId: UserId, now: number): void {
    const until = this.directory.restriction(state, userId, 'kick', now);
    if (until !== undefined) {
      throw new XinboxError(Errors.ROOM_KICKED, until === 0 ? 'kicked from this room' : `kicked from this room until ${new Date(until).toISOString()}`);
    }
  }

  private enqueue(roomId: RoomId, message: { seq: number; bytes: Uint8Array }): void {
    this.tick.add(roomId, message);
    this.schedule();
  }

  private afterThisTick(roomId: RoomId, notice: RoomNotice): void {
    this.afterTick.push({ roomId, notice });
    this.schedule();
  }

  private schedule(): void {
    if (this.tickTimer || this.stopped) return;
    this.tickTimer = setTimeout(this.runTick, this.options.tickMs);
  }

  private readonly runTick = (): void => {
    this.tickTimer = null;
    const notices = this.afterTick;
    this.afterTick = [];
    for (const batch of this.tick.drain(this.clock())) {
      if (batch.dropped > 0) {
        this.counters.ordinaryDropped += batch.dropped;
        this.droppedByRoom.set(batch.roomId, (this.droppedByRoom.get(batch.roomId) ?? 0) + batch.dropped);
      }
      if (batch.messages.length === 0) continue;
      this.counters.batchesPublished++;
      try {
        this.broadcaster.messages(batch.roomId, batch.messages);
      } catch (e) {
        this.log?.error(`room broadcast failed for ${batch.roomId}`, e);
      }
    }
    for (const n of notices) this.publishNotice(n.roomId, n.notice);
  };

  private publishNotice(roomId: RoomId, notice: RoomNotice): void {
    try {
      this.broadcaster.notice(roomId, notice);
    } catch (e) {
      this.log?.error(`room notice failed for ${roomId}`, e);
    }
  }
}

/** Upper estimate of a room message's wire size (ids, seq, time and tags around the content). */
function roomMessageWireSize(m: StoredRoomMessage): number {
  return 80 + m.content.length + m.clientMsgId.length;
}
