import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { webhookLane, type NewWebhookEvent, type WebhookOutbox } from '../../src/core/ports/webhook-outbox.js';
import { uniqueName, useFixture, type FixtureFactory } from './contract-support.js';

export interface WebhookOutboxPorts {
  readonly webhooks: WebhookOutbox;
}

const FAR = 10 ** 14;

function event(orderKey: string, n: number): NewWebhookEvent {
  return { id: randomUUID(), type: 'test.event', orderKey, json: JSON.stringify({ n, orderKey }), createdAt: 1000 + n };
}

/** Order keys that land on `count` different lanes. */
function keysOnDistinctLanes(count: number): string[] {
  const byLane = new Map<number, string>();
  for (let i = 0; byLane.size < count; i++) {
    const key = uniqueName(`conversation:${i}`);
    if (!byLane.has(webhookLane(key))) byLane.set(webhookLane(key), key);
  }
  return [...byLane.values()];
}

/** The outbox is one queue: a test starts by delivering whatever an earlier test left behind. */
async function drain(outbox: WebhookOutbox): Promise<void> {
  for (let batch = await outbox.claim('drain', FAR, 1, 10_000); batch; batch = await outbox.claim('drain', FAR, 1, 10_000)) {
    await outbox.complete(batch, 'drain');
  }
}

/**
 * The WebhookOutbox contract (core/ports/webhook-outbox.ts), for every
 * adapter. With `openPeer`, the concurrency and durability tests go through
 * a second handle, as another node or a restarted process would.
 */
