import type { UserId } from '../model.js';

/** Where a device's notifications go (docs/integration.md "Push notifications"). */
export type PushProvider = 'apns' | 'fcm' | 'webpush' | 'webhook';
export const PUSH_PROVIDERS: readonly PushProvider[] = ['apns', 'fcm', 'webpush', 'webhook'];

export interface PushRegistration {
  readonly userId: UserId;
  readonly deviceId: string;
  readonly provider: PushProvider;
  /** APNs device token (hex), FCM registration token, Web Push subscription JSON, or the app's own id (webhook). */
  readonly token: string;
  /** Show the sender and text in the notification; false = "New message" only (privacy). */
  readonly preview: boolean;
  readonly updatedAt: number;
}

/**
 * Push tokens, one registration per (user, device).
 *
 * Contract (test/contracts/push-token-store.contract.ts):
 * - `register` replaces the device's previous registration; a token held by
 *   another (user, device) moves to this one (a phone changes hands: the old
 *   account must stop getting its notifications).
 * - `tokensOf` lists every registration of the given users.
 * - `removeToken` deletes a token the provider reported dead, whoever holds it.
 */
export interface PushTokenStore {
  register(r: PushRegistration): Promise<void>;
  unregister(userId: UserId, deviceId: string): Promise<void>;
  tokensOf(userIds: readonly UserId[]): Promise<PushRegistration[]>;
  removeToken(provider: PushProvider, token: string): Promise<number>;
}
