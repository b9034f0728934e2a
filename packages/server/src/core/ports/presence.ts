import type { Platform, UserId, UserPresence } from '../model.js';

/**
 * Per-device presence.
 *
 * Contract:
 * - `online` marks a device online on a node; it stays online until `offline`
 *   for the same (device, node) or until `ttlMs` passes without `refresh`
 *   (a crashed node's devices expire instead of staying pseudo-online).
 * - `offline` from a node that no longer holds the device (it moved to another
 *   node) does not mark it offline.
 * - A user is online when any of its devices is; lastSeen is the newest
 *   lastSeen of its devices (ms since epoch).
 */
export interface Presence {
  online(userId: UserId, deviceId: string, platform: Platform, nodeId: string, now: number): Promise<void>;
  refresh(userId: UserId, deviceId: string, nodeId: string, now: number): Promise<void>;
  offline(userId: UserId, deviceId: string, nodeId: string, now: number): Promise<void>;
  query(userIds: readonly UserId[], now: number): Promise<UserPresence[]>;
}
