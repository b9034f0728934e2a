import type { UserId } from '../../core/model.js';
import type { Route, RouteRegistry } from '../../core/ports/route-registry.js';

interface RouteState {
  nodeId: string;
  expiresAt: number;
}

export interface MemoryRouteRegistryOptions {
  /**
   * A route not re-bound for this long disappears. Default: never, which is
   * right for single-node mode where the registry dies with the only node.
   */
  readonly ttlMs?: number;
  /** Clock for expiry (the port passes no time). Default Date.now. */
  readonly clock?: () => number;
}

/**
 * In-memory RouteRegistry. The port has no renew call, so a node keeps its
 * routes alive by binding them again; expiry is checked lazily on lookup.
 */
export class MemoryRouteRegistry implements RouteRegistry {
  private readonly users = new Map<UserId, Map<string, RouteState>>();
  private readonly ttlMs: number;
  private readonly clock: () => number;

  constructor(options: MemoryRouteRegistryOptions = {}) {
    this.ttlMs = options.ttlMs ?? Number.POSITIVE_INFINITY;
    this.clock = options.clock ?? Date.now;
  }

  async bind(route: Route): Promise<void> {
    let devices = this.users.get(route.userId);
    if (!devices) {
      devices = new Map();
      this.users.set(route.userId, devices);
    }
    devices.set(route.deviceId, { nodeId: route.nodeId, expiresAt: this.clock() + this.ttlMs });
  }

  async unbind(userId: UserId, deviceId: string, nodeId: string): Promise<void> {
    const devices = this.users.get(userId);
    if (devices?.get(deviceId)?.nodeId !== nodeId) return;
    devices.delete(deviceId);
    if (devices.size === 0) this.users.delete(userId);
  }

  async lookup(userIds: readonly UserId[]): Promise<Route[]> {
    const now = this.clock();
    const routes: Route[] = [];
    for (const userId of new Set(userIds)) {
      const devices = this.users.get(userId);
      if (!devices) continue;
      for (const [deviceId, state] of devices) {
        if (state.expiresAt <= now) devices.delete(deviceId);
        else routes.push({ userId, deviceId, nodeId: state.nodeId });
      }
      if (devices.size === 0) this.users.delete(userId);
    }
    return routes;
  }
}
