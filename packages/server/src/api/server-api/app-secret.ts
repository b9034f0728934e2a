import { createHash, timingSafeEqual } from 'node:crypto';
import { Errors, XinboxError } from '@xinbox/protocol';
import type { FastifyRequest } from 'fastify';

/**
 * The server API's authentication: `Authorization: Bearer <app secret>`,
 * any of the configured secrets (several at once, so a secret is rotated by
 * adding the new one, moving the backend to it, then removing the old one).
 * Digests are compared in constant time, whatever the lengths. Missing or
 * wrong: APP_SECRET_INVALID (401).
 */
export function appSecretGuard(secrets: readonly string[]): (req: FastifyRequest) => Promise<void> {
  const digests = secrets.map(digest);
  return async (req) => {
    const h = req.headers.authorization ?? '';
    if (!h.startsWith('Bearer ')) throw new XinboxError(Errors.APP_SECRET_INVALID, 'the server API needs Authorization: Bearer <app secret>');
    const presented = digest(h.slice(7));
    let ok = false;
    for (const d of digests) ok = timingSafeEqual(presented, d) || ok; // every secret compared: no early exit
    if (!ok) throw new XinboxError(Errors.APP_SECRET_INVALID);
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
