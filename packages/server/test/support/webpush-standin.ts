/**
 * A local push service implementing the Web Push contract the way browsers'
 * push services do (no real one is reachable from the test machines):
 * HTTPS (a self-signed certificate made by openssl), `POST /push/<id>` with
 * `Authorization: vapid t=<JWT>, k=<public key>` (RFC 8292: ES256 verified
 * with the key from the header, `aud` = this origin, `exp` in the future and
 * at most 24 h away, `sub` a mailto: or https: contact), `TTL`, and an
 * `aes128gcm` body (RFC 8188) that it decrypts with the subscription's private
 * key (RFC 8291) — the key pair and auth secret a browser would hold, made
 * here by the test. Answers 201 Created, 410 Gone for a dead subscription,
 * 400/401/403 for a malformed request or a bad VAPID token.
 */
import { execFileSync } from 'node:child_process';
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify, type ECDH } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';

export interface BrowserSubscription {
  readonly id: string;
  /** What the browser's `JSON.stringify(pushSubscription)` gives: the token to register. */
  readonly json: string;
  readonly ecdh: ECDH;
  readonly auth: Buffer;
}

export interface WebPushDelivery {
  readonly subscriptionId: string;
  readonly payload: Record<string, unknown>;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly claims: Record<string, unknown>;
}

export class WebPushStandIn {
  readonly deliveries: WebPushDelivery[] = [];
  /** Why requests were refused (bad JWT, undecryptable body ...). */
  readonly refused: string[] = [];
  readonly dead = new Set<string>();
  /** Requests per subscription id, whatever the answer. */
  readonly attempts = new Map<string, number>();
  readonly caFile: string;
  private readonly subscriptions = new Map<string, BrowserSubscription>();
  private readonly cert: string;
  private readonly key: string;
  private server: Server | null = null;
  origin = '';

  constructor(dir: string) {
    this.key = join(dir, 'webpush-key.pem');
    this.caFile = join(dir, 'webpush-cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', this.key, '-out', this.caFile, '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'pipe' });
    this.cert = readFileSync(this.caFile, 'utf8');
  }

  /** A new browser subscription on this push service (the browser's own key pair and auth secret). */
  subscribe(): BrowserSubscription {
    const id = randomBytes(12).toString('base64url');
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    const json = JSON.stringify({ endpoint: `${this.origin}/push/${id}`, expirationTime: null, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } });
    const sub = { id, json, ecdh, auth };
    this.subscriptions.set(id, sub);
    return sub;
  }

  async start(): Promise<void> {
    const server = createServer({ cert: this.cert, key: readFileSync(this.key) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const answer = (status: number, reason?: string) => {
          if (reason) this.refused.push(reason);
          res.writeHead(status, { 'content-type': 'text/plain' }).end(reason ?? '');
        };
        const id = /^\/push\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '')?.[1];
        const sub = id ? this.subscriptions.get(id) : undefined;
        if (req.method !== 'POST' || !sub) return answer(404, 'no such subscription');
        this.attempts.set(sub.id, (this.attempts.get(sub.id) ?? 0) + 1);
        const claims = this.verifyVapid(String(req.headers.authorization ?? ''));
        if (typeof claims === 'string') return answer(claims.startsWith('missing') ? 401 : 403, claims);
        if (req.headers.ttl === undefined || !/^\d+$/.test(String(req.headers.ttl))) return answer(400, 'missing TTL');
        if (req.headers['content-encoding'] !== 'aes128gcm') return answer(415, 'content-encoding must be aes128gcm');
        if (this.dead.has(sub.id)) return answer(410, 'subscription expired');
        let payload: Record<string, unknown>;
        try {
          payload = JSON.parse(decryptAes128gcm(Buffer.concat(chunks), sub).toString('utf8')) as Record<string, unknown>;
        } catch (e) {
          return answer(400, `cannot decrypt: ${(e as Error).message}`);
        }
        this.deliveries.push({ subscriptionId: sub.id, payload, headers: req.headers, claims });
        res.writeHead(201, { location: `${this.origin}/message/${randomBytes(6).toString('hex')}` }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    const a = server.address();
    this.origin = `https://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** RFC 8292: `vapid t=<jwt>, k=<key>`; the claims, or why the token is refused. */
  private verifyVapid(header: string): Record<string, unknown> | string {
    const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header);
    if (!m) return 'missing or malformed vapid authorization';
    const [h, c, s] = m[1]!.split('.');
    if (!h || !c || !s) return 'malformed JWT';
    const jwtHeader = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
    const claims = JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown>;
    if (jwtHeader.alg !== 'ES256') return 'alg must be ES256';
    const point = Buffer.from(m[2]!, 'base64url');
    if (point.length !== 65 || point[0] !== 4) return 'k is not an uncompressed P-256 point';
    const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') }, format: 'jwk' });
    if (!verify('sha256', Buffer.from(`${h}.${c}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'))) return 'bad JWT signature';
    const now = Math.floor(Date.now() / 1000);
    if (claims.aud !== this.origin) return `aud ${String(claims.aud)} is not ${this.origin}`;
    if (typeof claims.exp !== 'number' || claims.exp <= now || claims.exp > now + 24 * 3600) return 'exp missing, past or over 24 h away';
    if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub)) return 'sub must be mailto: or https:';
    return claims;
  }
}

/** RFC 8291 (keys) over RFC 8188 (aes128gcm record): what a browser does with a push message. */
export function decryptAes128gcm(body: Buffer, sub: BrowserSubscription): Buffer {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const asPublic = body.subarray(21, 21 + idlen);
  const records = body.subarray(21 + idlen);
  if (idlen !== 65) throw new Error('keyid must be the 65-byte application server key');
  if (records.length > rs) throw new Error('more than one record');
  const ecdhSecret = sub.ecdh.computeSecret(asPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), sub.ecdh.getPublicKey(), asPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, sub.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(records.subarray(records.length - 16));
  const padded = Buffer.concat([decipher.update(records.subarray(0, records.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02 followed by zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('last-record delimiter missing');
  return padded.subarray(0, end);
}
