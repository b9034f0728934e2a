/**
 * Push token registration (docs/protocol.md "Push tokens"), authenticated
 * with the device's access token: the device the token names is the one
 * registered.
 *   POST   /v1/push/tokens {provider, token, preview?} -> 204
 *   DELETE /v1/push/tokens                            -> 204
 *   GET    /v1/push/webpush-key[?appId=]              -> 200 {publicKey} (the VAPID key browsers subscribe with; an app's own, ADR 0013)
 */
import type { FastifyInstance } from 'fastify';
import type { IdentityService } from '../core/identity/identity-service.js';
import { PUSH_PROVIDERS, type PushProvider, type PushTokenStore } from '../core/ports/push-tokens.js';
import { Errors, XinboxError } from '@xinbox/protocol';
import { bearer, type RouteRegistrar } from './http-api.js';

export const MAX_PUSH_TOKEN_LENGTH = 4096;

const errors = { '4xx': { $ref: 'XinboxError#' }, '5xx': { $ref: 'XinboxError#' } } as const;

export const registerPushTokenSchema = {
  summary: 'Register where this device gets notifications while none of the user\'s devices is online (replaces its previous token)',
  tags: ['push'],
  security: [{ bearer: [] }],
  body: {
    type: 'object',
    properties: {
      provider: { type: 'string', enum: [...PUSH_PROVIDERS] },
      token: {
        type: 'string', minLength: 1, maxLength: MAX_PUSH_TOKEN_LENGTH,
        description: 'apns: the device token (hex); fcm: the registration token; webpush: the PushSubscription as JSON; webhook: any id your push service understands',
      },
      preview: { type: 'boolean', description: 'false keeps the sender and the text out of the notification (default true)' },
    },
    required: ['provider', 'token'],
  },
  response: { 204: { type: 'null', description: 'Registered' }, ...errors },
} as const;

export const unregisterPushTokenSchema = {
  summary: 'Stop notifications to this device (do it at logout)',
  tags: ['push'],
  security: [{ bearer: [] }],
  response: { 204: { type: 'null', description: 'Removed' }, ...errors },
} as const;

export const webPushKeySchema = {
  summary: 'The server\'s VAPID public key: a browser passes it as applicationServerKey to pushManager.subscribe()',
  tags: ['push'],
  querystring: {
    type: 'object', additionalProperties: false,
    properties: { appId: { type: 'string', minLength: 1, maxLength: 64, description: 'The app whose key to return (multi-tenant apps); absent = `default`, the config\'s' } },
  },
  response: {
    200: { type: 'object', properties: { publicKey: { type: 'string', description: 'base64url, an uncompressed P-256 point' } }, required: ['publicKey'] },
    ...errors,
  },
} as const;

interface TokenBody { provider: PushProvider; token: string; preview?: boolean }

/** Hook for a provider that checks its tokens' shape (Web Push: a subscription JSON); throws INVALID_ARGUMENT. */
export type PushTokenCheck = (provider: PushProvider, token: string) => void;

export interface PushTokenRouteOptions {
  readonly check?: PushTokenCheck;
  /** The VAPID public key; empty = Web Push is off (the key endpoint answers NOT_FOUND). */
  readonly webPushPublicKey?: string;
  /** An app's VAPID public key ('' = none); absent: only the config's key is served. APP_NOT_FOUND for an unknown app. */
  readonly webPushKeyOf?: (appId: string) => Promise<string>;
  readonly clock?: () => number;
}

export function pushTokenRoutes(identity: IdentityService, tokens: PushTokenStore, opts: PushTokenRouteOptions = {}): RouteRegistrar {
  const check = opts.check ?? (() => undefined);
  const clock = opts.clock ?? Date.now;
  return (app: FastifyInstance) => {
    app.get<{ Querystring: { appId?: string } }>('/v1/push/webpush-key', { schema: webPushKeySchema }, async (req) => {
      const appId = req.query.appId;
      const key = appId !== undefined && opts.webPushKeyOf ? await opts.webPushKeyOf(appId) : opts.webPushPublicKey;
      if (!key) throw new XinboxError(Errors.NOT_FOUND, `Web Push is not configured ${appId ? `for app ${appId}` : 'on this server'}`);
      return { publicKey: key };
    });
    app.post<{ Body: TokenBody }>('/v1/push/tokens', { schema: registerPushTokenSchema }, async (req, reply) => {
      const claims = await identity.authenticate(bearer(req));
      const { provider, token } = req.body;
      check(provider, token);
      await tokens.register({ userId: claims.uid, deviceId: claims.did, provider, token, preview: req.body.preview !== false, updatedAt: clock() });
      return reply.code(204).send();
    });
    app.delete('/v1/push/tokens', { schema: unregisterPushTokenSchema }, async (req, reply) => {
      const claims = await identity.authenticate(bearer(req));
      await tokens.unregister(claims.uid, claims.did);
      return reply.code(204).send();
    });
  };
}
