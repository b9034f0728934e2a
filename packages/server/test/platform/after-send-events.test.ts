import { ContentSchema, SystemNoticeSchema, TextSchema, create, toBinary } from '@xinbox/protocol';
import { describe, expect, it } from 'vitest';
import { MemoryWebhookOutbox } from '../../src/adapters/memory/memory-webhook-outbox.js';
import { buildConfig } from '../../src/config.js';
import type { StoredMessage } from '../../src/core/model.js';
import { createLogger } from '../../src/logger.js';
import { EventFilter } from '../../src/platform/webhooks/event-filter.js';
import { createWebhooks } from '../../src/platform/webhooks/index.js';
import { MemoryAppStore } from '../../src/adapters/memory/memory-app-store.js';
import { createAppDirectory } from '../../src/platform/apps/create-app-directory.js';
import type { XinboxConfig } from '../../src/config.js';
import { afterSendEvents } from '../../src/platform/webhooks/message-events.js';

/**
 * The after-send events the send pipeline commits with each message
 * (AppendItem.webhookEvents): only the types the sender's app subscribes to
 * are built, each event carrying that app; with no app wanting them the
 * builder answers undefined at once (nothing is built or awaited).
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

  it('builds nothing when no app wants messages, and builds for the sender\'s app with its subscriptions', async () => {
    const outbox = new MemoryWebhookOutbox();
    const make = async (config: XinboxConfig, senderApp = 'default') => {
      const apps = createAppDirectory(config, new MemoryAppStore(), { cacheMs: 0 });
      const webhooks = await createWebhooks({ config, outbox, nodeId: 'n', deliver: false, log, apps, appOfUser: async () => senderApp });
      return { apps, webhooks };
    };
    const hook = { webhookUrl: 'http://127.0.0.1:9/hook', webhookSecret: 'whsec-0123456789abcdef' };
    const off = await make(buildConfig({}));
    const usersOnly = await make(buildConfig({ ...hook, webhookEvents: 'user.*' }));
    const on = await make(buildConfig({ ...hook, webhookEvents: 'message.sent' }));
    const other = await make(buildConfig({ ...hook, webhookEvents: 'message.sent' }), 'shop-b');
    try {
      const m = message(text);
      expect(off.webhooks.afterSend!(m, 'direct', false)).toBeUndefined();
      expect(usersOnly.webhooks.afterSend!(m, 'direct', false)).toBeUndefined();
      const built = await on.webhooks.afterSend!(m, 'direct', false);
      expect(built).toHaveLength(1);
      expect(built![0]!.appId).toBe('default');
      // Counted as emitted once the message committed (the pipeline's committed listener).
      expect(on.webhooks.stats()).toMatchObject({ emitted: 0 });
      on.webhooks.committed!(m, 'direct', false, []);
      expect(on.webhooks.stats()).toMatchObject({ emitted: 1, afterSend: 1 });
      // A sender of another app: that app's webhook and subscriptions decide, not the config's.
      expect(await other.webhooks.afterSend!(m, 'direct', false)).toBeUndefined(); // shop-b does not exist: no webhook
      await other.apps.create('shop-b', 'B');
      await other.apps.update('shop-b', { webhook: { url: 'http://127.0.0.1:9/b', signingSecrets: ['b-signing-0123456789'], events: 'group.*' } });
      expect(await other.webhooks.afterSend!(message(text), 'group', false)).toBeUndefined(); // not subscribed to message.sent
      const forB = await other.webhooks.afterSend!(message(notice), 'group', true);
      expect(forB?.map((e) => [e.type, e.appId])).toEqual([['group.members_added', 'shop-b']]);
    } finally {
      await Promise.all([off, usersOnly, on, other].map((x) => x.webhooks.stop()));
    }
  });
});
