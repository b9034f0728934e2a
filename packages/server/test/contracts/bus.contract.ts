import { describe, expect, it } from 'vitest';
import type { Bus } from '../../src/core/ports/index.js';
import { eventually, sleep, uniqueName, useFixture, type FixtureFactory } from './contract-support.js';

export interface BusPorts {
  readonly bus: Bus;
}

function frame(n: number): Uint8Array {
  return new Uint8Array([n & 0xff, (n >> 8) & 0xff, 7, 0, 255]);
}

function frameNumber(payload: Uint8Array): number {
  return payload[0]! | (payload[1]! << 8);
}

/**
 * The Bus contract (see core/ports/bus.ts). Topics are unique per test, so a
 * shared broker works. A subscription counts as active once subscribe resolves.
 */
export function describeBusContract(name: string, makeStores: FixtureFactory<BusPorts>): void {
  describe(`Bus contract: ${name}`, () => {
    const ctx = useFixture(makeStores);

    it('delivers a payload intact to subscribers of its topic only', async () => {
      const { bus } = ctx.stores();
      const topic = uniqueName('topic');
      const other = uniqueName('topic');
      const got: Uint8Array[] = [];
      const strays: Uint8Array[] = [];
      const off1 = await bus.subscribe(topic, (p) => got.push(p));
      const off2 = await bus.subscribe(other, (p) => strays.push(p));
      await bus.publish(topic, new Uint8Array([1, 2, 3, 0, 255]));
      await eventually(() => got.length === 1, 5000, 'delivery');
      expect(Array.from(got[0]!)).toEqual([1, 2, 3, 0, 255]);
      await sleep(20);
      expect(strays).toHaveLength(0);
      await off1();
      await off2();
    });

    it('delivers one publisher\u2019s messages in publish order, to every subscriber', async () => {
      const { bus } = ctx.stores();
      const topic = uniqueName('ordered');
      const first: number[] = [];
      const second: number[] = [];
      const off1 = await bus.subscribe(topic, (p) => first.push(frameNumber(p)));
      const off2 = await bus.subscribe(topic, (p) => second.push(frameNumber(p)));
      const total = 300;
      // Half awaited one by one, half fired without waiting.
      for (let i = 0; i < total / 2; i++) await bus.publish(topic, frame(i));
      await Promise.all(Array.from({ length: total / 2 }, (_, i) => bus.publish(topic, frame(total / 2 + i))));
      await eventually(() => first.length === total && second.length === total, 10_000, 'all deliveries');
      const expected = Array.from({ length: total }, (_, i) => i);
      expect(first).toEqual(expected);
      expect(second).toEqual(expected);
      await off1();
      await off2();
    });

    it('delivers across handles when the adapter has more than one', async () => {
      const { bus } = ctx.stores();
      const peer = await ctx.peer();
      const topic = uniqueName('remote');
      const got: number[] = [];
      const off = await bus.subscribe(topic, (p) => got.push(frameNumber(p)));
      const publisher = peer?.bus ?? bus;
      for (let i = 0; i < 50; i++) await publisher.publish(topic, frame(i));
      await eventually(() => got.length === 50, 10_000, 'remote deliveries');
      expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i));
      await off();
    });

    it('never calls a handler after its unsubscribe resolved', async () => {
      const { bus } = ctx.stores();
      const topic = uniqueName('unsub');
      let unsubscribed = false;
      let lateCalls = 0;
      let calls = 0;
      const keep: number[] = [];
      const offKeep = await bus.subscribe(topic, (p) => keep.push(frameNumber(p)));
      const off = await bus.subscribe(topic, () => {
        calls += 1;
        if (unsubscribed) lateCalls += 1;
      });
      // Deliveries may still be in flight when unsubscribe is called.
      const inFlight = Array.from({ length: 100 }, (_, i) => bus.publish(topic, frame(i)));
      await off();
      unsubscribed = true;
      await Promise.all(inFlight);
      for (let i = 100; i < 150; i++) await bus.publish(topic, frame(i));
      await eventually(() => keep.length === 150, 10_000, 'deliveries to the remaining subscriber');
      await sleep(50);
      expect(lateCalls).toBe(0);
      expect(calls).toBeLessThanOrEqual(100);
      await offKeep();
    });
  });
}
