import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ConversationId, UserId } from '../../src/core/model.js';
import { SeqConflictError } from '../../src/core/ports/message-store.js';
import { WEBHOOK_LANES, webhookLaneOf, type NewWebhookEvent, type WebhookOutbox } from '../../src/core/ports/webhook-outbox.js';
import { appendItem, createUsers, makeMessage, useFixture, type ChatPorts, type FixtureFactory } from './contract-support.js';

export interface MessageWebhookEventPorts extends ChatPorts {
  readonly webhooks: WebhookOutbox;
}

const FAR = 10 ** 14;

function event(conversationId: ConversationId, type: string, n: number): NewWebhookEvent {
  const orderKey = `conversation:${conversationId}`;
  const id = randomUUID();
  return { id, type, orderKey, createdAt: 2000 + n, json: JSON.stringify({ id, type, orderKey, data: { n } }) };
}

/** Every event in the outbox, lane by lane, each lane in order; delivered (removed) as they are read. */
async function takeAll(outbox: WebhookOutbox): Promise<Array<{ orderKey: string; n: number; id: string; type: string }>> {
  const out: Array<{ orderKey: string; n: number; id: string; type: string }> = [];
  for (let batch = await outbox.claim('take', FAR, 60_000, 10_000); batch; batch = await outbox.claim('take', FAR, 60_000, 10_000)) {
    for (const e of batch.events) out.push({ orderKey: e.orderKey, n: (JSON.parse(e.json) as { data?: { n?: number } }).data?.n ?? -1, id: e.id, type: e.type });
    await outbox.complete(batch, 'take');
  }
  return out;
}

/**
 * A message store and the webhook outbox of the same storage (issue 16):
 * an append's webhook events (AppendItem.webhookEvents) commit in the
 * message's own transaction, so a reader sees both or neither. Run against
 * memory, SQLite (the storage thread) and PostgreSQL.
 */
