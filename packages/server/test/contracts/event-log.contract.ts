import { describe, expect, it } from 'vitest';
import type { EventLogStore, NewUserEvent, UserEvent } from '../../src/core/ports/event-log.js';
import { uniqueUserId, useFixture, type FixtureFactory } from './contract-support.js';

export interface EventLogPorts {
  readonly eventLog: EventLogStore;
}

function ev(userId: number, type: NewUserEvent['type'], at: number, extra: Partial<NewUserEvent> = {}): NewUserEvent {
  return { userId, deviceId: 'phone', type, at, platform: 'ios', ip: '10.0.0.1', nodeId: 'n1', detail: '', ...extra };
}
const strip = (e: UserEvent): NewUserEvent => {
  const { id: _id, ...rest } = e;
  return rest;
};

/** The EventLogStore contract (core/ports/event-log.ts), for every adapter. */
export function describeEventLogContract(name: string, makeStores: FixtureFactory<EventLogPorts>): void {
  describe(`EventLogStore contract: ${name}`, () => {
    const ctx = useFixture(makeStores);

    it('stores every field and answers in append order, filtered by user, device, type and time', async () => {
      const { eventLog } = ctx.stores();
      const [u1, u2] = [uniqueUserId(), uniqueUserId()];
      const events = [
        ev(u1, 'login', 1000), ev(u1, 'connect', 1001, { ip: '2001:db8::1' }), ev(u2, 'login', 1002, { deviceId: 'web', platform: 'web' }),
        ev(u1, 'disconnect', 1003, { detail: 'close 1000' }), ev(u1, 'logout', 2000, { deviceId: 'tablet' }),
      ];
      await eventLog.append(events.slice(0, 3));
      await eventLog.append(events.slice(3));
      const mine = await eventLog.query({ userId: u1, limit: 100 });
      expect(mine.map(strip)).toEqual([events[0], events[1], events[3], events[4]]);
      const ids = mine.map((e) => BigInt(e.id));
      expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
      expect((await eventLog.query({ userId: u1, deviceId: 'tablet', limit: 100 })).map(strip)).toEqual([events[4]]);
      expect((await eventLog.query({ userId: u1, types: ['connect', 'disconnect'], limit: 100 })).map((e) => e.type)).toEqual(['connect', 'disconnect']);
      expect((await eventLog.query({ userId: u1, fromTime: 1001, toTime: 2000, limit: 100 })).map((e) => e.at)).toEqual([1001, 1003]);
      expect((await eventLog.query({ userId: u2, limit: 100 })).map(strip)).toEqual([events[2]]);
      await eventLog.append([]);
    });

    it('pages by the last id without skipping or repeating', async () => {
      const { eventLog } = ctx.stores();
      const u = uniqueUserId();
      await eventLog.append(Array.from({ length: 7 }, (_, i) => ev(u, i % 2 ? 'disconnect' : 'connect', 5000 + i)));
      const seen: number[] = [];
      let after = '';
      for (;;) {
        const page = await eventLog.query({ userId: u, afterId: after, limit: 3 });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(3);
        seen.push(...page.map((e) => e.at));
        after = page[page.length - 1]!.id;
      }
      expect(seen).toEqual([5000, 5001, 5002, 5003, 5004, 5005, 5006]);
    });

    it('prunes events older than the retention point, at most limit per call', async () => {
      const { eventLog } = ctx.stores();
      const u = uniqueUserId();
      // Far in the past, so other tests' events (at >= 1000) sharing the store are not touched.
      await eventLog.append([ev(u, 'login', 1), ev(u, 'connect', 2), ev(u, 'disconnect', 3), ev(u, 'logout', 900)]);
      expect(await eventLog.prune(500, 2)).toBe(2);
      expect(await eventLog.prune(500, 10)).toBe(1);
      expect(await eventLog.prune(500, 10)).toBe(0);
      expect((await eventLog.query({ userId: u, limit: 10 })).map((e) => e.at)).toEqual([900]);
    });
  });
}
