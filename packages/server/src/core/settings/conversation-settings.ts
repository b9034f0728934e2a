import { ConversationSettingsSchema, create, type ConversationSettings } from '@xinbox/protocol';
import type { ConversationId, UserId } from '../model.js';
import type { ConversationSettingsRecord } from '../ports/social-store.js';

/** Settings of a conversation the user never changed. */
export function defaultSettings(userId: UserId, conversationId: ConversationId): ConversationSettingsRecord {
  return {
    userId, conversationId, pinnedAt: 0, muted: false, mutedCountsInBadge: false, archived: false, markedUnread: false, draft: '', draftAt: 0, updatedAt: 0,
  };
}

export function settingsToWire(r: ConversationSettingsRecord): ConversationSettings {
  return create(ConversationSettingsSchema, {
    conversationId: String(r.conversationId), pinnedAt: r.pinnedAt, muted: r.muted, mutedCountsInBadge: r.mutedCountsInBadge,
    archived: r.archived, markedUnread: r.markedUnread, draft: r.draft, draftAt: r.draftAt, updatedAt: r.updatedAt,
  });
}

/** Does this conversation's unread count in the user's total badge? */
export function countsInBadge(r: ConversationSettingsRecord | undefined): boolean {
  return !r || !r.muted || r.mutedCountsInBadge;
}
