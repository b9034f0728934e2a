import { ContentSchema, fromBinary } from '@xinbox/protocol';
import { toJson } from '@bufbuild/protobuf';
import type { ConversationKind, StoredMessage } from '../../core/model.js';
import type { PlatformEvents } from '../../core/ports/platform-events.js';

/** The message as webhooks show it: ids as strings, content as protobuf JSON (docs/integration.md). */
export function messageJson(m: StoredMessage, kind: ConversationKind): Record<string, unknown> {
  return {
    messageId: m.id,
    conversationId: String(m.conversationId),
    conversationKind: kind,
    seq: m.seq,
    senderId: String(m.senderId),
    clientMsgId: m.clientMsgId,
    serverTime: m.serverTime,
    content: contentJson(m.content),
    mentions: m.mentions.map(String),
    mentionAll: m.mentionAll,
    visibleTo: m.visibleTo.map(String),
  };
}

export function contentJson(bytes: Uint8Array): unknown {
  return toJson(ContentSchema, fromBinary(ContentSchema, bytes));
}

/**
 * After commit: every message becomes `message.sent`; a group's system
 * notice (created, members added, dissolved...) also becomes
 * `group.<kind>` (the `group_` prefix dropped: group.created,
 * group.members_added). Both are ordered by conversation.
 */
export function emitCommitted(events: PlatformEvents, m: StoredMessage, kind: ConversationKind, system: boolean): void {
  const orderKey = `conversation:${m.conversationId}`;
  const message = messageJson(m, kind);
  events.emit('message.sent', orderKey, message);
  if (!system || kind !== 'group') return;
  const content = message.content as { system?: { kind?: string; actorId?: string; targetIds?: string[]; attrs?: Record<string, string> } };
  const notice = content.system;
  if (!notice?.kind) return;
  events.emit(`group.${notice.kind.replace(/^group_/, '')}`, orderKey, {
    conversationId: String(m.conversationId),
    actorId: notice.actorId ?? '',
    targetIds: notice.targetIds ?? [],
    attrs: notice.attrs ?? {},
    seq: m.seq,
    serverTime: m.serverTime,
  });
}
