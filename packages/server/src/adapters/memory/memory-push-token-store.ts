import type { UserId } from '../../core/model.js';
import type { PushProvider, PushRegistration, PushTokenStore } from '../../core/ports/push-tokens.js';

/** PushTokenStore in memory (tests, storage=memory). */
export class MemoryPushTokenStore implements PushTokenStore {
  private readonly byDevice = new Map<string, PushRegistration>();

  async register(r: PushRegistration): Promise<void> {
    for (const [key, other] of this.byDevice) if (other.provider === r.provider && other.token === r.token) this.byDevice.delete(key);
    this.byDevice.set(`${r.userId}/${r.deviceId}`, { ...r });
  }

  async unregister(userId: UserId, deviceId: string): Promise<void> {
    this.byDevice.delete(`${userId}/${deviceId}`);
  }

  async tokensOf(userIds: readonly UserId[]): Promise<PushRegistration[]> {
    const wanted = new Set(userIds);
    return [...this.byDevice.values()].filter((r) => wanted.has(r.userId)).sort((a, b) => a.userId - b.userId || (a.deviceId < b.deviceId ? -1 : 1));
  }

  async removeToken(provider: PushProvider, token: string): Promise<number> {
    let n = 0;
    for (const [key, r] of this.byDevice) {
      if (r.provider === provider && r.token === token) {
        this.byDevice.delete(key);
        n++;
      }
    }
    return n;
  }
}
