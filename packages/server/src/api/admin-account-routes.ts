/**
 * The admin console's account actions (behind the admin token), by username
 * within one app like the operator ban (`app` in the query or body, absent =
 * `default`; admin-app-selector.ts):
 *
 *   GET  /v1/admin/users/search?prefix=&limit=&app=   (a prefix of digits also finds the user with that id)
 *   POST /v1/admin/users/{username}/sessions/revoke   { app? }
 *   POST /v1/admin/users/{username}/password   { password?, app? }
 *
 * Revoking closes every device of the account (4009 LOGGED_OUT, on every
 * node) and voids its refresh tokens; a password reset does the same after
 * setting the new password (a random one, returned once, when none is given).
 */
import type { FastifyInstance } from 'fastify';
import type { AccountOperations } from '../core/identity/account-operations.js';
import type { RouteRegistrar } from './http-api.js';
import { adminGuard } from './admin-routes.js';
import { appSelectorSchema, selectedApp, type AppLookup } from './admin-app-selector.js';

const errors = { '4xx': { $ref: 'XinboxError#' }, '5xx': { $ref: 'XinboxError#' } } as const;
const security = [{ adminBearer: [] }];
const tags = ['admin console'];
const params = { type: 'object', properties: { username: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['username'] } as const;
const userId = { type: 'string', pattern: '^[1-9][0-9]{0,18}$' } as const;
const appOut = { type: 'string', description: 'The app the user belongs to' } as const;
const appQuery = { type: 'object', additionalProperties: false, properties: { app: appSelectorSchema } } as const;

export const adminSearchUsersSchema = {
  summary: 'Users whose username starts with a prefix, in username order (at most 100); a prefix of digits also finds the user with that id (listed first)', tags, security,
  querystring: {
    type: 'object', additionalProperties: false, required: ['prefix'],
    properties: {
      prefix: { type: 'string', minLength: 1, maxLength: 64 },
      limit: { type: 'string', pattern: '^[0-9]{1,3}$', description: '1-100 (default 20)' },
      app: appSelectorSchema,
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        users: {
          type: 'array',
          items: {
            type: 'object', properties: { userId, username: { type: 'string' }, createdAt: { type: 'number' }, app: appOut },
            required: ['userId', 'username', 'createdAt', 'app'],
          },
        },
      },
      required: ['users'],
    },
    ...errors,
  },
} as const;

export const adminRevokeSessionsSchema = {
  summary: 'End every session of an account: its devices close with 4009 LOGGED_OUT and their refresh tokens stop working', tags, security, params,
  querystring: appQuery,
  body: { type: ['object', 'null'], additionalProperties: false, properties: { app: appSelectorSchema } },
  response: { 200: { type: 'object', properties: { userId, app: appOut, revoked: { type: 'integer' } }, required: ['userId', 'app', 'revoked'] }, ...errors },
} as const;

export const adminResetPasswordSchema = {
  summary: 'Set a new password (a random one, returned once, when none is given) and end every session of the account', tags, security, params,
  querystring: appQuery,
  body: { type: ['object', 'null'], additionalProperties: false, properties: { password: { type: 'string', minLength: 8, maxLength: 256 }, app: appSelectorSchema } },
  response: {
    200: {
      type: 'object',
      properties: { userId, app: appOut, password: { type: 'string', description: 'The new password (hand it to the user)' }, revoked: { type: 'integer' } },
      required: ['userId', 'app', 'password', 'revoked'],
    },
    ...errors,
  },
} as const;

type ByName = { Params: { username: string }; Querystring: { app?: string } };

export function adminAccountRoutes(accounts: AccountOperations, adminToken: string, apps: AppLookup | null = null): RouteRegistrar {
  return (root: FastifyInstance) => {
    void root.register(async (app) => {
      app.addHook('onRequest', adminGuard(adminToken, 'main'));
      app.get<{ Querystring: { prefix: string; limit?: string; app?: string } }>('/users/search', { schema: adminSearchUsersSchema }, async (req) => {
        const { prefix } = req.query;
        const appId = await selectedApp(apps, req.query.app);
        const byId = /^[1-9][0-9]{0,15}$/.test(prefix) ? await accounts.byId(Number(prefix), appId) : null;
        const byName = await accounts.search(prefix, Number(req.query.limit ?? 20), appId);
        const users = byId ? [byId, ...byName.filter((u) => u.userId !== byId.userId)] : byName;
        return { users: users.map(({ appId: userApp, ...u }) => ({ ...u, userId: String(u.userId), app: userApp })) };
      });
      app.post<ByName & { Body: { app?: string } | null }>('/users/:username/sessions/revoke', { schema: adminRevokeSessionsSchema }, async (req) => {
        const appId = await selectedApp(apps, req.body?.app ?? req.query.app);
        const r = await accounts.revokeSessions(req.params.username, appId);
        return { userId: String(r.userId), app: appId, revoked: r.revoked };
      });
      app.post<ByName & { Body: { password?: string; app?: string } | null }>('/users/:username/password', { schema: adminResetPasswordSchema }, async (req) => {
        const appId = await selectedApp(apps, req.body?.app ?? req.query.app);
        const r = await accounts.resetPassword(req.params.username, req.body?.password, appId);
        return { userId: String(r.userId), app: appId, password: r.password, revoked: r.revoked };
      });
    }, { prefix: '/v1/admin' });
  };
}
