/**
 * Operator account actions on the admin routes (same guard as /metrics):
 *
 *   POST /v1/admin/users/{username}/ban    { minutes?, reason?, app? }
 *   POST /v1/admin/users/{username}/unban  { reason?, app? }
 *
 * The username is looked up in `app` (body or query; absent = `default`,
 * unknown = APP_NOT_FOUND): usernames are unique per app.
 *
 * They go through ModerationService like a moderator's ban, so every device
 * of the user is closed with 4011 at once (on every node of a cluster) and
 * login/refresh answer BANNED; `xinbox user ban|unban` calls them. An
 * operator CLI writing the store directly would leave connected devices up.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UserId } from '../core/model.js';
import type { RestrictionRecord } from '../core/ports/moderation-store.js';
import type { AppId } from '../core/ports/app-store.js';
import { appSelectorSchema, selectedApp, type AppLookup } from './admin-app-selector.js';

/** The part of ModerationService these routes use. */
export interface OperatorModeration {
  restrictByOperator(username: string, action: { kind: 'ban'; untilMs?: number } | { kind: 'unban' }, note: string, appId: AppId):
    Promise<{ userId: UserId; restriction: RestrictionRecord }>;
}

/** Longest timed ban: ten years (a larger number is almost certainly a typo; omit `minutes` for a permanent ban). */
const MAX_BAN_MINUTES = 10 * 366 * 24 * 60;

const errors = { '4xx': { $ref: 'XinboxError#' }, '5xx': { $ref: 'XinboxError#' } } as const;
const params = { type: 'object', properties: { username: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['username'] } as const;
const reason = { type: 'string', maxLength: 200, description: 'Kept in the moderation audit log' } as const;
const querystring = { type: 'object', additionalProperties: false, properties: { app: appSelectorSchema } } as const;
const restrictionReply = {
  type: 'object',
  properties: {
    userId: { type: 'integer' },
    username: { type: 'string' },
    app: { type: 'string', description: 'The app the user belongs to' },
    banned: { type: 'boolean' },
    bannedUntil: { type: 'integer', description: 'ms since the epoch; 0 = until unbanned (or not banned)' },
  },
  required: ['userId', 'username', 'app', 'banned', 'bannedUntil'],
} as const;

export const banSchema = {
  summary: 'Ban an account: its devices are disconnected (close 4011), login and refresh answer BANNED (1405); admin only',
  tags: ['operations'],
  security: [{ adminBearer: [] }],
  params,
  querystring,
  body: {
    type: 'object',
    properties: { minutes: { type: 'integer', minimum: 1, maximum: MAX_BAN_MINUTES, description: 'Ban length; absent = until unbanned' }, reason, app: appSelectorSchema },
    additionalProperties: false,
  },
  response: { 200: restrictionReply, ...errors },
} as const;

export const unbanSchema = {
  summary: 'Lift a ban (timed or not); admin only',
  tags: ['operations'],
  security: [{ adminBearer: [] }],
  params,
  querystring,
  body: { type: 'object', properties: { reason, app: appSelectorSchema }, additionalProperties: false },
  response: { 200: restrictionReply, ...errors },
} as const;

type Route = { Params: { username: string }; Querystring: { app?: string }; Body: { minutes?: number; reason?: string; app?: string } | undefined };

export function registerAdminUserRoutes(app: FastifyInstance, moderation: OperatorModeration, guard: (req: FastifyRequest) => Promise<void>,
  apps: AppLookup | null = null, clock: () => number = Date.now): void {
  const reply = (username: string, appId: AppId, r: { userId: UserId; restriction: RestrictionRecord }) =>
    ({ userId: r.userId, username: username.trim().toLowerCase(), app: appId, banned: r.restriction.banned, bannedUntil: r.restriction.bannedUntil });
  app.post<Route>('/v1/admin/users/:username/ban', { schema: banSchema, onRequest: guard }, async (req) => {
    const { minutes, reason: note = '' } = req.body ?? {};
    const appId = await selectedApp(apps, req.body?.app ?? req.query.app);
    const action = { kind: 'ban' as const, untilMs: minutes ? clock() + minutes * 60_000 : 0 };
    return reply(req.params.username, appId, await moderation.restrictByOperator(req.params.username, action, note, appId));
  });
  app.post<Route>('/v1/admin/users/:username/unban', { schema: unbanSchema, onRequest: guard }, async (req) => {
    const appId = await selectedApp(apps, req.body?.app ?? req.query.app);
    return reply(req.params.username, appId, await moderation.restrictByOperator(req.params.username, { kind: 'unban' }, req.body?.reason ?? '', appId));
  });
}
