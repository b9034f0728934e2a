/**
 * The admin console's groups section (behind the admin token):
 *
 *   GET  /v1/admin/groups/{groupId}                      the group and its first 200 members (name, role)
 *   GET  /v1/admin/users/{userId}/groups                 the groups a user belongs to (most recently active first)
 *   POST /v1/admin/groups/{groupId}/members/{userId}/remove
 *   POST /v1/admin/groups/{groupId}/dissolve
 *
 * Changes go through the same path as the server API's (as the group's
 * owner), so members get the usual system notices and webhooks fire.
 */
import type { FastifyInstance } from 'fastify';
import type { ConversationStore } from '../core/ports/conversation-store.js';
import type { IdentityStore } from '../core/ports/identity-store.js';
import type { ServerActions } from '../platform/server-api/server-actions.js';
import type { RouteRegistrar } from './http-api.js';
import { adminGuard } from './admin-routes.js';
import { getGroupSchema } from './server-api/schemas.js';

const errors = { '4xx': { $ref: 'XinboxError#' }, '5xx': { $ref: 'XinboxError#' } } as const;
const security = [{ adminBearer: [] }];
const tags = ['admin console'];
const id = { type: 'string', pattern: '^[1-9][0-9]{0,18}$' } as const;
const groupParams = { type: 'object', properties: { groupId: id }, required: ['groupId'] } as const;
const done = { 200: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] }, ...errors } as const;
const MEMBERS_SHOWN = 200;

export const adminGroupSchema = {
  summary: `A group and its first ${MEMBERS_SHOWN} members (by user id)`, tags, security, params: groupParams,
  response: {
    200: {
      type: 'object',
      properties: {
        group: getGroupSchema.response[200],
        members: {
          type: 'array',
          items: {
            type: 'object',
            properties: { userId: id, username: { type: 'string' }, role: { type: 'string', enum: ['owner', 'admin', 'member'] }, joinedAt: { type: 'number' } },
            required: ['userId', 'username', 'role', 'joinedAt'],
          },
        },
      },
      required: ['group', 'members'],
    },
    ...errors,
  },
} as const;

export const adminUserGroupsSchema = {
  summary: 'The groups a user belongs to, most recently active first (at most 100)', tags, security,
  params: { type: 'object', properties: { userId: id }, required: ['userId'] },
  response: {
    200: {
      type: 'object',
      properties: {
        groups: {
          type: 'array',
          items: {
            type: 'object',
            properties: { groupId: id, title: { type: 'string' }, memberCount: { type: 'integer' }, updatedAt: { type: 'number' } },
            required: ['groupId', 'title', 'memberCount', 'updatedAt'],
          },
        },
      },
      required: ['groups'],
    },
    ...errors,
  },
} as const;

export const adminRemoveMemberSchema = {
  summary: 'Remove a member from a group (as its owner: members see the usual notice)', tags, security,
  params: { type: 'object', properties: { groupId: id, userId: id }, required: ['groupId', 'userId'] },
  response: done,
} as const;

export const adminDissolveGroupSchema = { summary: 'Dissolve a group', tags, security, params: groupParams, response: done } as const;

export interface AdminGroupDeps {
  readonly actions: ServerActions;
  readonly conversations: ConversationStore;
  readonly identity: IdentityStore;
  readonly adminToken: string;
}

export function adminGroupRoutes(d: AdminGroupDeps): RouteRegistrar {
  return (root: FastifyInstance) => {
    void root.register(async (app) => {
      app.addHook('onRequest', adminGuard(d.adminToken, 'main'));
      app.get<{ Params: { groupId: string } }>('/groups/:groupId', { schema: adminGroupSchema }, async (req) => {
        const group = await d.actions.getGroup(req.params.groupId);
        const members = await d.conversations.listMembers(Number(req.params.groupId), 0, MEMBERS_SHOWN);
        const names = new Map((await d.identity.getUsers(members.map((m) => m.userId))).map((u) => [u.id, u.username]));
        return {
          group,
          members: members.map((m) => ({ userId: String(m.userId), username: names.get(m.userId) ?? '', role: m.role, joinedAt: m.joinedAt })),
        };
      });
      app.get<{ Params: { userId: string } }>('/users/:userId/groups', { schema: adminUserGroupsSchema }, async (req) => {
        const { conversations } = await d.actions.conversations(Number(req.params.userId), 100, 0);
        return {
          groups: conversations.filter((c) => c.kind === 'group')
            .map((c) => ({ groupId: c.conversationId, title: c.title, memberCount: c.memberCount, updatedAt: c.updatedAt })),
        };
      });
      app.post<{ Params: { groupId: string; userId: string } }>('/groups/:groupId/members/:userId/remove', { schema: adminRemoveMemberSchema }, async (req) => {
        await d.actions.removeMember(req.params.groupId, Number(req.params.userId));
        return { ok: true };
      });
      app.post<{ Params: { groupId: string } }>('/groups/:groupId/dissolve', { schema: adminDissolveGroupSchema }, async (req) => {
        await d.actions.dissolveGroup(req.params.groupId);
        return { ok: true };
      });
    }, { prefix: '/v1/admin' });
  };
}
