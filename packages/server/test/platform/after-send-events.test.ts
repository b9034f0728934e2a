import { ContentSchema, SystemNoticeSchema, TextSchema, create, toBinary } from '@xinbox/protocol';
import { describe, expect, it } from 'vitest';
import { MemoryWebhookOutbox } from '../../src/adapters/memory/memory-webhook-outbox.js';
import { buildConfig } from '../../src/config.js';
import type { StoredMessage } from '../../src/core/model.js';
import { createLogger } from '../../src/logger.js';
import { EventFilter } from '../../src/platform/webhooks/event-filter.js';
import { createWebhooks } from '../../src/platform/webhooks/index.js';
import { afterSendEvents } from '../../src/platform/webhooks/message-events.js';

/**
 * The after-send events the send pipeline commits with each message
 * (AppendItem.webhookEvents): only subscribed types are built, and with no
 * webhook (or no subscribed message type) the pipeline gets no builder at all.
 */
const message = (content: Uint8Array): StoredMessage => ({
  id: '1234567890123', conversationId: 42, seq: 7, senderId: 5, clientMsgId: 'c-1', serverTime: 1_764_835_199_123,
  content, mentions: [9], mentionAll: false, visibleTo: [],
});
const text = toBinary(ContentSchema, create(ContentSchema, { kind: { case: 'text', value: create(TextSchema, { text: 'hi' }) } }));
const notice = toBinary(ContentSchema, create(ContentSchema, {
  kind: { case: 'system', value: create(SystemNoticeSchema, { kind: 'group_members_added', actorId: '5', targetIds: ['8', '9'] }) },
}));
const log = createLogger('silent');

describe('after-send webhook events', () => {
  it('builds message.sent with the documented fields, ordered by conversation, timed by the message', () => {
    const [e, ...rest] = afterSendEvents(new EventFilter('*'), message(text), 'direct', false)!;
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ type: 'message.sent', orderKey: 'conversation:42', createdAt: 1_764_835_199_123 });
    expect(JSON.parse(e!.json)).toEqual({
      id: e!.id, type: 'message.sent', time: 1_764_835_199_123, orderKey: 'conversation:42',
      data: {
        messageId: '1234567890123', conversationId: '42', conversationKind: 'direct', seq: 7, senderId: '5', clientMsgId: 'c-1',
        serverTime: 1_764_835_199_123, content: { text: { text: 'hi' } }, mentions: ['9'], mentionAll: false, visibleTo: [],
      },
    });
  });

  it('adds the group event of a group notice, and builds only what is subscribed', () => {
    const types = (filter: string, content: Uint8Array, system: boolean) =>
      afterSendEvents(new EventFilter(filter), message(content), 'group', system)?.map((e) => e.type);
    expect(types('*', notice, true)).toEqual(['message.sent', 'group.members_added']);
    expect(types('group.*', notice, true)).toEqual(['group.members_added']);
    expect(types('group.created', notice, true)).toBeUndefined();
    expect(types('group.*', text, false)).toBeUndefined();
    expect(types('user.*', text, false)).toBeUndefined();
    const [g] = afterSendEvents(new EventFilter('group.*'), message(notice), 'group', true)!;
    expect(JSON.parse(g!.json).data).toEqual({ conversationId: '42', actorId: '5', targetIds: ['8', '9'], attrs: {}, seq: 7, serverTime: 1_764_835_199_123 });
  });

  it('gives the send pipeline no builder without a webhook URL or without a subscribed message type', async () => {
    const outbox = new MemoryWebhookOutbox();
    const off = createWebhooks({ config: buildConfig({}), outbox, nodeId: 'n', deliver: false, log });
    const usersOnly = createWebhooks({ config: buildConfig({ webhookUrl: 'http://127.0.0.1:9/hook', webhookSecret: 'whsec-0123456789abcdef', webhookEvents: 'user.*' }), outbox, nodeId: 'n', deliver: false, log });
    const on = createWebhooks({ config: buildConfig({ webhookUrl: 'http://127.0.0.1:9/hook', webhookSecret: 'whsec-0123456789abcdef', webhookEvents: 'message.sent' }), outbox, nodeId: 'n', deliver: false, log });
    try {
      expect(off.afterSend).toBeUndefined();
      expect(off.committed).toBeUndefined();
      expect(usersOnly.afterSend).toBeUndefined();
      expect(on.afterSend).toBeTypeOf('function');
      // Counted as emitted once the message committed (the pipeline's committed listener).
      const m = message(text);
      expect(on.afterSend!(m, 'direct', false)).toHaveLength(1);
      expect(on.stats()).toMatchObject({ emitted: 0 });
      on.committed!(m, 'direct', false, []);
      expect(on.stats()).toMatchObject({ emitted: 1, afterSend: 1 });
    } finally {
      await Promise.all([off.stop(), usersOnly.stop(), on.stop()]);
    }
  });
});
