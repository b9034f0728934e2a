import { Errors, Limits, XinboxError } from '@xinbox/protocol';
import type { ConversationStore } from '../ports/conversation-store.js';
import type { IdentityStore } from '../ports/identity-store.js';
import type { Outbox } from '../ports/outbox.js';
import type { Presence } from '../ports/presence.js';
import type { Platform, UserId, UserPresence } from '../model.js';
import type { PermissionChecks } from '../social/permission-checks.js';

/**
 * Device presence: online on authentication, offline on disconnect or
 * heartbeat timeout (no pseudo-online), refreshed while heartbeats arrive.
 * Contacts (users sharing a conversation) may query and watch each other.
 */
export class PresenceService {
  constructor(
    private readonly presence: Presence,
    private readonly conversations: ConversationStore,
    private readonly identity: IdentityStore,
    private readonly outbox: Outbox,
    private readonly nodeId: string,
    private readonly clock: () => number = Date.now,
    private readonly relations?: PermissionChecks,
  ) {}

  async connected(userId: UserId, deviceId: string, platform: Platform): Promise<void> {
    const now = this.clock();
    await this.presence.online(userId, deviceId, platform, this.nodeId, now);
    await this.announce(userId);
  }

  async disconnected(userId: UserId, deviceId: string): Promise<void> {
    const now = this.clock();
    await this.presence.offline(userId, deviceId, this.nodeId, now);
    await this.identity.touchDevice(userId, deviceId, now);
    await this.announce(userId);
  }

  refresh(userId: UserId, deviceId: string): Promise<void> {
    return this.presence.refresh(userId, deviceId, this.nodeId, this.clock());
  }

  /** Presence of contacts; ids the caller shares no conversation with are refused. */
  async query(callerId: UserId, userIds: readonly UserId[]): Promise<UserPresence[]> {
    await this.requireContacts(callerId, userIds);
    return this.presence.query(userIds, this.clock());
  }

  async requireContacts(callerId: UserId, userIds: readonly UserId[]): Promise<void> {
    if (userIds.length > Limits.maxIdsPerRequest) throw new XinboxError(Errors.LIST_TOO_LARGE);
    for (const u of userIds) {
      if (u === callerId) continue;
      if (this.relations) {
        // Blocks and the user's "presence to" setting first; friends need no shared conversation.
        await this.relations.checkPresence(callerId, u);
        if (await this.relations.areFriends(callerId, u)) continue;
      }
      if (!(await this.conversations.shareConversation(callerId, u))) {
        throw new XinboxError(Errors.PERMISSION_DENIED, `user ${u} is not a contact`);
      }
    }
  }

  private async announce(userId: UserId): Promise<void> {
    const [p] = await this.presence.query([userId], this.clock());
    if (p) this.outbox.presenceChanged(p);
  }
}
