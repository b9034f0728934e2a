/**
 * The operators' console API (/v1/admin/*), behind the admin token like the
 * metrics endpoints: find a user and read their event log. The console page
 * (admin.html of the web client) calls these, bans and unbans through
 * admin-user-routes.ts (by username), and reads live figures from /v1/metrics.
 * Usernames are unique per app: `app` selects one (admin-app-selector.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { ServerActions } from '../platform/server-api/server-actions.js';
import type { RouteRegistrar } from './http-api.js';
import { adminGuard } from './admin-routes.js';
import { appSelectorSchema, selectedApp, type AppLookup } from './admin-app-selector.js';

const errors = { '4xx': { $ref: 'XinboxError#' }, '5xx': { $ref: 'XinboxError#' } } as const;
const security = [{ adminBearer: [] }];
const tags = ['admin console'];
const id = { type: 'string', pattern: '^[1-9][0-9]{0,18}$' } as const;
const userParams = { type: 'object', properties: { userId: id }, required: ['userId'] } as const;
const user = {
  type: 'object',
  properties: {
    userId: id, username: { type: 'string' }, app: { type: 'string', description: 'The app the user belongs to' },
    createdAt: { type: 'number' }, banned: { type: 'boolean' }, mutedUntil: { type: 'number' },
  },
  required: ['userId', 'username', 'app', 'createdAt', 'banned', 'mutedUntil'],
} as const;

export const adminFindUserSchema = {
  summary: 'Find a user by username in an app (default `default`)', tags, security,
  querystring: {
    type: 'object', additionalProperties: false, required: ['username'],
    properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, app: appSelectorSchema },
  },
  response: { 200: user, ...errors },
} as const;
export const adminEventsSchema = {
  summary: 'A user\'s login and connection events of the last 24 hours (oldest first, at most 100)', tags, security, params: userParams,
  response: {
    200: {
      type: 'object',
      properties: {
        events: {
          type: 'array',
          items: {
            type: 'object',
            properties: { id: { type: 'string' }, type: { type: 'string' }, deviceId: { type: 'string' }, platform: { type: 'string' }, ip: { type: 'string' }, at: { type: 'number' }, detail: { type: 'string' } },
            required: ['id', 'type', 'deviceId', 'platform', 'ip', 'at', 'detail'],
          },
        },
      },
      required: ['events'],
    },
    ...errors,
  },
} as const;

export function adminConsoleRoutes(actions: ServerActions, adminToken: string, apps: AppLookup | null = null): RouteRegistrar {
  return (root: FastifyInstance) => {
    void root.register(async (app) => {
      app.addHook('onRequest', adminGuard(adminToken, 'main'));
      app.get<{ Querystring: { username: string; app?: string } }>('/users', { schema: adminFindUserSchema }, async (req) =>
        actions.findUser(req.query.username, await selectedApp(apps, req.query.app)));
      app.get<{ Params: { userId: string } }>('/users/:userId/events', { schema: adminEventsSchema }, async (req) => {
        return { events: await actions.latestEvents(Number(req.params.userId), 100) };
      });
    }, { prefix: '/v1/admin' });
  };
}
