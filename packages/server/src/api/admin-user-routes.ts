/**
 * Operator account actions on the admin routes (same guard as /metrics):
 *
 *   POST /v1/admin/users/{username}/ban    { minutes?, reason? }
 *   POST /v1/admin/users/{username}/unban  { reason? }
 *
 * They go through ModerationService like a moderator's ban, so every device
 * of the user is closed with 4011 at once (on every node of a cluster) and
 * login/refresh answer BANNED; `xinbox user ban|unban` calls them. An
 * operator CLI writing the store directly would leave connected devices up.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UserId } from '../core/model.js';
import type { RestrictionRecord } from '../core/ports/moderation-store.js';

/** The part of ModerationService these routes use. */
export interface OperatorModeration {
  restrictByOperator(username: string, action: { kind: 'ban'; untilMs?: number } | { kind: 'unban' }, note: string):
    Promise<{ userId: UserId; restriction: RestrictionRecord }>;
}

/** Longest timed ban: ten years (a larger number is almost certainly a typo; omit `minutes` for a permanent ban). */
const MAX_BAN_MINUTES = 10 * 366 * 24 * 60;

const errors = { '4xx': { $ref: 'XinboxError#' }, '5xx': { $ref: 'XinboxError#' } } as const;
const params = { type: 'object', properties: { username: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['username'] } as const;
const reason = { type: 'string', maxLength: 200, description: 'Kept in the moderation audit log' } as const;
const restrictionReply = {
  type: 'object',
  properties: {
    userId: { type: 'integer' },
    username: { type: 'string' },
    banned: { type: 'boolean' },
    bannedUntil: { type: 'integer', description: 'ms since the epoch; 0 = until unbanned (or not banned)' },
  },
  required: ['userId', 'username', 'banned', 'bannedUntil'],
} as const;

export const banSchema = {
  summary: 'Ban an account: its devices are disconnected (close 4011), login and refresh answer BANNED (1405); admin only',
  tags: ['operations'],
  security: [{ adminBearer: [] }],
  params,
  body: {
    type: 'object',
    properties: { minutes: { type: 'integer', minimum: 1, maximum: MAX_BAN_MINUTES, description: 'Ban length; absent = until unbanned' }, reason },
    additionalProperties: false,
  },
  response: { 200: restrictionReply, ...errors },
} as const;

export const unbanSchema = {
  summary: 'Lift a ban (timed or not); admin only',
  tags: ['operations'],
  security: [{ adminBearer: [] }],
  params,
  body: { type: 'object', properties: { reason }, additionalProperties: false },
  response: { 200: restrictionReply, ...errors },
} as const;

type Route = { Params: { username: string }; Body: { minutes?: number; reason?: string } };

export function registerAdminUserRoutes(app: FastifyInstance, moderation: OperatorModeration, guard: (req: FastifyRequest) => Promise<void>,
  clock: () => number = Date.now): void {
  const reply = (username: string, r: { userId: UserId; restriction: RestrictionRecord }) =>
    ({ userId: r.userId, username: username.toLowerCase(), banned: r.restriction.banned, bannedUntil: r.restriction.bannedUntil });
  app.post<Route>('/v1/admin/users/:username/ban', { schema: banSchema, onRequest: guard }, async (req) => {
    const { minutes, reason: note = '' } = req.body;
    const action = { kind: 'ban' as const, untilMs: minutes ? clock() + minutes * 60_000 : 0 };
    return reply(req.params.username, await moderation.restrictByOperator(req.params.username, action, note));
  });
  app.post<Route>('/v1/admin/users/:username/unban', { schema: unbanSchema, onRequest: guard }, async (req) =>
    reply(req.params.username, await moderation.restrictByOperator(req.params.username, { kind: 'unban' }, req.body.reason ?? '')));
}
