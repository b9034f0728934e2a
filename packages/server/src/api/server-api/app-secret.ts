import { Errors, XinboxError } from '@xinbox/protocol';
import type { FastifyRequest } from 'fastify';
import type { AppId, AppRecord } from '../../core/ports/app-store.js';

/** Finds the app a secret belongs to (AppDirectory.bySecret). */
export interface SecretLookup {
  bySecret(secret: string): Promise<AppRecord | null>;
}

const appOfRequest = new WeakMap<FastifyRequest, AppId>();

/**
 * The server API's authentication: `Authorization: Bearer <app secret>`.
 * The secret identifies the app (ADR 0013 §6): the config's secrets are the
 * built-in `default` app's (compared in constant time, every one), an
 * operator-created app's are found by digest. Several secrets per app work
 * at once, so a secret is rotated by adding the new one, moving the backend
 * to it, then retiring the old one. Missing or unknown: APP_SECRET_INVALID (401).
 */
export function appSecretGuard(apps: SecretLookup): (req: FastifyRequest) => Promise<void> {
  return async (req) => {
    const h = req.headers.authorization ?? '';
    if (!h.startsWith('Bearer ')) throw new XinboxError(Errors.APP_SECRET_INVALID, 'the server API needs Authorization: Bearer <app secret>');
    const app = await apps.bySecret(h.slice(7));
    if (!app) throw new XinboxError(Errors.APP_SECRET_INVALID);
    appOfRequest.set(req, app.id);
  };
}

/** The app whose secret authenticated this request (after appSecretGuard). */
export function requestApp(req: FastifyRequest): AppId {
  const app = appOfRequest.get(req);
  if (app === undefined) throw new XinboxError(Errors.APP_SECRET_INVALID);
  return app;
}
