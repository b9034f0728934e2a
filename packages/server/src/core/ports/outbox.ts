import type { ConversationId, UserId, UserPresence } from '../model.js';

/** One frame for every online device of a user. */
export interface UserPush {
  readonly userId: UserId;
  /** Length-prefixed encoded Frame. */
  readonly frame: Uint8Array;
  /** > 0: a timeline push the device must ack; retransmitted until acked or given up. */
  readonly syncSeq: number;
  /** Skip this device of the user (the device that caused the push). */
  readonly exceptDeviceId?: string;
}

/**
 * Where the core hands frames for connected devices. The single-node
 * implementation writes to local connections; the cluster one looks up routes
 * and sends one bus message per gateway node.
 *
 * Contract:
 * - Frames for one device are handed to its connection in call order.
 * - Delivery is best effort: a device that is offline, or whose gateway is
 *   unreachable, misses the push and recovers by sync.
 * - `toAudience` reaches every connection on every gateway whose user is a
 *   member of the read-fan-out conversation, without per-member lookups here;
 *   each connection keeps the push until the device acks `messageId`
 *   (PushAck.messageIds), retransmitting it like a timeline push.
 */
export interface Outbox {
  toUsers(pushes: readonly UserPush[]): void;
  /**
   * Optional: false when a push to `userId` (skipping its device `exceptDeviceId`) would reach
   * no connection, so the caller may skip building it (a frame per recipient on the send path).
   * Absent (the cluster outbox, whose gateways are elsewhere): every push is handed over.
   */
  reaches?(userId: UserId, exceptDeviceId?: string): boolean;
  toAudience(conversationId: ConversationId, frame: Uint8Array, messageId: string, exceptUserDevice?: { userId: UserId; deviceId: string }): void;
  /** Tell gateways that users joined or left a read-fan-out conversation (audience index). */
  audienceChanged(conversationId: ConversationId, joined: readonly UserId[], left: readonly UserId[]): void;
  /** A user's presence changed; gateways forward it to local watchers. */
  presenceChanged(presence: UserPresence): void;
}
