import { describe, expect, it } from 'vitest';
import type { Route, RouteRegistry } from '../../src/core/ports/index.js';
import { uniqueName, uniqueUserId, useFixture, type FixtureFactory } from './contract-support.js';

export interface RouteRegistryPorts {
  readonly routes: RouteRegistry;
}

export interface RouteRegistrySettings {
  /**
   * Present when the adapter expires routes: its TTL, and a way to let that
   * much time pass (advance a fake clock, or sleep for a real one). A route is
   * renewed by binding it again.
   */
  readonly routeExpiry?: { readonly ttlMs: number; elapse(ms: number): Promise<void> };
}

function sortRoutes(routes: readonly Route[]): Route[] {
  return [...routes].sort((x, y) => x.userId - y.userId || x.deviceId.localeCompare(y.deviceId));
}

/** The RouteRegistry contract (see core/ports/route-registry.ts). */
export function describeRouteRegistryContract(name: string, makeStores: FixtureFactory<RouteRegistryPorts, RouteRegistrySettings>): void {
  describe(`RouteRegistry contract: ${name}`, () => {
    const ctx = useFixture(makeStores);

    it('looks up the bound devices of the given users only', async () => {
      const { routes } = ctx.stores();
      const alice = uniqueUserId();
      const bob = uniqueUserId();
      const carol = uniqueUserId();
      const nodeA = uniqueName('node');
      const nodeB = uniqueName('node');
      await routes.bind({ userId: alice, deviceId: 'phone', nodeId: nodeA });
      await routes.bind({ userId: alice, deviceId: 'laptop', nodeId: nodeB });
      await routes.bind({ userId: bob, deviceId: 'phone', nodeId: nodeB });
      await routes.bind({ userId: carol, deviceId: 'phone', nodeId: nodeA });
      const found = await routes.lookup([alice, bob, uniqueUserId()]);
      expect(sortRoutes(found)).toEqual(sortRoutes([
        { userId: alice, deviceId: 'phone', nodeId: nodeA },
        { userId: alice, deviceId: 'laptop', nodeId: nodeB },
        { userId: bob, deviceId: 'phone', nodeId: nodeB },
      ]));
      expect(await routes.lookup([])).toEqual([]);
      expect(await routes.lookup([uniqueUserId()])).toEqual([]);
    });

    it('replaces the earlier route of a device on bind', async () => {
      const { routes } = ctx.stores();
      const peer = await ctx.peer();
      const user = uniqueUserId();
      const oldNode = uniqueName('node');
      const newNode = uniqueName('node');
      await routes.bind({ userId: user, deviceId: 'phone', nodeId: oldNode });
      await (peer?.routes ?? routes).bind({ userId: user, deviceId: 'phone', nodeId: newNode });
      expect(await routes.lookup([user])).toEqual([{ userId: user, deviceId: 'phone', nodeId: newNode }]);
    });

    it('unbinds only when the route still points at the given node', async () => {
      const { routes } = ctx.stores();
      const user = uniqueUserId();
      const oldNode = uniqueName('node');
      const newNode = uniqueName('node');
      await routes.bind({ userId: user, deviceId: 'phone', nodeId: oldNode });
      await routes.bind({ userId: user, deviceId: 'phone', nodeId: newNode });
      await routes.bind({ userId: user, deviceId: 'tablet', nodeId: oldNode });
      await routes.unbind(user, 'phone', oldNode);
      expect(sortRoutes(await routes.lookup([user]))).toEqual(sortRoutes([
        { userId: user, deviceId: 'phone', nodeId: newNode },
        { userId: user, deviceId: 'tablet', nodeId: oldNode },
      ]));
      await routes.unbind(user, 'phone', newNode);
      await routes.unbind(user, 'tablet', oldNode);
      await routes.unbind(user, 'never-bound', oldNode);
      expect(await routes.lookup([user])).toEqual([]);
    });

    it('expires routes that are not renewed within the TTL', async () => {
      const { routes, routeExpiry } = ctx.stores();
      if (!routeExpiry) return; // this adapter keeps routes until unbind
      const kept = uniqueUserId();
      const dropped = uniqueUserId();
      const node = uniqueName('node');
      await routes.bind({ userId: kept, deviceId: 'phone', nodeId: node });
      await routes.bind({ userId: dropped, deviceId: 'phone', nodeId: node });
      await routeExpiry.elapse(routeExpiry.ttlMs * 0.6);
      await routes.bind({ userId: kept, deviceId: 'phone', nodeId: node });
      expect(await routes.lookup([kept, dropped])).toHaveLength(2);
      await routeExpiry.elapse(routeExpiry.ttlMs * 0.6);
      expect(await routes.lookup([kept, dropped])).toEqual([{ userId: kept, deviceId: 'phone', nodeId: node }]);
      await routeExpiry.elapse(routeExpiry.ttlMs * 0.6);
      expect(await routes.lookup([kept])).toEqual([]);
    });
  });
}
