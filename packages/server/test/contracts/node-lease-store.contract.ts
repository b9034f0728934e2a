import { describe, expect, it } from 'vitest';
import type { NodeLeaseStore } from '../../src/core/ports/index.js';
import { uniqueName, useFixture, type FixtureFactory } from './contract-support.js';

export interface NodeLeaseStorePorts {
  readonly leases: NodeLeaseStore;
}

const TTL = 10_000;

/**
 * The NodeLeaseStore contract (see core/ports/id-allocator.ts).
 *
 * Node numbers are one shared namespace, so on a shared database these tests
 * need the numbers below 32 free of foreign live leases. They run on virtual
 * time starting at the real clock, release everything they take, and keep
 * their virtual offsets under a minute, so leases left by a crashed run are
 * expired for the next one after a minute.
 */
export function describeNodeLeaseStoreContract(name: string, makeStores: FixtureFactory<NodeLeaseStorePorts>): void {
  describe(`NodeLeaseStore contract: ${name}`, () => {
    const ctx = useFixture(makeStores);

    /** Acquires and releases the lease again after the test, so shared storage stays clean. */
    async function acquire(store: NodeLeaseStore, holder: string, max: number, now: number, ttl = TTL): Promise<number | null> {
      const nodeNumber = await store.acquire(holder, max, ttl, now);
      if (nodeNumber !== null) ctx.defer(() => ctx.stores().leases.release(holder, nodeNumber));
      return nodeNumber;
    }

    it('gives live holders distinct numbers below max and null when all are taken', async () => {
      const { leases } = ctx.stores();
      const now = Date.now();
      const got: Array<number | null> = [];
      for (let i = 0; i < 3; i++) got.push(await acquire(leases, uniqueName('node'), 3, now + i));
      expect(new Set(got).size).toBe(3);
      for (const n of got) {
        expect(n).not.toBeNull();
        expect(n).toBeGreaterThanOrEqual(0);
        expect(n).toBeLessThan(3);
      }
      expect(await acquire(leases, uniqueName('node'), 3, now + 10)).toBeNull();
    });

    it('does not hand out a live lease before it expires', async () => {
      const { leases } = ctx.stores();
      const now = Date.now();
      const holder = uniqueName('node');
      expect(await acquire(leases, holder, 1, now)).toBe(0);
      expect(await acquire(leases, uniqueName('node'), 1, now + TTL - 1)).toBeNull();
      expect(await leases.renew(holder, 0, TTL, now + TTL - 1)).toBe(true);
    });

    it('keeps a renewed lease past its original expiry', async () => {
      const { leases } = ctx.stores();
      const now = Date.now();
      const holder = uniqueName('node');
      expect(await acquire(leases, holder, 1, now)).toBe(0);
      expect(await leases.renew(holder, 0, TTL, now + TTL / 2)).toBe(true);
      expect(await acquire(leases, uniqueName('node'), 1, now + TTL + 1)).toBeNull();
      expect(await leases.renew(holder, 0, TTL, now + TTL + 2)).toBe(true);
    });

    it('lets another holder take over an expired lease; the old holder then fails to renew', async () => {
      const { leases } = ctx.stores();
      const now = Date.now();
      const old = uniqueName('node');
      const next = uniqueName('node');
      expect(await acquire(leases, old, 1, now)).toBe(0);
      expect(await acquire(leases, next, 1, now + TTL + 1)).toBe(0);
      expect(await leases.renew(old, 0, TTL, now + TTL + 2)).toBe(false);
      expect(await leases.renew(next, 0, TTL, now + TTL + 2)).toBe(true);
      // The old holder's release must not free the new holder's lease.
      await leases.release(old, 0);
      expect(await acquire(leases, uniqueName('node'), 1, now + TTL + 3)).toBeNull();
    });

    it('frees a released lease at once', async () => {
      const { leases } = ctx.stores();
      const now = Date.now();
      const holder = uniqueName('node');
      expect(await acquire(leases, holder, 1, now)).toBe(0);
      await leases.release(holder, 0);
      expect(await leases.renew(holder, 0, TTL, now + 1)).toBe(false);
      const next = uniqueName('node');
      expect(await acquire(leases, next, 1, now + 2)).toBe(0);
    });

    it('never gives one number to two holders acquiring concurrently', async () => {
      const { leases } = ctx.stores();
      const peer = await ctx.peer();
      const now = Date.now();
      const holders = Array.from({ length: 24 }, () => uniqueName('node'));
      const numbers = await Promise.all(holders.map((holder, i) => acquire(peer && i % 2 ? peer.leases : leases, holder, 20, now)));
      const granted = numbers.filter((n): n is number => n !== null);
      expect(granted).toHaveLength(20);
      expect(new Set(granted).size).toBe(20);
      for (const n of granted) expect(n).toBeLessThan(20);
    });
  });
}
