import { createPrivateKey, sign, type KeyObject } from 'node:crypto';

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/**
 * A compact JWS. ES256 signatures are the raw r||s form JOSE requires
 * (ieee-p1363), not DER. Used for APNs provider tokens (ES256) and the FCM
 * service-account assertion (RS256).
 */
export function signJwt(alg: 'ES256' | 'RS256', key: KeyObject | string, header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const k = typeof key === 'string' ? createPrivateKey(key) : key;
  const input = `${b64url(JSON.stringify({ alg, typ: 'JWT', ...header }))}.${b64url(JSON.stringify(claims))}`;
  const signature = alg === 'ES256' ? sign('sha256', Buffer.from(input), { key: k, dsaEncoding: 'ieee-p1363' }) : sign('sha256', Buffer.from(input), k);
  return `${input}.${b64url(signature)}`;
}
