import { create, encodeFrame, PresenceUpdateSchema, withLengthPrefix } from '@xinbox/protocol';
import type { Outbox, UserPush } from '../core/ports/outbox.js';
import type { ConversationId, UserId, UserPresence } from '../core/model.js';
import type { LocalDeliveryIndex } from '../gateway/ports.js';
import { toWirePresence } from '../core/presence/wire.js';

/**
 * Delivers to connections on this node. In single-node mode it is the whole
 * Outbox; in a cluster it is what a gateway runs for frames the bus brings.
 */
export class LocalOutbox implements Outbox {
  /** Frames handed to local connections (metrics: deliveries). */
  delivered = 0;

  constructor(private readonly sessions: LocalDeliveryIndex, private readonly clock: () => number = Date.now) {}

  toUsers(pushes: readonly UserPush[]): void {
    const now = this.clock();
    for (const p of pushes) {
      for (const c of this.sessions.connectionsOf(p.userId)) {
        if (c.deviceId === p.exceptDeviceId) continue;
        if (p.syncSeq > 0) c.enqueuePush(p.frame, p.syncSeq, now);
        else c.enqueue(p.frame);
        this.delivered++;
      }
    }
  }

  reaches(userId: UserId, exceptDeviceId?: string): boolean {
    for (const c of this.sessions.connectionsOf(userId)) if (c.deviceId !== exceptDeviceId) return true;
    return false;
  }

  toAudience(conversationId: ConversationId, frame: Uint8Array, messageId: string, except?: { userId: UserId; deviceId: string }): void {
    const users = this.sessions.audienceUsers(conversationId);
    if (!users) return;
    const now = this.clock();
    for (const u of users) {
      for (const c of this.sessions.connectionsOf(u)) {
        if (except && u === except.userId && c.deviceId === except.deviceId) continue;
        c.enqueueAudiencePush(frame, messageId, now);
        this.delivered++;
      }
    }
  }

  audienceChanged(conversationId: ConversationId, joined: readonly UserId[], left: readonly UserId[]): void {
    if (joined.length) this.sessions.joinAudience(conversationId, joined);
    if (left.length) this.sessions.leaveAudience(conversationId, left);
  }

  presenceChanged(presence: UserPresence): void {
    const watchers = this.sessions.watchersOf(presence.userId);
    if (!watchers || watchers.size === 0) return;
    const frame = withLengthPrefix(encodeFrame({ body: { case: 'presenceUpdate', value: create(PresenceUpdateSchema, { user: toWirePresence(presence) }) } }));
    for (const c of watchers) c.enqueue(frame);
  }
}
