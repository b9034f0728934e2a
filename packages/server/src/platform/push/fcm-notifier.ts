import type { PushNotification, PushNotifier, PushResult } from '../../core/ports/push-notifier.js';
import type { PushRegistration } from '../../core/ports/push-tokens.js';
import { HttpPoster } from '../http-post.js';
import { signJwt } from './jwt.js';

/** The fields of a Google service-account key file that FCM HTTP v1 needs. */
export interface ServiceAccount {
  readonly project_id: string;
  readonly client_email: string;
  readonly private_key: string;
  /** https://oauth2.googleapis.com/token, or a local stand-in. */
  readonly token_uri: string;
}

export interface FcmOptions {
  readonly account: ServiceAccount;
  /** https://fcm.googleapis.com, or a local stand-in. */
  readonly url: string;
  readonly timeoutMs: number;
  readonly clock?: () => number;
}

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

/**
 * FCM HTTP v1 with service-account OAuth: a JWT assertion (RS256, signed
 * with the account's key) is exchanged at token_uri for an access token
 * (cached until a minute before it expires), then
 * POST /v1/projects/<project>/messages:send with `authorization: Bearer`.
 * 404 NOT_FOUND / UNREGISTERED = dead token; 429, 5xx = retry; 401 renews
 * the access token and retries.
 */
export class FcmNotifier implements PushNotifier {
  private accessToken = '';
  private accessTokenUntil = 0;
  private readonly tokens: HttpPoster;
  private readonly fcm: HttpPoster;
  private readonly clock: () => number;

  constructor(private readonly opts: FcmOptions) {
    this.clock = opts.clock ?? Date.now;
    this.tokens = new HttpPoster(opts.account.token_uri, 2);
    this.fcm = new HttpPoster(`${opts.url.replace(/\/$/, '')}/v1/projects/${encodeURIComponent(opts.account.project_id)}/messages:send`, 32);
  }

  async send(to: PushRegistration, n: PushNotification): Promise<PushResult> {
    const message = {
      message: {
        token: to.token,
        notification: { title: n.title, body: n.body },
        data: { conversationId: n.conversationId, count: String(n.count) },
        android: { collapse_key: n.collapseKey, notification: { notification_count: n.badge, tag: n.collapseKey } },
        apns: { payload: { aps: { badge: n.badge } } },
      },
    };
    try {
      const res = await this.fcm.post(JSON.stringify(message), { authorization: `Bearer ${await this.bearer()}` }, this.opts.timeoutMs);
      if (res.status === 200) return { ok: true };
      const { status, code } = fcmError(res.text);
      if (res.status === 401) this.accessTokenUntil = 0;
      const dead = res.status === 404 || code === 'UNREGISTERED' || (status === 'INVALID_ARGUMENT' && code === 'INVALID_ARGUMENT');
      return { ok: false, dead, retryable: !dead && (res.status === 401 || res.status === 429 || res.status >= 500), error: `FCM ${res.status} ${code || status}` };
    } catch (e) {
      return { ok: false, dead: false, retryable: true, error: `FCM: ${(e as Error).message}` };
    }
  }

  async close(): Promise<void> {
    this.tokens.close();
    this.fcm.close();
  }

  private async bearer(): Promise<string> {
    const now = this.clock();
    if (now < this.accessTokenUntil) return this.accessToken;
    const iat = Math.floor(now / 1000);
    const a = this.opts.account;
    const assertion = signJwt('RS256', a.private_key, {}, { iss: a.client_email, scope: SCOPE, aud: a.token_uri, iat, exp: iat + 3600 });
    const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString();
    const res = await this.tokens.post(body, { 'content-type': 'application/x-www-form-urlencoded' }, this.opts.timeoutMs);
    if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}`);
    const t = JSON.parse(res.text) as { access_token?: string; expires_in?: number };
    if (!t.access_token) throw new Error('token endpoint sent no access_token');
    this.accessToken = t.access_token;
    this.accessTokenUntil = now + Math.max(0, (t.expires_in ?? 3600) - 60) * 1000;
    return this.accessToken;
  }
}

function fcmError(text: string): { status: string; code: string } {
  try {
    const e = (JSON.parse(text) as { error?: { status?: string; details?: Array<{ errorCode?: string }> } }).error;
    return { status: e?.status ?? '', code: e?.details?.find((d) => d.errorCode)?.errorCode ?? '' };
  } catch {
    return { status: '', code: '' };
  }
}
