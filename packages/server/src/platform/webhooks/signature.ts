import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook request signing (docs/integration.md "Verifying a webhook").
 *
 *   Xinbox-Timestamp: <unix seconds>
 *   Xinbox-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>[,v1=<hex>...]
 *
 * During a secret rotation the server signs with every configured secret, so
 * a receiver holding either the old or the new one accepts the request. The
 * timestamp is inside the MAC, so a receiver that refuses timestamps outside
 * its replay window (default 5 minutes) refuses replays of old requests.
 */
export const TIMESTAMP_HEADER = 'xinbox-timestamp';
export const SIGNATURE_HEADER = 'xinbox-signature';
export const DEFAULT_REPLAY_WINDOW_SEC = 300;

export function signature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The headers for one request, signed with every secret (first = current). */
export function signatureHeaders(secrets: readonly string[], body: string, nowMs: number): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: secrets.map((s) => `v1=${signature(s, timestamp, body)}`).join(','),
  };
}

export type VerifyResult = { ok: true } | { ok: false; reason: 'missing headers' | 'stale timestamp' | 'bad signature' };

/**
 * What a receiver does (exported for customers' Node backends and for the
 * tests): recompute the MAC over the raw body and compare in constant time,
 * and refuse timestamps outside the replay window.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  nowMs: number = Date.now(),
  replayWindowSec: number = DEFAULT_REPLAY_WINDOW_SEC,
): VerifyResult {
  const ts = headers[TIMESTAMP_HEADER];
  const sig = headers[SIGNATURE_HEADER];
  if (typeof ts !== 'string' || typeof sig !== 'string' || !/^\d+$/.test(ts)) return { ok: false, reason: 'missing headers' };
  const timestamp = Number(ts);
  if (Math.abs(nowMs / 1000 - timestamp) > replayWindowSec) return { ok: false, reason: 'stale timestamp' };
  const expected = Buffer.from(signature(secret, timestamp, rawBody), 'hex');
  for (const part of sig.split(',')) {
    const [scheme, hex] = part.trim().split('=');
    if (scheme !== 'v1' || !hex || !/^[0-9a-f]{64}$/.test(hex)) continue;
    if (timingSafeEqual(Buffer.from(hex, 'hex'), expected)) return { ok: true };
  }
  return { ok: false, reason: 'bad signature' };
}
