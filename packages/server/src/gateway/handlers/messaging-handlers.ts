import {
  ContentSchema, create, toBinary, ConversationListSchema, HistoryResultSchema,
  PresenceResultSchema, SendAckSchema, SyncResultSchema, type HotSend,
} from '@xinbox/protocol';
import type { MessagingService } from '../../core/messaging/messaging-service.js';
import type { Caller, SendAckInfo } from '../../core/messaging/send-types.js';
import type { PresenceService } from '../../core/presence/presence-service.js';
import { toWirePresence } from '../../core/presence/wire.js';
import type { LocalSessions } from '../local-sessions.js';
import type { HandlerTable } from './types.js';
import { parseId, parseIds } from './ids.js';

/** Executes a Send decoded by the hot path; resolves with its ack (the dispatcher encodes the reply frame). */
export type HotSendHandler = (caller: Caller, send: HotSend) => Promise<SendAckInfo>;

/**
 * The Send handler for frames decoded by the hot-path codec, on a gateway
 * for its own sockets and on a logic node for forwarded ones alike. The
 * content bytes go to the store and the pushes as the client sent them;
 * MessagingService.send validates. The ack frame is encoded in the same
 * reaction that turns a failure into an error frame (RequestDispatcher.send):
 * one promise and no generator per send (docs/benchmarks.md, "The event
 * loop's own JavaScript per message, second pass").
 */
export function hotSendHandler(messaging: MessagingService): HotSendHandler {
  return (caller, s) => {
    try {
      return messaging.send(caller, s);
    } catch (e) {
      // A synchronous throw still becomes a rejection (an error frame).
      return Promise.reject(e);
    }
  };
}

/** One-to-one and group message traffic, conversation list, presence. */
export function messagingHandlers(messaging: MessagingService, presence: PresenceService, sessions: LocalSessions): HandlerTable {
  return {
    send: async ({ caller }, v) => {
      // Frames the hot codec passed on (JSON clients, unusual encodings): same validation, in MessagingService.send.
      const ack = await messaging.send(caller, {
        conversationId: parseId(v.conversationId, 'conversationId'),
        clientMsgId: v.clientMsgId,
        content: v.content ? toBinary(ContentSchema, v.content) : new Uint8Array(0),
        mentions: parseIds(v.mentions, 'mentions'),
        mentionAll: v.mentionAll,
        visibleTo: parseIds(v.visibleTo, 'visibleTo'),
      });
      return {
        case: 'sendAck',
        value: create(SendAckSchema, { ...ack, conversationId: String(ack.conversationId) }),
      };
    },
    pushAck: ({ conn }, v) => {
      if (v.syncSeq > 0) conn?.ackPushes(v.syncSeq);
      if (v.messageIds.length > 0) conn?.ackMessages(v.messageIds);
      return undefined;
    },
    sync: async ({ caller }, v) => ({ case: 'syncResult', value: create(SyncResultSchema, await messaging.sync(caller, v.cursor, v.limit)) }),
    history: async ({ caller }, v) => ({
      case: 'historyResult',
      value: create(HistoryResultSchema, await messaging.history(caller, parseId(v.conversationId, 'conversationId'), v.beforeSeq, v.limit)),
    }),
    pullRange: async ({ caller }, v) => ({
      case: 'historyResult',
      value: create(HistoryResultSchema, await messaging.pullRange(caller, parseId(v.conversationId, 'conversationId'), v.fromSeq, v.toSeq)),
    }),
    markRead: async ({ caller }, v) => ({ case: 'readUpdate', value: await messaging.markRead(caller, parseId(v.conversationId, 'conversationId'), v.seq) }),
    typing: async ({ caller }, v) => {
      await messaging.typing(caller, parseId(v.conversationId, 'conversationId'), v.typing);
      return { case: 'ok', value: {} };
    },
    listConversations: async ({ caller }, v) => ({
      case: 'conversationList',
      value: create(ConversationListSchema, await messaging.listConversations(caller, v.limit, v.beforeTime)),
    }),
    openDirect: async ({ caller }, v) => ({
      case: 'conversationInfo',
      value: {
        conversation: await messaging.openDirect(caller, { userId: v.userId && v.userId !== '0' ? parseId(v.userId, 'userId') : undefined, username: v.username || undefined }),
      },
    }),
    presenceQuery: async ({ caller }, v) => ({
      case: 'presenceResult',
      value: create(PresenceResultSchema, { users: (await presence.query(caller.userId, parseIds(v.userIds, 'userIds'))).map(toWirePresence) }),
    }),
    presenceSubscribe: async ({ conn, caller }, v) => {
      const ids = parseIds(v.userIds, 'userIds');
      await presence.requireContacts(caller.userId, ids);
      if (conn) sessions.watch(conn, ids);
      return { case: 'ok', value: {} };
    },
  };
}
