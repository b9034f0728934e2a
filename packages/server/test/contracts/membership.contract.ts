/**
 * Contract tests of NodeMembership (packages/server/src/core/ports/membership.ts),
 * shared by the Redis implementation and its in-memory twin. Belongs in
 * test/contracts/ now that the interface is a port (the lead moves it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { NodeMembership } from '../../src/core/ports/membership.js';
import { waitFor } from '../support/wait-for.js';

export interface TestMembership extends NodeMembership {
  /** Stop heartbeating without leaving, as a crashed node would. */
  stopHeartbeats(): void;
}

export interface MembershipHarness {
  /** A membership of `nodeId` that shares its store with every other one this harness created. */
  create(nodeId: string, ttlMs: number): Promise<TestMembership>;
  close(): Promise<void>;
}

const TTL = 300;

export function describeMembershipContract(name: string, factory: () => Promise<MembershipHarness>): void {
  describe(`NodeMembership contract: ${name}`, () => {
    let harness: MembershipHarness | null = null;
    const open = async (): Promise<MembershipHarness> => (harness = await factory());
    afterEach(async () => {
      await harness?.close();
      harness = null;
    });

    /** Records what a watcher reports. */
    const record = (m: NodeMembership): { seen: string[][]; stop: () => void } => {
      const seen: string[][] = [];
      const stop = m.watch((members) => seen.push([...members]));
      return { seen, stop };
    };

    it('lists joined nodes, sorted, on every node', async () => {
      const h = await open();
      const b = await h.create('node-b', TTL);
      const a = await h.create('node-a', TTL);
      expect(await a.members()).toEqual([]);
      await b.join();
      await a.join();
      await a.join(); // joining twice is harmless
      expect(await a.members()).toEqual(['node-a', 'node-b']);
      expect(await b.members()).toEqual(['node-a', 'node-b']);
    });

    it('keeps a live node beyond its ttl by heartbeating on its own', async () => {
      const h = await open();
      const a = await h.create('node-a', TTL);
      await a.join();
      await new Promise((resolve) => setTimeout(resolve, TTL * 3));
      expect(await a.members()).toEqual(['node-a']);
    });

    it('removes a leaving node at once and tells watchers', async () => {
      const h = await open();
      const a = await h.create('node-a', TTL);
      const b = await h.create('node-b', TTL * 100); // b's watcher polls rarely: the leave must be pushed
      await a.join();
      await b.join();
      const watcher = record(b);
      await waitFor('initial set', () => watcher.seen.at(-1)?.length === 2);
      const t0 = Date.now();
      await a.leave();
      expect(await b.members()).toEqual(['node-b']);
      await waitFor('leave reported', () => watcher.seen.at(-1)?.join() === 'node-b', 2_000);
      expect(Date.now() - t0).toBeLessThan(1_000);
      watcher.stop();
      await a.join(); // a node may join again after leaving
      expect(await b.members()).toEqual(['node-a', 'node-b']);
    });

    it('drops a node that stops heartbeating after its ttl and reports it', async () => {
      const h = await open();
      const crashed = await h.create('node-crashed', TTL);
      const alive = await h.create('node-alive', TTL);
      await crashed.join();
      await alive.join();
      const watcher = record(alive);
      await waitFor('both seen', () => watcher.seen.at(-1)?.length === 2);
      crashed.stopHeartbeats();
      const t0 = Date.now();
      await waitFor('expiry reported', () => watcher.seen.at(-1)?.join() === 'node-alive', TTL * 6);
      const elapsed = Date.now() - t0;
      expect(elapsed).toBeGreaterThanOrEqual(TTL * 0.5); // not before its last heartbeat lapsed
      expect(await alive.members()).toEqual(['node-alive']);
      watcher.stop();
    });

    it('reports the current set first, each change once, and nothing after stop', async () => {
      const h = await open();
      const a = await h.create('node-a', TTL);
      const b = await h.create('node-b', TTL);
      await a.join();
      const watcher = record(a);
      await waitFor('initial', () => watcher.seen.length >= 1);
      expect(watcher.seen[0]).toEqual(['node-a']);
      await b.join();
      await waitFor('join reported', () => watcher.seen.at(-1)?.length === 2);
      await new Promise((resolve) => setTimeout(resolve, TTL)); // polls find no change: no repeats
      expect(watcher.seen).toEqual([['node-a'], ['node-a', 'node-b']]);
      watcher.stop();
      await b.leave();
      await new Promise((resolve) => setTimeout(resolve, TTL));
      expect(watcher.seen).toHaveLength(2);
    });

    it('close leaves the membership', async () => {
      const h = await open();
      const a = await h.create('node-a', TTL);
      const b = await h.create('node-b', TTL);
      await a.join();
      await b.join();
      await a.close();
      expect(await b.members()).toEqual(['node-b']);
    });
  });
}
