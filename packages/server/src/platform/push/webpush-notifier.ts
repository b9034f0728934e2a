import { Agent } from 'node:https';
import webpush from 'web-push';
import type { PushNotification, PushNotifier, PushResult } from '../../core/ports/push-notifier.js';
import type { PushRegistration } from '../../core/ports/push-tokens.js';
import { parseSubscription } from './webpush-subscription.js';

export interface WebPushOptions {
  /** VAPID key pair (base64url, as `web-push generate-vapid-keys` prints them). */
  readonly publicKey: string;
  readonly privateKey: string;
  /** `mailto:` or `https:` contact put in the VAPID JWT's `sub`. */
  readonly subject: string;
  /** How long the push service keeps an undelivered notification (TTL header). */
  readonly ttlSeconds: number;
  readonly timeoutMs: number;
  /** Extra trusted certificate authorities (PEM) for push-service endpoints; null = the system's. */
  readonly ca: string | null;
}

/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) through the `web-push` library:
 * the payload is encrypted for the browser's subscription (aes128gcm, RFC
 * 8291) and POSTed to its push service's endpoint with a signed ES256 JWT.
 * 201 = accepted; 404/410 = the subscription is gone (dead token);
 * 429/5xx and network errors = retry; anything else fails for good.
 */
export class WebPushNotifier implements PushNotifier {
  private readonly agent: Agent;

  constructor(private readonly opts: WebPushOptions) {
    // Keep-alive: a burst of notifications reuses connections to the few push services.
    this.agent = new Agent({ keepAlive: true, maxSockets: 32, ...(opts.ca ? { ca: opts.ca } : {}) });
  }

  async send(to: PushRegistration, n: PushNotification): Promise<PushResult> {
    const subscription = parseSubscription(to.token);
    if (!subscription) return { ok: false, dead: true, retryable: false, error: 'Web Push: the token is not a subscription' };
    // What the service worker (packages/web/public/push-sw.js) reads from event.data.json().
    const payload = JSON.stringify({ title: n.title, body: n.body, badge: n.badge, conversationId: n.conversationId, tag: n.collapseKey, count: n.count });
    try {
      await webpush.sendNotification(subscription, payload, {
        vapidDetails: { subject: this.opts.subject, publicKey: this.opts.publicKey, privateKey: this.opts.privateKey },
        TTL: this.opts.ttlSeconds,
        urgency: 'high',
        // A newer notification of the conversation replaces an undelivered older one at the push service.
        topic: topicOf(n.collapseKey),
        timeout: this.opts.timeoutMs,
        agent: this.agent,
        contentEncoding: 'aes128gcm',
      });
      return { ok: true };
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      if (typeof status !== 'number') return { ok: false, dead: false, retryable: true, error: `Web Push: ${(e as Error).message}` };
      const dead = status === 404 || status === 410;
      return { ok: false, dead, retryable: !dead && (status === 429 || status >= 500), error: `Web Push ${status}` };
    }
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}

/** The Topic header: at most 32 characters of the URL-safe base64 alphabet. */
function topicOf(collapseKey: string): string {
  return collapseKey.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 32);
}
