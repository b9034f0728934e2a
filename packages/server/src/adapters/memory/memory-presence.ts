import type { DevicePresence, Platform, UserId, UserPresence } from '../../core/model.js';
import type { Presence } from '../../core/ports/presence.js';

interface DeviceState {
  platform: Platform;
  nodeId: string;
  /** False once the holding node reported the device offline. */
  connected: boolean;
  /** Time of the last online/refresh (while connected) or of the offline. */
  lastSeen: number;
}

export interface MemoryPresenceOptions {
  /** A connected device not refreshed for this long counts as offline. Default 90 s. */
  readonly ttlMs?: number;
}

/**
 * In-memory Presence for single-node mode and tests. Expiry is evaluated at
 * query time against the caller's `now`; an expired device reports the time
 * of its last refresh as lastSeen. A refresh only extends a device that the
 * refreshing node holds and has not reported offline.
 */
export class MemoryPresence implements Presence {
  readonly ttlMs: number;
  private readonly users = new Map<UserId, Map<string, DeviceState>>();

  constructor(options: MemoryPresenceOptions = {}) {
    this.ttlMs = options.ttlMs ?? 90_000;
  }

  async online(userId: UserId, deviceId: string, platform: Platform, nodeId: string, now: number): Promise<void> {
    let devices = this.users.get(userId);
    if (!devices) {
      devices = new Map();
      this.users.set(userId, devices);
    }
    devices.set(deviceId, { platform, nodeId, connected: true, lastSeen: now });
  }

  async refresh(userId: UserId, deviceId: string, nodeId: string, now: number): Promise<void> {
    const device = this.users.get(userId)?.get(deviceId);
    if (device && device.connected && device.nodeId === nodeId) device.lastSeen = Math.max(device.lastSeen, now);
  }

  async offline(userId: UserId, deviceId: string, nodeId: string, now: number): Promise<void> {
    const device = this.users.get(userId)?.get(deviceId);
    if (!device || device.nodeId !== nodeId || !device.connected) return;
    device.connected = false;
    device.lastSeen = Math.max(device.lastSeen, now);
  }

  async query(userIds: readonly UserId[], now: number): Promise<UserPresence[]> {
    return userIds.map((userId) => {
      const devices: DevicePresence[] = [];
      for (const [deviceId, state] of this.users.get(userId) ?? []) {
        devices.push({
          deviceId,
          platform: state.platform,
          online: state.connected && now - state.lastSeen < this.ttlMs,
          lastSeen: state.lastSeen,
          nodeId: state.nodeId,
        });
      }
      return {
        userId,
        online: devices.some((d) => d.online),
        lastSeen: devices.reduce((newest, d) => Math.max(newest, d.lastSeen), 0),
        devices,
      };
    });
  }
}
