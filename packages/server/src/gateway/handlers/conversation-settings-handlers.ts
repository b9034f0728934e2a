import { Errors, XinboxError } from '@xinbox/protocol';
import type { ConversationSettingsService, SettingsPatch } from '../../core/settings/conversation-settings-service.js';
import { settingsToWire } from '../../core/settings/conversation-settings.js';
import type { HandlerTable } from './types.js';
import { parseId } from './ids.js';

const FIELDS = new Set(['pinned', 'muted', 'muted_counts_in_badge', 'archived', 'marked_unread', 'draft']);

/** Per-user conversation settings (issue 14 item 2); see docs/protocol.md "Conversation settings". */
export function conversationSettingsHandlers(settings: ConversationSettingsService): HandlerTable {
  return {
    conversationSettingsSet: async ({ caller }, v) => {
      const fields = new Set(v.fields);
      for (const f of fields) if (!FIELDS.has(f)) throw new XinboxError(Errors.CONVERSATION_SETTINGS_INVALID, `unknown field ${JSON.stringify(f).slice(0, 40)}`);
      const patch: SettingsPatch = {
        ...(fields.has('pinned') ? { pinned: v.pinned } : {}),
        ...(fields.has('muted') ? { muted: v.muted } : {}),
        ...(fields.has('muted_counts_in_badge') ? { mutedCountsInBadge: v.mutedCountsInBadge } : {}),
        ...(fields.has('archived') ? { archived: v.archived } : {}),
        ...(fields.has('marked_unread') ? { markedUnread: v.markedUnread } : {}),
        ...(fields.has('draft') ? { draft: { text: v.draft, at: v.draftAt } } : {}),
      };
      const record = await settings.set(caller.userId, parseId(v.conversationId, 'conversationId'), patch);
      return { case: 'conversationSettings', value: settingsToWire(record) };
    },
    messagesHide: async ({ caller }, v) => {
      await settings.hide(caller.userId, parseId(v.conversationId, 'conversationId'), v.seqs);
      return { case: 'ok', value: {} };
    },
  };
}
