import { Errors, XinboxError } from '@xinbox/protocol';

/** A browser's PushSubscription as `JSON.stringify(subscription)` gives it. */
export interface WebPushSubscription {
  readonly endpoint: string;
  readonly keys: { readonly p256dh: string; readonly auth: string };
}

const B64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/** The subscription in a stored token, or null when it is not one (an old or hand-made token). */
export function parseSubscription(token: string): WebPushSubscription | null {
  try {
    const v = JSON.parse(token) as { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } };
    if (typeof v.endpoint !== 'string' || typeof v.keys?.p256dh !== 'string' || typeof v.keys.auth !== 'string') return null;
    return { endpoint: v.endpoint, keys: { p256dh: v.keys.p256dh, auth: v.keys.auth } };
  } catch {
    return null;
  }
}

/**
 * Checks a `webpush` token at registration: a subscription whose endpoint is
 * https on an allowed push-service host (a user must not make the server
 * POST to arbitrary addresses) and whose keys have the sizes RFC 8291 needs
 * (p256dh: a 65-byte P-256 point, auth: 16 bytes).
 */
export function checkWebPushToken(token: string, allowedHosts: readonly string[]): void {
  const sub = parseSubscription(token);
  if (!sub) throw new XinboxError(Errors.INVALID_ARGUMENT, 'a webpush token is the PushSubscription as JSON: {endpoint, keys: {p256dh, auth}}');
  let url: URL;
  try {
    url = new URL(sub.endpoint);
  } catch {
    throw new XinboxError(Errors.INVALID_ARGUMENT, 'the subscription endpoint is not a URL');
  }
  const host = url.hostname.toLowerCase();
  const allowed = allowedHosts.some((h) => host === h || host.endsWith(`.${h}`));
  if (url.protocol !== 'https:' || !allowed) {
    throw new XinboxError(Errors.INVALID_ARGUMENT, `the subscription endpoint must be https on a known push service (${allowedHosts.join(', ')})`);
  }
  const bytes = (s: string) => (B64URL.test(s) ? Buffer.from(s, 'base64url').length : -1);
  if (bytes(sub.keys.p256dh) !== 65 || bytes(sub.keys.auth) !== 16) {
    throw new XinboxError(Errors.INVALID_ARGUMENT, 'the subscription keys must be p256dh (65 bytes) and auth (16 bytes), base64url');
  }
}
