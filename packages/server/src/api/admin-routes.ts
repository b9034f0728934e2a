/**
 * Admin endpoints: Prometheus text at /metrics, the JSON counters at
 * /v1/metrics (the bench reads them), and the operator's ban/unban
 * (admin-user-routes.ts) and the apps (admin-app-routes.ts). They reveal user counts, memory and node ids or
 * act on accounts, so nobody gets them by default:
 * - on the main listener they need `Authorization: Bearer <adminToken>`;
 *   with no adminToken set they are refused (403) there;
 * - on the admin listener (adminPort, bound to adminHost = 127.0.0.1 by
 *   default) reaching the port is the permission, plus the token when one is set.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { Errors, XinboxError } from '@xinbox/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppDirectory } from '../core/apps/app-directory.js';
import { registerAdminAppRoutes } from './admin-app-routes.js';
import { registerAdminUserRoutes, type OperatorModeration } from './admin-user-routes.js';
import { metricsJsonSchema, metricsTextSchema } from './route-schemas.js';

export interface AdminRoutesDeps {
  /** The node's JSON counters (/v1/metrics); a primary's include its gateway processes' (asked over IPC). */
  readonly metrics: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** The node's Prometheus registry, as text. */
  readonly prometheus: { text(): Promise<string>; readonly contentType: string };
  /** adminToken: '' = no token configured. */
  readonly adminToken: string;
  /** Operator ban/unban; absent: those routes are not served. */
  readonly moderation?: OperatorModeration | null;
  /** The deployment's apps (admin-app-routes.ts); absent: those routes are not served. */
  readonly apps?: AppDirectory | null;
}

export function registerAdminRoutes(app: FastifyInstance, deps: AdminRoutesDeps, listener: 'main' | 'admin'): void {
  const guard = adminGuard(deps.adminToken, listener);
  app.get('/metrics', { schema: metricsTextSchema, onRequest: guard }, async (_req, reply) =>
    reply.type(deps.prometheus.contentType).send(await deps.prometheus.text()));
  app.get('/v1/metrics', { schema: metricsJsonSchema, onRequest: guard }, async () => deps.metrics());
  if (deps.moderation) registerAdminUserRoutes(app, deps.moderation, guard, deps.apps);
  if (deps.apps) registerAdminAppRoutes(app, deps.apps, guard);
}

export function adminGuard(token: string, listener: 'main' | 'admin'): (req: FastifyRequest) => Promise<void> {
  const expected = digest(token);
  return async (req) => {
    if (!token) {
      if (listener === 'admin') return;
      throw new XinboxError(Errors.PERMISSION_DENIED, 'admin endpoints are off on this listener: set XINBOX_ADMIN_TOKEN (and send it as a bearer token) or XINBOX_ADMIN_PORT');
    }
    const h = req.headers.authorization ?? '';
    // Compare digests: constant time, whatever the lengths.
    if (!h.startsWith('Bearer ') || !timingSafeEqual(digest(h.slice(7)), expected)) {
      throw new XinboxError(Errors.TOKEN_INVALID, 'admin endpoints need Authorization: Bearer <XINBOX_ADMIN_TOKEN>');
    }
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
