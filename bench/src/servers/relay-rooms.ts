import {
  Errors, Limits, RoomAdminAction, RoomMessageClass, RoomMessageSchema, create, encodeRoomPushFrames, fromBinary, toBinary,
  type ErrorSpec, type Frame, type FrameInit, type RoomMessage,
} from '@xinbox/protocol';
import type { RoomLink } from './relay-link.js';

/**
 * Rooms for the baseline relays (W4), with no IM logic: no storage, no
 * per-user or per-room rate limits, no thinning, no retransmission (acks are
 * ignored). RoomAdmin CREATE makes a room, RoomJoin adds the socket, and a
 * RoomSend is broadcast to every joined socket (the sender included, as in
 * Xinbox). How it is written is the relay's delivery mode:
 *  - 'batched' (ceiling): a room's messages are collected for one tick (the
 *    same 50 ms as Xinbox's default) and leave as one RoomPush frame, encoded
 *    once, queued on every socket (whose queue is one joined ws.send per
 *    event-loop turn);
 *  - 'direct' (naive): every message is its own RoomPush, sent to every
 *    socket at once with one ws.send each.
 *
 * Several relays (W4 with --gateways N) share rooms through a RoomLink
 * (relay-link.ts): relay 0 numbers every message and sends it to the others,
 * which then deliver it like a local one. Linked relays create a room on its
 * first join (the CREATE went to one relay only); a reliable send answered by
 * a relay that is not relay 0 carries seq 0 in its SendAck (relay 0 numbers
 * it afterwards).
 */

export interface RoomPeer {
  userId: string;
}

export interface RelayRoomIo<P extends RoomPeer> {
  readonly delivery: 'batched' | 'direct';
  write(p: P, bytes: Uint8Array): void;
  reply(p: P, init: FrameInit): void;
  fail(p: P, id: number, e: ErrorSpec): void;
  nextMessageId(): string;
  /** Set when several relays share rooms. */
  readonly link?: RoomLink;
  /** Room pacing (socket writes/s per room); default RELAY_ROOM_PUSH_BUDGET_PER_SEC, 0 = unpaced. */
  readonly pushBudgetPerSec?: number;
}

export interface RelayRoomStats {
  ordinaryAccepted: number;
  /** Always 0: the baselines never thin. Same key as Xinbox's /v1/metrics rooms. */
  ordinaryDropped: number;
  reliableStored: number;
  framesEncoded: number;
  framesQueued: number;
}

interface Room<P> {
  readonly id: string;
  readonly members: Set<P>;
  seq: number;
  pending: Uint8Array[];
  timer: NodeJS.Timeout | undefined;
  /** When the last batch left (ms), for pacing. */
  tickedAt: number;
}

export const RELAY_ROOM_TICK_MS = 50;
/**
 * Xinbox's default room pacing (XINBOX_ROOM_PUSH_BUDGET): a room with L
 * members on a process gets at most one frame every L / budget seconds there.
 * The ceiling paces the same way so that both write the same number of
 * frames; a test keeps the two defaults equal.
 */
export const RELAY_ROOM_PUSH_BUDGET_PER_SEC = 100_000;

export class RelayRooms<P extends RoomPeer> {
  private readonly rooms = new Map<string, Room<P>>();
  private readonly joined = new Map<P, Set<Room<P>>>();
  readonly stats: RelayRoomStats = { ordinaryAccepted: 0, ordinaryDropped: 0, reliableStored: 0, framesEncoded: 0, framesQueued: 0 };

  constructor(private readonly io: RelayRoomIo<P>) {}

  /** Handles the room frames; false for any other frame. */
  handle(p: P, f: Frame): boolean {
    const { id, body } = f;
    switch (body.case) {
      case 'roomAdmin': {
        if (body.value.action !== RoomAdminAction.CREATE) this.io.fail(p, id, Errors.UNKNOWN_OPERATION);
        else {
          this.room(body.value.roomId);
          this.io.reply(p, { id, body: { case: 'ok', value: {} } });
        }
        return true;
      }
      case 'roomJoin': {
        const room = this.io.link ? this.room(body.value.roomId) : this.rooms.get(body.value.roomId);
        if (!room) this.io.fail(p, id, Errors.ROOM_NOT_FOUND);
        else {
          room.members.add(p);
          let set = this.joined.get(p);
          if (!set) this.joined.set(p, (set = new Set()));
          set.add(room);
          this.io.reply(p, { id, body: { case: 'roomJoined', value: { roomId: room.id, audience: room.members.size, lastSeq: room.seq } } });
        }
        return true;
      }
      case 'roomLeave': {
        const room = this.rooms.get(body.value.roomId);
        if (room) this.leave(p, room);
        this.io.reply(p, { id, body: { case: 'ok', value: {} } });
        return true;
      }
      case 'roomSend': {
        const room = this.rooms.get(body.value.roomId);
        if (!room) this.io.fail(p, id, Errors.ROOM_NOT_FOUND);
        else if (!room.members.has(p)) this.io.fail(p, id, Errors.NOT_IN_ROOM);
        else this.send(p, id, room, body.value.class === RoomMessageClass.RELIABLE, body.value);
        return true;
      }
      case 'roomPushAck':
        return true;
      default:
        return false;
    }
  }

