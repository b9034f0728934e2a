import type { PushRegistration } from './push-tokens.js';

/** One notification as every provider gets it. */
export interface PushNotification {
  readonly title: string;
  readonly body: string;
  /** Total unread of the user: the app icon badge. */
  readonly badge: number;
  readonly conversationId: string;
  /** Notifications of one conversation replace each other on the device. */
  readonly collapseKey: string;
  /** Messages this notification stands for (a coalesced burst counts all of them). */
  readonly count: number;
}

/** `dead`: the provider says the token will never work again; remove it. `retryable`: try again later. */
export type PushResult = { ok: true } | { ok: false; dead: boolean; retryable: boolean; error: string };

/** A push provider: APNs, FCM, Web Push or the application's own webhook. */
export interface PushNotifier {
  send(to: PushRegistration, n: PushNotification): Promise<PushResult>;
  close(): Promise<void>;
}
