import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_DELIVERY_LOG_SIZE, WEBHOOK_LANES, webhookLane, webhookLaneOf, type NewWebhookEvent, type WebhookOutbox } from '../../src/core/ports/webhook-outbox.js';
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

    it('keeps each event\'s app; an event appended without one belongs to `default`', async () => {
      const { webhooks } = ctx.stores();
      await drain(webhooks);
      const [key] = keysOnDistinctLanes(1);
      await webhooks.append([event(key!, 1), { ...event(key!, 2), appId: 'default' }]);
      const batch = await webhooks.claim('a', 10, 1000, 10);
      expect(batch!.lane).toBe(webhookLane(key!));
      expect(batch!.events.map((e) => e.appId)).toEqual(['default', 'default']);
      expect(await webhooks.complete(batch!, 'a')).toBe(true);
    });

    it('gives each app lanes of its own: one app\'s failing head does not hold back another\'s events of the same key', async () => {
      const { webhooks } = ctx.stores();
      await drain(webhooks);
      const [key] = keysOnDistinctLanes(1);
      await webhooks.append([{ ...event(key!, 1), appId: 'shop-a' }, { ...event(key!, 2), appId: 'shop-b' }, { ...event(key!, 3), appId: 'shop-a' }]);
      expect(webhookLaneOf('shop-a', key!)).not.toBe(webhookLaneOf('shop-b', key!));
      expect(webhookLaneOf('shop-a', key!)).toBeGreaterThanOrEqual(WEBHOOK_LANES);
      const first = await webhooks.claim('a', 10, 1000, 10);
      // shop-a's receiver fails: its lane waits; shop-b's is claimable at once.
      const failing = first!.events[0]!.appId === 'shop-a' ? first! : (await webhooks.claim('a', 10, 1000, 10))!;
      expect(failing.events.map((e) => [e.appId, JSON.parse(e.json).n])).toEqual([['shop-a', 1], ['shop-a', 3]]);
      expect(failing.lane).toBe(webhookLaneOf('shop-a', key!));
      expect(await webhooks.retryLater(failing, 'a', FAR, 'down')).toBe(true);
      if (first!.events[0]!.appId === 'shop-a') {
        const other = await webhooks.claim('a', 20, 1000, 10);
        expect(other!.events.map((e) => [e.appId, JSON.parse(e.json).n])).toEqual([['shop-b', 2]]);
        expect(await webhooks.complete(other!, 'a')).toBe(true);
      } else {
        expect(await webhooks.complete(first!, 'a')).toBe(true);
      }
      expect((await webhooks.lanes()).map((l) => l.lane)).toEqual([webhookLaneOf('shop-a', key!)]);
      // Clean up for the next test: deliver shop-a's.
      const retried = await webhooks.claim('a', FAR, 1000, 10);
      expect(await webhooks.complete(retried!, 'a')).toBe(true);
    });

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

    it('logs every delivery attempt (failed then delivered), newest first, filtered by lane and event type', async () => {
      const { webhooks } = ctx.stores();
      await drain(webhooks);
      // Earlier tests (and runs, on a kept file) left attempts in the log: look only at this test's.
      const since = (await webhooks.deliveries({ limit: 1 }))[0]?.seq ?? 0;
      const mine = async (q: Parameters<WebhookOutbox['deliveries']>[0]) => (await webhooks.deliveries(q)).filter((d) => d.seq > since);
      const [key, other] = keysOnDistinctLanes(2);
      const e1 = { ...event(key!, 1), type: 'message.sent' };
      const e2 = { ...event(key!, 2), type: 'group.created' };
      await webhooks.append([e1, e2, { ...event(other!, 3), type: 'user.online' }]);
      const lane = webhookLane(key!);
      // Claims the lane under test; other lanes claimed on the way are delivered.
      const claimLane = async (now: number) => {
        let batch = await webhooks.claim('a', now, 1000, 10);
        while (batch && batch.lane !== lane) {
          await webhooks.complete(batch, 'a', now + 1);
          batch = await webhooks.claim('a', now, 1000, 10);
        }
        return batch;
      };
      const batch = await claimLane(10);
      expect(await webhooks.retryLater(batch!, 'a', 500, 'HTTP 503', 20)).toBe(true);
      // Not the holder any more: nothing is recorded.
      expect(await webhooks.retryLater(batch!, 'a', 500, 'late', 21)).toBe(false);
      const again = await claimLane(600);
      expect(await webhooks.complete(again!, 'a', 601)).toBe(true);

      const onLane = await mine({ limit: 10, lane });
      expect(onLane.map((d) => [d.status, d.attempt, d.error, d.nextAttemptAt, d.at])).toEqual([
        ['delivered', 2, '', 0, 601],
        ['failed', 1, 'HTTP 503', 500, 20],
      ]);
      expect(onLane[0]!.events).toEqual([
        { id: e1.id, type: 'message.sent', orderKey: key },
        { id: e2.id, type: 'group.created', orderKey: key },
      ]);
      expect(onLane[0]!.seq).toBeGreaterThan(onLane[1]!.seq);
      const created = await mine({ limit: 10, eventType: 'group.created' });
      expect(created.map((d) => d.lane)).toEqual([lane, lane]);
      expect(await mine({ limit: 10, eventType: 'group.%' })).toEqual([]);
      expect((await mine({ limit: 10, eventId: e2.id })).map((d) => d.status)).toEqual(['delivered', 'failed']);
      expect(await mine({ limit: 10, eventId: e2.id.slice(0, 8) })).toEqual([]);
      expect((await mine({ limit: 10, eventType: 'user.online' })).map((d) => d.status)).toEqual(['delivered']);
      expect(await webhooks.deliveries({ limit: 1 })).toHaveLength(1);
    });

    it('names each attempt\'s app and filters the log by app', async () => {
      const { webhooks } = ctx.stores();
      await drain(webhooks);
      const since = (await webhooks.deliveries({ limit: 1 }))[0]?.seq ?? 0;
      const mine = async (app?: string) => (await webhooks.deliveries({ limit: 50, ...(app !== undefined ? { app } : {}) })).filter((d) => d.seq > since);
      const shop = uniqueName('shop').toLowerCase();
      const [key] = keysOnDistinctLanes(1);
      const inShop = { ...event(key!, 1), appId: shop };
      const inShopLonger = { ...event(key!, 2), appId: `${shop}x` };
      const inDefault = event(key!, 3);
      await webhooks.append([inShop, inShopLonger, inDefault]);
      for (let batch = await webhooks.claim('a', FAR, 1000, 10); batch; batch = await webhooks.claim('a', FAR, 1000, 10)) {
        // One attempt per app: a batch is delivered to one app's receiver.
        const first = batch.events[0]!.appId;
        const oneApp = { ...batch, events: batch.events.filter((e) => e.appId === first) };
        expect(await webhooks.complete(oneApp, 'a', 5)).toBe(true);
      }
      const all = await mine();
      expect(all.map((d) => d.app).sort()).toEqual([shop, `${shop}x`, 'default'].sort());
      expect((await mine(shop)).map((d) => [d.app, d.events.map((e) => e.id)])).toEqual([[shop, [inShop.id]]]);
      expect((await mine(`${shop}x`)).map((d) => d.events.map((e) => e.id))).toEqual([[inShopLonger.id]]);
      expect((await mine('default')).map((d) => d.events.map((e) => e.id))).toEqual([[inDefault.id]]);
      expect(await mine(`${shop.slice(0, -1)}%`)).toEqual([]);
      expect(all.every((d) => d.events.every((e) => Object.keys(e).sort().join() === 'id,orderKey,type'))).toBe(true);
    });

    it(`keeps at most ${WEBHOOK_DELIVERY_LOG_SIZE} delivery attempts`, async () => {
      const { webhooks } = ctx.stores();
      await drain(webhooks);
      const [key] = keysOnDistinctLanes(1);
      await webhooks.append([event(key!, 1)]);
      let last = 0;
      for (let i = 0; i < WEBHOOK_DELIVERY_LOG_SIZE + 5; i++) {
        const batch = await webhooks.claim('a', 10 ** 12, 1, 1);
        expect(await webhooks.retryLater(batch!, 'a', 0, `attempt ${i}`, i)).toBe(true);
        last = i;
      }
      const log = await webhooks.deliveries({ limit: WEBHOOK_DELIVERY_LOG_SIZE * 2 });
      expect(log).toHaveLength(WEBHOOK_DELIVERY_LOG_SIZE);
      expect(log[0]!.error).toBe(`attempt ${last}`);
      await drain(webhooks);
    }, 60_000);
  });
}
