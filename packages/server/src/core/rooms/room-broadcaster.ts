import type { UserId } from '../model.js';
import type { RoomId } from '../ports/room-store.js';

/**
 * One room message ready for delivery: its encoded xinbox.v1.RoomMessage
 * (encoded once, where it was accepted) and its reliable seq (0 = ordinary).
 */
export interface OutboundRoomMessage {
  readonly seq: number;
  readonly bytes: Uint8Array;
}

/** Room-wide state changes: every connection in the room gets a RoomEvent. */
export type RoomWideNotice =
  | { readonly kind: 'audience'; readonly audience: number }
  /** A new pinned notice (it arrives as a reliable message in the same tick) or, with seq 0, no pin. */
  | { readonly kind: 'pinned'; readonly seq: number }
  /** The room is gone; gateways forget it after delivering this. */
  | { readonly kind: 'closed' };

/** A notice for one user's connections in the room ('kicked' also removes them from it). */
export interface RoomUserNotice {
  readonly kind: 'kicked' | 'muted' | 'unmuted';
  readonly userId: UserId;
  readonly until: number;
}

export type RoomNotice = RoomWideNotice | RoomUserNotice;

/**
 * This gateway's part of room audiences, told to the other gateways (cluster)
 * so each can show its members the whole room's count.
 */
export interface AudienceShare {
  /** Connections on this gateway per room; 0: none left here. */
  readonly counts: ReadonlyArray<readonly [RoomId, number]>;
  /** true: `counts` lists every room with an audience here (others have none); false: only changes. */
  readonly full: boolean;
  /** How long the receivers may trust these counts without hearing from this gateway again. */
  readonly ttlMs: number;
}

/**
 * Where the room service hands everything a room's audience must see. The
 * service calls it ONCE per message batch or notice, never per member: the
 * fan-out to connections happens at each gateway, from its local index of
 * which connections are in which room (no per-member lookups above the
 * gateway, seed 002 "scale").
 *
 * - Single node: LocalRoomBroadcaster calls the local fan-out directly.
 * - Cluster: publish on the Bus broadcast topic; every gateway subscribes
 *   and feeds its own fan-out. One bus message per room per tick.
 *
 * Contract:
 * - Batches and notices of one room reach each gateway in call order, and a
 *   gateway delivers them to each local connection in that order.
 * - `messages` carries one tick of a room (already thinned); a gateway sends
 *   it as ONE RoomPush frame, encoded once, to every local connection.
 * - Delivery is best effort (a gateway that is down misses it); reliable
 *   messages are recovered by retransmission, RoomPull and RoomJoin{afterSeq}.
 * - Calls never throw back into the service and never block it.
 */
export interface RoomBroadcaster {
  messages(roomId: RoomId, messages: readonly OutboundRoomMessage[]): void;
  notice(roomId: RoomId, notice: RoomNotice): void;
  /**
   * This gateway's audience counts, for the other gateways only (the
   * AudienceReporter announces totals to local members itself). A single
   * node has nobody to tell.
   */
  shareAudience(share: AudienceShare): void;
}

/** Audience counts (RoomJoined.audience, 'audience' events). */
export interface AudienceCounter {
  /** The whole room: connections on this gateway plus, in a cluster, what the other gateways last reported. */
  audience(roomId: RoomId): number;
  /** Every room with at least one connection on this gateway, with that local count. */
  audiences(): Iterable<readonly [RoomId, number]>;
}
