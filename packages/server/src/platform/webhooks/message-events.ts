import { ContentSchema, fromBinary } from '@xinbox/protocol';
import { toJson } from '@bufbuild/protobuf';
import type { ConversationKind, StoredMessage } from '../../core/model.js';
import type { NewWebhookEvent } from '../../core/ports/webhook-outbox.js';
import type { AppId } from '../../core/ports/app-store.js';
import type { EventFilter } from './event-filter.js';
import { newWebhookEvent } from './webhook-emitter.js';

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
 * The after-send events of a message, built before its commit and written
 * in the same transaction (AppendItem.webhookEvents): every message becomes
 * `message.sent`; a group's system notice (created, members added,
 * dissolved...) also becomes `group.<kind>` (the `group_` prefix dropped:
 * group.created, group.members_added). Both are ordered by conversation.
 * Only subscribed types are built; undefined when there are none.
 */
export function afterSendEvents(filter: EventFilter, m: StoredMessage, kind: ConversationKind, system: boolean, appId?: AppId): NewWebhookEvent[] | undefined {
  const wantsMessage = filter.matches('message.sent');
  const mayBeGroupEvent = system && kind === 'group' && filter.mayMatchPrefix('group.');
  if (!wantsMessage && !mayBeGroupEvent) return undefined;
  const orderKey = `conversation:${m.conversationId}`;
  const events: NewWebhookEvent[] = [];
  const message = wantsMessage ? messageJson(m, kind) : undefined;
  if (message) events.push(newWebhookEvent('message.sent', orderKey, m.serverTime, message, appId));
  if (mayBeGroupEvent) {
    const notice = ((message?.content ?? contentJson(m.content)) as { system?: SystemNoticeJson }).system;
    const type = notice?.kind ? `group.${notice.kind.replace(/^group_/, '')}` : undefined;
    if (type && filter.matches(type)) {
      events.push(newWebhookEvent(type, orderKey, m.serverTime, {
        conversationId: String(m.conversationId),
        actorId: notice!.actorId ?? '',
        targetIds: notice!.targetIds ?? [],
        attrs: notice!.attrs ?? {},
        seq: m.seq,
        serverTime: m.serverTime,
      }, appId));
    }
  }
  return events.length > 0 ? events : undefined;
}

interface SystemNoticeJson { kind?: string; actorId?: string; targetIds?: string[]; attrs?: Record<string, string> }
