/**
 * What the routing layer (router/) may use of a gateway: interfaces only.
 * The router delivers to, controls and feeds the gateway through these; the
 * concrete classes (LocalSessions, Gateway, RoomFanout, RequestDispatcher)
 * implement them. A lint rule keeps router/ from importing any other gateway
 * file (eslint.config.js).
 */
import type { CloseSpec, Frame } from '@xinbox/protocol';
import type { Caller } from '../core/messaging/send-types.js';
import type { ConversationId, UserId } from '../core/model.js';
import type { RoomId } from '../core/ports/room-store.js';
import type { AudienceShare, OutboundRoomMessage, RoomNotice } from '../core/rooms/room-broadcaster.js';

/** One authenticated device connection, as a deliverer sees it. */
export interface DeviceConnection {
  readonly deviceId: string;
  /** Queue a length-prefixed frame (best effort). */
  enqueue(frame: Uint8Array): void;
  /** Queue a push the device must acknowledge; retransmitted until acked or given up. */
  enqueuePush(frame: Uint8Array, ackKey: number, now: number): void;
  /** Queue a read-fan-out push the device must acknowledge by message id; retransmitted until acked or given up. */
  enqueueAudiencePush(frame: Uint8Array, messageId: string, now: number): void;
}

/** This gateway's connections indexed for delivery (LocalSessions). */
export interface LocalDeliveryIndex {
  connectionsOf(userId: UserId): readonly DeviceConnection[];
  audienceUsers(conversationId: ConversationId): ReadonlySet<UserId> | undefined;
  joinAudience(conversationId: ConversationId, userIds: readonly UserId[]): void;
  leaveAudience(conversationId: ConversationId, userIds: readonly UserId[]): void;
  watchersOf(userId: UserId): ReadonlySet<DeviceConnection> | undefined;
}

/** Connection control the cluster exercises on a gateway (Gateway). */
export interface GatewayControl {
  closeSessions(sessionIds: readonly string[], code: CloseSpec): void;
  closeDevice(userId: number, deviceId: string, code: CloseSpec): void;
  /** Every connection of a user (a moderator's ban). */
  closeUser(userId: number, code: CloseSpec): void;
}

/** The local room fan-out, as a broadcaster feeds it (RoomFanout). */
export interface RoomLocalSink {
  messages(roomId: RoomId, messages: readonly OutboundRoomMessage[]): void;
  notice(roomId: RoomId, notice: RoomNotice): void;
}

/** What other gateways' room services did, fed to this gateway's fan-out (RoomFanout). */
export interface RoomPeerSink {
  peerMessages(roomId: RoomId, messages: readonly OutboundRoomMessage[]): void;
  peerNotice(roomId: RoomId, notice: RoomNotice): void;
  peerAudience(nodeId: string, share: AudienceShare): void;
}

/** Sends requests this node does not own to the node that does (cluster mode; router's Forwarder). */
export interface RequestForwarder {
  /** Null: handle locally. Otherwise the length-prefixed reply frame. */
  forward(caller: Caller, frame: Frame): Promise<Uint8Array> | null;
  /** The same for an already encoded Send (hot path): the bytes go as they came. */
  forwardSend(caller: Caller, conversationId: number, body: Uint8Array): Promise<Uint8Array> | null;
}

/**
 * Runs one client request frame as an authenticated caller, the same way for
 * a frame read from a local socket and one forwarded by another gateway
 * (RequestDispatcher). Resolves with the length-prefixed reply frame, or null
 * when the request has no reply.
 */
export interface RequestRunner {
  run(caller: Caller, frameBody: Uint8Array): Promise<Uint8Array | null>;
}
