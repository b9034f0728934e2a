import { connect, constants, type ClientHttp2Session } from 'node:http2';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { PushNotification, PushNotifier, PushResult } from '../../core/ports/push-notifier.js';
import type { PushRegistration } from '../../core/ports/push-tokens.js';
import { signJwt } from './jwt.js';

export interface ApnsOptions {
  /** https://api.push.apple.com (production), https://api.sandbox.push.apple.com, or a local stand-in (h2c: http://...). */
  readonly url: string;
  readonly teamId: string;
  readonly keyId: string;
  /** The .p8 signing key (PKCS#8 PEM, P-256). */
  readonly privateKeyPem: string;
  /** The app's bundle id: the apns-topic header. */
  readonly topic: string;
  readonly timeoutMs: number;
  readonly clock?: () => number;
}

/** Apple refuses tokens older than an hour and throttles ones renewed more often than every 20 minutes. */
const TOKEN_REFRESH_MS = 40 * 60_000;
/** Reasons after which the device token will never work again (Apple's documented error strings). */
const DEAD_REASONS = new Set(['BadDeviceToken', 'Unregistered', 'DeviceTokenNotForTopic', 'ExpiredToken']);

/**
 * APNs over HTTP/2 with token-based (JWT ES256) authentication: one
 * multiplexed connection, POST /3/device/<token> with apns-topic,
 * apns-push-type, apns-collapse-id and a bearer provider token that is
 * re-signed every 40 minutes. 410 (Unregistered) or BadDeviceToken =
 * dead token; 429 and 5xx = retry.
 */
export class ApnsNotifier implements PushNotifier {
  private session: ClientHttp2Session | null = null;
  private jwt = '';
  private jwtAt = -Infinity;
  private readonly key: KeyObject;
  private readonly clock: () => number;

  constructor(private readonly opts: ApnsOptions) {
    this.key = createPrivateKey(opts.privateKeyPem);
    this.clock = opts.clock ?? Date.now;
  }

  async send(to: PushRegistration, n: PushNotification): Promise<PushResult> {
    const payload = JSON.stringify({
      aps: { alert: { title: n.title, body: n.body }, badge: n.badge, sound: 'default', 'thread-id': n.conversationId },
      conversationId: n.conversationId,
    });
    try {
      const { status, body } = await this.post(to.token, n.collapseKey, payload);
      if (status === 200) return { ok: true };
      const reason = safeReason(body);
      const dead = status === 410 || DEAD_REASONS.has(reason);
      if (reason === 'ExpiredProviderToken') this.jwtAt = -Infinity;
      return { ok: false, dead, retryable: !dead && (status === 429 || status >= 500 || reason === 'ExpiredProviderToken'), error: `APNs ${status} ${reason}` };
    } catch (e) {
      this.session?.destroy();
      this.session = null;
      return { ok: false, dead: false, retryable: true, error: `APNs: ${(e as Error).message}` };
    }
  }

  async close(): Promise<void> {
    this.session?.close();
    this.session = null;
  }

  private providerToken(): string {
    const now = this.clock();
    if (now - this.jwtAt > TOKEN_REFRESH_MS) {
      this.jwt = signJwt('ES256', this.key, { kid: this.opts.keyId }, { iss: this.opts.teamId, iat: Math.floor(now / 1000) });
      this.jwtAt = now;
    }
    return this.jwt;
  }

  private connection(): ClientHttp2Session {
    if (!this.session || this.session.closed || this.session.destroyed) {
      const session = connect(this.opts.url);
      session.on('error', () => undefined);
      session.on('close', () => {
        if (this.session === session) this.session = null;
      });
      this.session = session;
    }
    return this.session;
  }

  private post(deviceToken: string, collapseId: string, payload: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = this.connection().request({
        [constants.HTTP2_HEADER_METHOD]: 'POST',
        [constants.HTTP2_HEADER_PATH]: `/3/device/${encodeURIComponent(deviceToken)}`,
        authorization: `bearer ${this.providerToken()}`,
        'apns-topic': this.opts.topic,
        'apns-push-type': 'alert',
        'apns-priority': '10',
        'apns-collapse-id': collapseId.slice(0, 64),
        'content-type': 'application/json',
      });
      const timer = setTimeout(() => req.close(constants.NGHTTP2_CANCEL), this.opts.timeoutMs);
      let status = 0;
      const chunks: Buffer[] = [];
      req.on('response', (h) => (status = Number(h[constants.HTTP2_HEADER_STATUS])));
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        clearTimeout(timer);
        if (status === 0) reject(new Error(`no answer within ${this.opts.timeoutMs} ms`));
        else resolve({ status, body: Buffer.concat(chunks).toString('utf8') });
      });
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.end(payload);
    });
  }
}

function safeReason(body: string): string {
  try {
    return String((JSON.parse(body) as { reason?: unknown }).reason ?? '');
  } catch {
    return '';
  }
}
