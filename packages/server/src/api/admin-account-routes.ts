/**
 * The admin console's account actions (behind the admin token), by username
 * like the operator ban:
 *
 *   GET  /v1/admin/users/search?prefix=&limit=   (a prefix of digits also finds the user with that id)
 *   POST /v1/admin/users/{username}/sessions/revoke
 *   POST /v1/admin/users/{username}/password   { password? }
 *
 * Revoking closes every device of the account (4009 LOGGED_OUT, on every
 * node) and voids its refresh tokens; a password reset does the same after
 * setting the new password (a random one, returned once, when none is given).
 */
import type { FastifyInstance } from 'fastify';
import type { AccountOperations } from '../core/identity/account-operations.js';
import type { RouteRegistrar } from './http-api.js';
import { adminGuard } from './admin-routes.js';

const errors = { '4xx': { $ref: 'XinboxError#' }, '5xx': { $ref: 'XinboxError#' } } as const;
const security = [{ adminBearer: [] }];
const tags = ['admin console'];
const params = { type: 'object', properties: { username: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['username'] } as const;
const userId = { type: 'string', pattern: '^[1-9][0-9]{0,18}$' } as const;

export const adminSearchUsersSchema = {
  summary: 'Users whose username starts with a prefix, in username order (at most 100); a prefix of digits also finds the user with that id (listed first)', tags, security,
  querystring: {
    type: 'object', additionalProperties: false, required: ['prefix'],
    properties: { prefix: { type: 'string', minLength: 1, maxLength: 64 }, limit: { type: 'string', pattern: '^[0-9]{1,3}$', description: '1-100 (default 20)' } },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        users: {
          type: 'array',
          items: { type: 'object', properties: { userId, username: { type: 'string' }, createdAt: { type: 'number' } }, required: ['userId', 'username', 'createdAt'] },
        },
      },
      required: ['users'],
    },
    ...errors,
  },
} as const;

export const adminRevokeSessionsSchema = {
  summary: 'End every session of an account: its devices close with 4009 LOGGED_OUT and their refresh tokens stop working', tags, security, params,
  response: { 200: { type: 'object', properties: { userId, revoked: { type: 'integer' } }, required: ['userId', 'revoked'] }, ...errors },
} as const;

export const adminResetPasswordSchema = {
  summary: 'Set a new password (a random one, returned once, when none is given) and end every session of the account', tags, security, params,
  body: { type: 'object', additionalProperties: false, properties: { password: { type: 'string', minLength: 8, maxLength: 256 } } },
  response: {
    200: {
      type: 'object',
      properties: { userId, password: { type: 'string', description: 'The new password (hand it to the user)' }, revoked: { type: 'integer' } },
      required: ['userId', 'password', 'revoked'],
    },
    ...errors,
  },
} as const;

type ByName = { Params: { username: string } };

export function adminAccountRoutes(accounts: AccountOperations, adminToken: string): RouteRegistrar {
  return (root: FastifyInstance) => {
    void root.register(async (app) => {
      app.addHook('onRequest', adminGuard(adminToken, 'main'));
      app.get<{ Querystring: { prefix: string; limit?: string } }>('/users/search', { schema: adminSearchUsersSchema }, async (req) => {
        const { prefix } = req.query;
        const byId = /^[1-9][0-9]{0,15}$/.test(prefix) ? await accounts.byId(Number(prefix)) : null;
        const byName = await accounts.search(prefix, Number(req.query.limit ?? 20));
        const users = byId ? [byId, ...byName.filter((u) => u.userId !== byId.userId)] : byName;
        return { users: users.map((u) => ({ ...u, userId: String(u.userId) })) };
      });
      app.post<ByName>('/users/:username/sessions/revoke', { schema: adminRevokeSessionsSchema }, async (req) => {
        const r = await accounts.revokeSessions(req.params.username);
        return { userId: String(r.userId), revoked: r.revoked };
      });
      app.post<ByName & { Body: { password?: string } }>('/users/:username/password', { schema: adminResetPasswordSchema }, async (req) => {
        const r = await accounts.resetPassword(req.params.username, req.body?.password);
        return { userId: String(r.userId), password: r.password, revoked: r.revoked };
      });
    }, { prefix: '/v1/admin' });
  };
}