export function describeMessageWebhookEventsContract(name: string, makeStores: FixtureFactory<MessageWebhookEventPorts>): void {
  describe(`MessageStore.append with webhook events: ${name}`, () => {
    const ctx = useFixture(makeStores);

    async function chat(): Promise<{ a: UserId; b: UserId; chat: ConversationId }> {
      const { identity, conversations } = ctx.stores();
      const [a, b] = (await createUsers(identity, 2)) as [UserId, UserId];
      const { conversation } = await conversations.getOrCreateDirect(a, b, 1000);
      return { a, b, chat: conversation.id };
    }

    it('makes a batch\'s messages and their events visible together, events in batch order', async () => {
      const { messages, webhooks } = ctx.stores();
      await takeAll(webhooks);
      const { a, b, chat: c } = await chat();
      const first = makeMessage(c, 1, a);
      const second = makeMessage(c, 2, b);
      const third = makeMessage(c, 3, a);
      await messages.append([
        { ...appendItem(first, [a, b], true), webhookEvents: [event(c, 'message.sent', 1), event(c, 'group.updated', 2)] },
        appendItem(second, [a, b], true),
        { ...appendItem(third, [a, b], true), webhookEvents: [event(c, 'message.sent', 3)] },
      ]);
      // The append resolved: both are there, through this handle and (when there is one) another connection.
      const peer = await ctx.peer();
      for (const ports of peer ? [ctx.stores(), peer] : [ctx.stores()]) {
        expect((await ports.messages.getRange(c, 1, 3, 10)).map((m) => m.id)).toEqual([first.id, second.id, third.id]);
      }
      const events = await takeAll(peer?.webhooks ?? webhooks);
      expect(events.map((e) => [e.orderKey, e.type, e.n])).toEqual([
        [`conversation:${c}`, 'message.sent', 1], [`conversation:${c}`, 'group.updated', 2], [`conversation:${c}`, 'message.sent', 3],
      ]);
    });

    it('keeps each event\'s app and puts another app\'s events in that app\'s own lanes (ADR 0013)', async () => {
      const { messages, webhooks } = ctx.stores();
      await takeAll(webhooks);
      const { a, b, chat: c } = await chat();
      await messages.append([
        { ...appendItem(makeMessage(c, 1, a), [a, b], true), webhookEvents: [{ ...event(c, 'message.sent', 1), appId: 'shop-b' }] },
        { ...appendItem(makeMessage(c, 2, b), [a, b], true), webhookEvents: [event(c, 'message.sent', 2)] },
      ]);
      const seen: Array<[number, string | undefined, number]> = [];
      for (let batch = await webhooks.claim('apps', FAR, 60_000, 100); batch; batch = await webhooks.claim('apps', FAR, 60_000, 100)) {
        for (const e of batch.events) seen.push([(JSON.parse(e.json) as { data: { n: number } }).data.n, e.appId, batch.lane]);
        await webhooks.complete(batch, 'apps');
      }
      seen.sort((x, y) => x[0] - y[0]);
      expect(seen.map(([n, app]) => [n, app])).toEqual([[1, 'shop-b'], [2, 'default']]);
      expect(seen[0]![2]).toBe(webhookLaneOf('shop-b', `conversation:${c}`));
      expect(seen[0]![2]).toBeGreaterThanOrEqual(WEBHOOK_LANES);
      expect(seen[1]![2]).toBeLessThan(WEBHOOK_LANES);
    });

    it('writes no event when the append is refused, and the events of a retried append once', async () => {
      const { messages, webhooks } = ctx.stores();
      await takeAll(webhooks);
      const { a, b, chat: c } = await chat();
      await messages.append([{ ...appendItem(makeMessage(c, 1, a), [a, b], true), webhookEvents: [event(c, 'message.sent', 1)] }]);
      // Seq 1 is taken: the whole batch (seq 2 with it) is refused, and so are its events.
      const refused = [
        { ...appendItem(makeMessage(c, 2, b), [a, b], true), webhookEvents: [event(c, 'message.sent', 2)] },
        { ...appendItem(makeMessage(c, 1, b), [a, b], true), webhookEvents: [event(c, 'message.sent', 99)] },
      ];
      await expect(messages.append(refused)).rejects.toBeInstanceOf(SeqConflictError);
      expect((await messages.getRange(c, 1, 10, 10)).map((m) => m.seq)).toEqual([1]);
      // The sender retries seq 2 alone: its event is stored once.
      await messages.append([{ ...appendItem(makeMessage(c, 2, b), [a, b], true), webhookEvents: [event(c, 'message.sent', 2)] }]);
      expect((await takeAll(webhooks)).map((e) => e.n)).toEqual([1, 2]);
    });

    it('keeps append order between message appends and the outbox\'s own appends on one key', async () => {
      const { messages, webhooks } = ctx.stores();
      await takeAll(webhooks);
      const { a, b, chat: c } = await chat();
      await messages.append([{ ...appendItem(makeMessage(c, 1, a), [a, b], true), webhookEvents: [event(c, 'message.sent', 1)] }]);
      await webhooks.append([event(c, 'test.direct', 2)]);
      await messages.append([{ ...appendItem(makeMessage(c, 2, a), [a, b], true), webhookEvents: [event(c, 'message.sent', 3)] }]);
      expect((await takeAll(webhooks)).map((e) => e.n)).toEqual([1, 2, 3]);
    });

    it('appends without events leave the outbox alone', async () => {
      const { messages, webhooks } = ctx.stores();
      await takeAll(webhooks);
      const { a, b, chat: c } = await chat();
      await messages.append([appendItem(makeMessage(c, 1, a), [a, b], true), { ...appendItem(makeMessage(c, 2, a), [a, b], true), webhookEvents: [] }]);
      expect(await webhooks.lanes()).toEqual([]);
    });
  });
}
