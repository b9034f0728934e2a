import { describe, expect, it } from 'vitest';
import type { PushRegistration, PushTokenStore } from '../../src/core/ports/push-tokens.js';
import { uniqueName, uniqueUserId, useFixture, type FixtureFactory } from './contract-support.js';

export interface PushTokenPorts {
  readonly pushTokens: PushTokenStore;
}

function reg(userId: number, deviceId: string, extra: Partial<PushRegistration> = {}): PushRegistration {
  return { userId, deviceId, provider: 'apns', token: uniqueName('tok'), preview: true, updatedAt: 1000, ...extra };
}

/** The PushTokenStore contract (core/ports/push-tokens.ts), for every adapter. */
export function describePushTokenStoreContract(name: string, makeStores: FixtureFactory<PushTokenPorts>): void {
  describe(`PushTokenStore contract: ${name}`, () => {
    const ctx = useFixture(makeStores);

    it('keeps one registration per device, replaced by the next, listed per user', async () => {
      const { pushTokens } = ctx.stores();
      const [u1, u2] = [uniqueUserId(), uniqueUserId()];
      const a = reg(u1, 'phone');
      const b = reg(u1, 'web', { provider: 'webpush', preview: false });
      const c = reg(u2, 'phone', { provider: 'fcm' });
      for (const r of [a, b, c]) await pushTokens.register(r);
      expect(await pushTokens.tokensOf([u1])).toEqual([a, b]);
      const a2 = { ...a, token: uniqueName('tok'), updatedAt: 2000 };
      await pushTokens.register(a2);
      expect(await pushTokens.tokensOf([u1, u2])).toEqual([a2, b, c]);
      await pushTokens.unregister(u1, 'web');
      expect(await pushTokens.tokensOf([u1])).toEqual([a2]);
      expect(await pushTokens.tokensOf([])).toEqual([]);
    });

    it('moves a token to the device that registers it last', async () => {
      const { pushTokens } = ctx.stores();
      const [u1, u2] = [uniqueUserId(), uniqueUserId()];
      const first = reg(u1, 'phone');
      await pushTokens.register(first);
      const second = reg(u2, 'phone', { token: first.token });
      await pushTokens.register(second);
      expect(await pushTokens.tokensOf([u1, u2])).toEqual([second]);
    });

    it('removes a dead token wherever it is registered', async () => {
      const { pushTokens } = ctx.stores();
      const u = uniqueUserId();
      const r = reg(u, 'phone', { provider: 'fcm' });
      await pushTokens.register(r);
      expect(await pushTokens.removeToken('apns', r.token)).toBe(0);
      expect(await pushTokens.removeToken('fcm', r.token)).toBe(1);
      expect(await pushTokens.tokensOf([u])).toEqual([]);
    });
  });
}
