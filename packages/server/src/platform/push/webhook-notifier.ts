import { randomUUID } from 'node:crypto';
import type { PushNotification, PushNotifier, PushResult } from '../../core/ports/push-notifier.js';
import type { PushRegistration } from '../../core/ports/push-tokens.js';
import { HttpPoster } from '../http-post.js';
import { signatureHeaders } from '../webhooks/signature.js';

/**
 * The generic provider: the application's own push service gets each
 * notification as a signed JSON POST (same signature as webhooks) and
 * delivers it however it likes. 2xx = done; 404/410 = the token is dead;
 * 429/5xx = retry.
 */
export class WebhookPushNotifier implements PushNotifier {
  private readonly http: HttpPoster;

  constructor(url: string, private readonly secrets: readonly string[], private readonly timeoutMs: number) {
    this.http = new HttpPoster(url, 16);
  }

  async send(to: PushRegistration, n: PushNotification): Promise<PushResult> {
    const body = JSON.stringify({
      id: randomUUID(),
      type: 'push.notification',
      time: Date.now(),
      data: { userId: String(to.userId), deviceId: to.deviceId, token: to.token, ...n },
    });
    try {
      const res = await this.http.post(body, signatureHeaders(this.secrets, body, Date.now()), this.timeoutMs);
      if (res.status >= 200 && res.status < 300) return { ok: true };
      const dead = res.status === 404 || res.status === 410;
      return { ok: false, dead, retryable: !dead && (res.status === 429 || res.status >= 500), error: `push webhook ${res.status}` };
    } catch (e) {
      return { ok: false, dead: false, retryable: true, error: `push webhook: ${(e as Error).message}` };
    }
  }

  async close(): Promise<void> {
    this.http.close();
  }
}
