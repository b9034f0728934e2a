/**
 * The server API (docs/integration.md "Server API"): routes under
 * /v1/server for a customer's backend, behind the app secret. Each route's
 * JSON Schema (schemas.ts) validates the request and is published in
 * /v1/openapi.json.
 *
 * Apps (ADR 0013): the guard resolves the presented secret to its app and
 * every route runs on that app's ServerActions (`forApp`), which answer
 * NOT_FOUND for another app's users, groups and rooms.
 */
import type { JsonValue } from '@bufbuild/protobuf';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerActions } from '../../platform/server-api/server-actions.js';
import type { UserEventType } from '../../core/ports/event-log.js';
import type { RouteRegistrar } from '../http-api.js';
import { appSecretGuard, requestApp, type SecretLookup } from './app-secret.js';
import * as S from './schemas.js';

type Params = Record<string, string>;
type Body = Record<string, unknown>;
const num = (s: string | undefined, fallback: number): number => (s === undefined ? fallback : Number(s));
const page = (limit: string | undefined): number => Math.max(1, Math.min(100, num(limit, 50)));

export function serverApiRoutes(all: ServerActions, apps: SecretLookup): RouteRegistrar {
  return (root: FastifyInstance) => {
    void root.register(async (app) => {
      app.addHook('onRequest', appSecretGuard(apps));
      const of = (req: FastifyRequest): ServerActions => all.forApp(requestApp(req));

      app.post<{ Body: Body }>('/users', { schema: S.createUserSchema }, async (req, reply) => {
        const b = req.body as { username: string; password?: string; displayName?: string; avatarUrl?: string };
        reply.code(201);
        return of(req).createUser(b.username, b.password, { ...(b.displayName !== undefined ? { displayName: b.displayName } : {}), ...(b.avatarUrl !== undefined ? { avatarUrl: b.avatarUrl } : {}) });
      });
      app.get<{ Params: Params }>('/users/:userId', { schema: S.getUserSchema }, async (req) => of(req).getUser(Number(req.params.userId)));
      app.patch<{ Params: Params; Body: Body }>('/users/:userId', { schema: S.updateUserSchema }, async (req, reply) => {
        await of(req).updateUser(Number(req.params.userId), req.body as { displayName?: string; avatarUrl?: string; bio?: string });
        return reply.code(204).send();
      });
      app.delete<{ Params: Params }>('/users/:userId', { schema: S.deleteUserSchema }, async (req, reply) => {
        await of(req).deleteUser(Number(req.params.userId));
        return reply.code(204).send();
      });
      app.post<{ Params: Params; Body: Body }>('/users/:userId/ban', { schema: S.banUserSchema }, async (req, reply) => {
        await of(req).ban(Number(req.params.userId), true, `server API: ${String(req.body.reason ?? '')}`.trim());
        return reply.code(204).send();
      });
      app.delete<{ Params: Params }>('/users/:userId/ban', { schema: S.unbanUserSchema }, async (req, reply) => {
        await of(req).ban(Number(req.params.userId), false, 'server API');
        return reply.code(204).send();
      });
      app.post<{ Params: Params; Body: Body }>('/users/:userId/tokens', { schema: S.issueTokensSchema }, async (req) =>
        of(req).issueTokens(Number(req.params.userId), String(req.body.deviceId), req.body.platform as string | undefined));
      app.get<{ Params: Params; Querystring: Params }>('/users/:userId/conversations', { schema: S.listConversationsSchema }, async (req) =>
        of(req).conversations(Number(req.params.userId), page(req.query.limit), num(req.query.beforeTime, 0)));

      app.post<{ Body: Body }>('/messages', { schema: S.sendSchema }, async (req) => {
        const b = req.body as { from?: string; to: { userId?: string; groupId?: string; roomId?: string }; content: JsonValue; clientMsgId: string };
        const to = b.to.userId ? { userId: Number(b.to.userId) } : b.to.groupId ? { groupId: b.to.groupId } : { roomId: b.to.roomId! };
        return of(req).send(b.from ? Number(b.from) : null, to, b.content, b.clientMsgId);
      });
      app.post<{ Body: Body }>('/broadcasts', { schema: S.broadcastSchema }, async (req) =>
        of(req).broadcast(req.body.content as JsonValue, String(req.body.clientMsgId)));
      app.get<{ Params: Params; Querystring: Params }>('/conversations/:conversationId/messages', { schema: S.historySchema }, async (req) =>
        of(req).history(req.params.conversationId!, Number(req.query.asUser), num(req.query.beforeSeq, 0), page(req.query.limit)));

      app.get<{ Querystring: Params }>('/events', { schema: S.eventsSchema }, async (req) => {
        const q = req.query;
        return of(req).events({
          ...(q.userId ? { userId: Number(q.userId) } : {}),
          ...(q.deviceId ? { deviceId: q.deviceId } : {}),
          ...(q.type ? { types: q.type.split(',') as UserEventType[] } : {}),
          fromTime: num(q.from, 0), toTime: num(q.to, 0), afterId: q.after ?? '',
          limit: Math.max(1, Math.min(500, num(q.limit, 100))),
        });
      });

      app.post<{ Body: Body }>('/groups', { schema: S.createGroupSchema }, async (req, reply) => {
        const b = req.body as { ownerId: string; name: string; memberIds?: string[]; announcement?: string; avatarUrl?: string };
        reply.code(201);
        return of(req).createGroup(Number(b.ownerId), { name: b.name, memberIds: (b.memberIds ?? []).map(Number), ...(b.announcement !== undefined ? { announcement: b.announcement } : {}), ...(b.avatarUrl !== undefined ? { avatarUrl: b.avatarUrl } : {}) });
      });
      app.get<{ Params: Params }>('/groups/:groupId', { schema: S.getGroupSchema }, async (req) => of(req).getGroup(req.params.groupId!));
      app.patch<{ Params: Params; Body: Body }>('/groups/:groupId', { schema: S.updateGroupSchema }, async (req) =>
        of(req).updateGroup(req.params.groupId!, req.body as { name?: string; announcement?: string; avatarUrl?: string }));
      app.delete<{ Params: Params }>('/groups/:groupId', { schema: S.dissolveGroupSchema }, async (req, reply) => {
        await of(req).dissolveGroup(req.params.groupId!);
        return reply.code(204).send();
      });
      app.post<{ Params: Params; Body: Body }>('/groups/:groupId/members', { schema: S.addMembersSchema }, async (req) =>
        of(req).addMembers(req.params.groupId!, (req.body.userIds as string[]).map(Number)));
      app.delete<{ Params: Params }>('/groups/:groupId/members/:userId', { schema: S.removeMemberSchema }, async (req, reply) => {
        await of(req).removeMember(req.params.groupId!, Number(req.params.userId));
        return reply.code(204).send();
      });

      app.post<{ Body: Body }>('/rooms', { schema: S.createRoomSchema }, async (req, reply) => {
        reply.code(201);
        return of(req).createRoom(String(req.body.roomId), Number(req.body.hostId));
      });
      app.delete<{ Params: Params }>('/rooms/:roomId', { schema: S.closeRoomSchema }, async (req, reply) => {
        await of(req).closeRoom(req.params.roomId!);
        return reply.code(204).send();
      });
    }, { prefix: '/v1/server' });
  };
}
