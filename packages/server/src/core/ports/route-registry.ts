import type { UserId } from '../model.js';

export interface Route {
  readonly userId: UserId;
  readonly deviceId: string;
  readonly nodeId: string;
}

/**
 * Where each online device is connected (device -> gateway node).
 *
 * Contract:
 * - `bind` replaces any earlier route of the same device.
 * - `unbind` removes the route only if it still points at `nodeId`.
 * - `lookup` returns the current routes of the given users (users with no
 *   online device are absent).
 * - Routes of a node that stops renewing expire after the adapter's TTL.
 */
export interface RouteRegistry {
  bind(route: Route): Promise<void>;
  unbind(userId: UserId, deviceId: string, nodeId: string): Promise<void>;
  lookup(userIds: readonly UserId[]): Promise<Route[]>;
}