export function describeWebhookOutboxContract(name: string, makeStores: FixtureFactory<WebhookOutboxPorts>): void {
  describe(`WebhookOutbox contract: ${name}`, () => {
    const ctx = useFixture(makeStores);

    it('hands out a lane\'s events in append order, in batches, and forgets them once completed', async () => {
      const { webhooks } = ctx.stores();
      await drain(webhooks);
      const [key] = keysOnDistinctLanes(1);
      await webhooks.append([event(key!, 1), event(key!, 2), event(key!, 3)]);
      await webhooks.append([event(key!, 4), event(key!, 5)]);
      const first = await webhooks.claim('a', 10, 1000, 3);
      expect(first!.lane).toBe(webhookLane(key!));
      expect(first!.attempts).toBe(0);
      expect(first!.events.map((e) => JSON.parse(e.json).n)).toEqual([1, 2, 3]);
      expect(first!.events[0]).toMatchObject({ type: 'test.event', orderKey: key, createdAt: 1001 });
      expect(await webhooks.complete(first!, 'a')).toBe(true);
      const second = await webhooks.claim('a', 10, 1000, 10);
      expect(second!.events.map((e) => JSON.parse(e.json).n)).toEqual([4, 5]);
      expect(await webhooks.complete(second!, 'a')).toBe(true);
      expect(await webhooks.claim('a', 10, 1000, 10)).toBeNull();
      expect(await webhooks.lanes()).toEqual([]);
    });

    it('keeps a leased lane from every other claimer until the lease expires', async () => {
      const { webhooks } = ctx.stores();
      await drain(webhooks);
      const [key] = keysOnDistinctLanes(1);
      await webhooks.append([event(key!, 1)]);
      const held = await webhooks.claim('a', 100, 50, 10);
      expect(held).not.toBeNull();
      expect(await webhooks.claim('b', 120, 50, 10)).toBeNull();
      expect(await webhooks.claim('a', 120, 50, 10)).toBeNull();
      // Expired: another holder takes over, and the old holder can no longer settle it.
      const taken = await webhooks.claim('b', 151, 50, 10);
      expect(taken!.events.map((e) => e.id)).toEqual(held!.events.map((e) => e.id));
      expect(await webhooks.complete(held!, 'a')).toBe(false);
      expect(await webhooks.retryLater(held!, 'a', 999, 'late')).toBe(false);
      expect(await webhooks.complete(taken!, 'b')).toBe(true);
      expect(await webhooks.claim('a', 1000, 50, 10)).toBeNull();
    });

    it('counts failed attempts and holds a lane back until its retry time', async () => {
      const { webhooks } = ctx.stores();
      await drain(webhooks);
      const [key] = keysOnDistinctLanes(1);
      await webhooks.append([event(key!, 1), event(key!, 2)]);
      const batch = await webhooks.claim('a', 100, 1000, 10);
      expect(await webhooks.retryLater(batch!, 'a', 500, 'connect ECONNREFUSED')).toBe(true);
      expect(await webhooks.claim('a', 499, 1000, 10)).toBeNull();
      expect(await webhooks.lanes()).toEqual([{ lane: webhookLane(key!), pending: 2, attempts: 1, nextAttemptAt: 500, lastError: 'connect ECONNREFUSED' }]);
      const again = await webhooks.claim('a', 500, 1000, 10);
      expect(again!.attempts).toBe(1);
      expect(again!.events.map((e) => e.id)).toEqual(batch!.events.map((e) => e.id));
      expect(await webhooks.retryLater(again!, 'a', 600, 'HTTP 503')).toBe(true);
      const third = await webhooks.claim('a', 600, 1000, 10);
      expect(third!.attempts).toBe(2);
      expect(await webhooks.complete(third!, 'a')).toBe(true);
      await webhooks.append([event(key!, 3)]);
      expect((await webhooks.claim('a', 600, 1000, 10))!.attempts).toBe(0);
    });

    it('lets a failing lane wait without holding back the others', async () => {
      const { webhooks } = ctx.stores();
      await drain(webhooks);
      const [k1, k2] = keysOnDistinctLanes(2);
      await webhooks.append([event(k1!, 1), event(k2!, 2)]);
      const a = await webhooks.claim('a', 100, 1000, 10);
      await webhooks.retryLater(a!, 'a', 10_000, 'down');
      const b = await webhooks.claim('a', 101, 1000, 10);
      expect(b!.lane).not.toBe(a!.lane);
      expect(await webhooks.complete(b!, 'a')).toBe(true);
      expect(await webhooks.claim('a', 102, 1000, 10)).toBeNull();
    });

    it('keeps events appended after a claim for the next batch', async () => {
      const { webhooks } = ctx.stores();
      await drain(webhooks);
      const [key] = keysOnDistinctLanes(1);
      await webhooks.append([event(key!, 1)]);
      const batch = await webhooks.claim('a', 100, 1000, 10);
      await webhooks.append([event(key!, 2)]);
      await webhooks.complete(batch!, 'a');
      const next = await webhooks.claim('a', 100, 1000, 10);
      expect(next!.events.map((e) => JSON.parse(e.json).n)).toEqual([2]);
      await webhooks.complete(next!, 'a');
    });

    it('never gives one lane to two concurrent claimers (through two handles)', async () => {
      const { webhooks } = ctx.stores();
      const peer = (await ctx.peer())?.webhooks ?? webhooks;
      await drain(webhooks);
      const keys = keysOnDistinctLanes(12);
      await webhooks.append(keys.map((k, i) => event(k, i)));
      const claims = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? peer : webhooks).claim(`h${i}`, 100, 1000, 10)));
      const got = claims.filter((c) => c !== null);
      expect(got).toHaveLength(12);
      expect(new Set(got.map((c) => c!.lane)).size).toBe(12);
      for (const [i, c] of claims.entries()) if (c) expect(await (i % 2 ? peer : webhooks).complete(c, `h${i}`)).toBe(true);
    });

    it('keeps appended events for another handle (a restarted process or another node)', async () => {
      const { webhooks } = ctx.stores();
      const peer = await ctx.peer();
      if (!peer) return; // memory: one process's state, nothing to reopen
      await drain(webhooks);
      const [key] = keysOnDistinctLanes(1);
      const events = [event(key!, 1), event(key!, 2)];
      await webhooks.append(events);
      const batch = await peer.webhooks.claim('p', 100, 1000, 10);
      expect(batch!.events.map((e) => ({ id: e.id, type: e.type, orderKey: e.orderKey, json: e.json, createdAt: e.createdAt }))).toEqual(events);
      expect(await peer.webhooks.complete(batch!, 'p')).toBe(true);
    });
  });
}