  removePeer(p: P): void {
    for (const room of this.joined.get(p) ?? []) room.members.delete(p);
    this.joined.delete(p);
  }

  private leave(p: P, room: Room<P>): void {
    room.members.delete(p);
    this.joined.get(p)?.delete(room);
  }

  /** Owner side of the link: a message another relay's sender sent, to number and deliver everywhere. */
  numberLinked(bytes: Uint8Array): void {
    const m = fromBinary(RoomMessageSchema, bytes);
    this.number(this.room(m.roomId), m);
  }

  /** A message numbered by the owner relay, to deliver to this relay's members. */
  deliverLinked(bytes: Uint8Array): void {
    const m = fromBinary(RoomMessageSchema, bytes);
    const room = this.rooms.get(m.roomId);
    if (!room) return;
    if (m.seq > room.seq) room.seq = m.seq; // what RoomJoined reports as lastSeq here
    this.publish(room, bytes);
  }

  private room(roomId: string): Room<P> {
    let room = this.rooms.get(roomId);
    if (!room) this.rooms.set(roomId, (room = { id: roomId, members: new Set(), seq: 0, pending: [], timer: undefined, tickedAt: -Infinity }));
    return room;
  }

  private send(p: P, id: number, room: Room<P>, reliable: boolean, v: Extract<Frame['body'], { case: 'roomSend' }>['value']): void {
    const draft = create(RoomMessageSchema, {
      roomId: room.id, senderId: p.userId, class: reliable ? RoomMessageClass.RELIABLE : RoomMessageClass.ORDINARY,
      serverTime: Date.now(), content: v.content,
    });
    const link = this.io.link;
    const numbered = link && !link.owner ? undefined : this.number(room, draft);
    if (reliable) {
      this.stats.reliableStored++;
      const value = { messageId: numbered?.id ?? this.io.nextMessageId(), conversationId: '0', seq: numbered?.seq ?? 0, serverTime: draft.serverTime, clientMsgId: v.clientMsgId };
      this.io.reply(p, { id, body: { case: 'sendAck', value } });
    } else {
      this.stats.ordinaryAccepted++;
      this.io.reply(p, { id, body: { case: 'ok', value: {} } });
    }
    if (!numbered) link!.toOwner(toBinary(RoomMessageSchema, draft));
  }

  /** Gives the message its id (and seq when reliable), delivers it here and, on the owner relay, to the linked relays. */
  private number(room: Room<P>, m: RoomMessage): RoomMessage {
    m.id = this.io.nextMessageId();
    m.seq = m.class === RoomMessageClass.RELIABLE ? ++room.seq : 0;
    const bytes = toBinary(RoomMessageSchema, m);
    this.io.link?.toRelays(bytes);
    this.publish(room, bytes);
    return m;
  }

  private publish(room: Room<P>, bytes: Uint8Array): void {
    if (this.io.delivery === 'direct') {
      this.broadcast(room, [bytes]);
      return;
    }
    room.pending.push(bytes);
    if (room.timer) return;
    const budget = this.io.pushBudgetPerSec ?? RELAY_ROOM_PUSH_BUDGET_PER_SEC;
    const paced = budget > 0 ? room.tickedAt + (room.members.size * 1000) / budget - Date.now() : 0;
    room.timer = setTimeout(() => this.tick(room), Math.max(RELAY_ROOM_TICK_MS, Math.ceil(paced)));
  }

  private tick(room: Room<P>): void {
    room.timer = undefined;
    room.tickedAt = Date.now();
    const batch = room.pending;
    room.pending = [];
    this.broadcast(room, batch);
  }

  private broadcast(room: Room<P>, messages: readonly Uint8Array[]): void {
    if (messages.length === 0) return;
    const frames = encodeRoomPushFrames(messages, Limits.maxFrameBytes);
    this.stats.framesEncoded += frames.length;
    for (const member of room.members) {
      for (const frame of frames) this.io.write(member, frame);
      this.stats.framesQueued += frames.length;
    }
  }
}
