import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Errors, XinboxError } from '@xinbox/protocol';
import type { Platform, UserId } from '../model.js';

/** What an access token asserts. `sid` names the session so it can be revoked. */
export interface AccessClaims {
  readonly uid: UserId;
  readonly did: string;
  readonly sid: string;
  readonly plat: Platform;
  /** Expiry, ms since epoch. */
  readonly exp: number;
  /** The user's app (ADR 0013); absent = `default`, so tokens issued before apps existed stay valid. */
  readonly app?: string;
}

/**
 * Compact signed tokens: base64url(JSON claims) "." base64url(HMAC-SHA256).
 * Signature is checked in constant time before the claims are trusted.
 */
export class TokenSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 16) throw new Error('token secret must be at least 16 characters');
    this.key = Buffer.from(secret, 'utf8');
  }

  sign(claims: AccessClaims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** Verify signature and expiry; throws XinboxError TOKEN_INVALID / TOKEN_EXPIRED. */
  verify(token: string, now: number): AccessClaims {
    const dot = token.indexOf('.');
    if (dot <= 0 || token.length > 2048) throw new XinboxError(Errors.TOKEN_INVALID);
    const body = token.slice(0, dot);
    const sig = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = this.mac(body);
    if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) throw new XinboxError(Errors.TOKEN_INVALID);
    let claims: AccessClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as AccessClaims;
    } catch {
      throw new XinboxError(Errors.TOKEN_INVALID);
    }
    if (typeof claims.uid !== 'number' || typeof claims.sid !== 'string' || typeof claims.exp !== 'number' || (claims.app !== undefined && typeof claims.app !== 'string')) {
      throw new XinboxError(Errors.TOKEN_INVALID);
    }
    if (claims.exp <= now) throw new XinboxError(Errors.TOKEN_EXPIRED);
    return claims;
  }

  /**
   * A refresh token "<sessionId>.<secret>.<tag>": the tag (HMAC over session
   * and secret) proves the server issued it, so an old, already rotated one
   * can be told apart from a guess (reuse detection revokes the session).
   */
  signRefresh(sessionId: string, secret: string): string {
    return `${sessionId}.${secret}.${this.mac(`refresh.${sessionId}.${secret}`).subarray(0, 18).toString('base64url')}`;
  }

  /** The session id and secret of a refresh token this server issued, or null. */
  verifyRefresh(token: string): { sessionId: string; secret: string } | null {
    const parts = token.split('.');
    if (parts.length !== 3 || token.length > 512) return null;
    const [sessionId, secret, tag] = parts as [string, string, string];
    const expected = this.mac(`refresh.${sessionId}.${secret}`).subarray(0, 18);
    const given = Buffer.from(tag, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return { sessionId, secret };
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest();
  }
}

export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
