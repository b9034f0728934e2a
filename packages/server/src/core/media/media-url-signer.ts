import { createHmac, timingSafeEqual } from 'node:crypto';
import { Errors, XinboxError } from '@xinbox/protocol';

/**
 * Short-lived signed download URLs, so `<img>` and `<video>` can fetch media
 * without an Authorization header: `/media/{id}/{variant}?exp={ms}&sig={hmac}`.
 * The signature is HMAC-SHA256 over "id/variant/exp" with a key derived from
 * the token secret, so every node of a cluster (sharing tokenSecret) accepts
 * the URLs of every other.
 */
export class MediaUrlSigner {
  private readonly key: Buffer;

  constructor(tokenSecret: string, private readonly ttlMs: number, private readonly clock: () => number = Date.now) {
    this.key = createHmac('sha256', tokenSecret).update('xinbox media url v1').digest();
  }

  /** The path and query of a signed URL for one variant ("original", "thumb320", "poster" ...). */
  sign(mediaId: string, variant: string): { path: string; expiresAt: number } {
    const exp = this.clock() + this.ttlMs;
    return { path: `/media/${encodeURIComponent(mediaId)}/${variant}?exp=${exp}&sig=${this.mac(mediaId, variant, exp)}`, expiresAt: exp };
  }

  /** Throws MEDIA_URL_INVALID or MEDIA_URL_EXPIRED; returns the expiry. */
  verify(mediaId: string, variant: string, expRaw: string | null, sig: string | null): number {
    const exp = Number(expRaw);
    if (!expRaw || !Number.isSafeInteger(exp) || !sig) throw new XinboxError(Errors.MEDIA_URL_INVALID, 'exp and sig are required');
    const want = Buffer.from(this.mac(mediaId, variant, exp));
    const got = Buffer.from(sig);
    if (got.length !== want.length || !timingSafeEqual(got, want)) throw new XinboxError(Errors.MEDIA_URL_INVALID);
    if (exp <= this.clock()) throw new XinboxError(Errors.MEDIA_URL_EXPIRED);
    return exp;
  }

  private mac(mediaId: string, variant: string, exp: number): string {
    return createHmac('sha256', this.key).update(`${mediaId}/${variant}/${exp}`).digest('base64url');
  }
}
