/**
 * The admin console's live rooms (behind the admin token):
 *
 *   GET  /v1/admin/rooms                    rooms with viewers on this node, largest first
 *   POST /v1/admin/rooms/{roomId}/close     close a room (as its host: viewers get 'closed')
 *
 * The list is this node's: on a cluster each gateway lists its own viewers
 * (the audience figure includes what the other gateways last reported).
 *
 * The operator sees every app's rooms, so rooms are named by their key
 * (ADR 0013, core/rooms/room-id.ts): the client's id for a default-app room,
 * `<appId>~<id>` for another app's. The list shows the key (what close
 * takes) with the app and the client's id beside it.
 */
import type { FastifyInstance } from 'fastify';
import type { ServerActions } from '../platform/server-api/server-actions.js';
import type { RouteRegistrar } from './http-api.js';
import { adminGuard } from './admin-routes.js';
import { appOfRoomKey, clientRoomId } from '../core/rooms/room-id.js';

/** The gateway's room fan-out, as far as this list needs it (RoomFanout.liveRooms). */
export interface LiveRoomList {
  liveRooms(limit: number, viewersShown: number): Array<{ roomId: string; localViewers: number; audience: number; viewerIds: number[] }>;
}

const errors = { '4xx': { $ref: 'XinboxError#' }, '5xx': { $ref: 'XinboxError#' } } as const;
const security = [{ adminBearer: [] }];
const tags = ['admin console'];
const ROOMS_SHOWN = 100;
const VIEWERS_SHOWN = 50;

export const adminRoomsSchema = {
  summary: `Live rooms with viewers on this node, largest first (at most ${ROOMS_SHOWN}, ${VIEWERS_SHOWN} viewer ids each)`, tags, security,
  response: {
    200: {
      type: 'object',
      properties: {
        rooms: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              roomId: { type: 'string', description: 'The room key: the id for a default-app room, <appId>~<id> for another app' },
              appId: { type: 'string' },
              clientRoomId: { type: 'string', description: 'The id the app and its clients use' },
              localViewers: { type: 'integer', description: 'Connections in the room on this node' },
              audience: { type: 'integer', description: 'The whole audience, other gateways included (cluster)' },
              viewerIds: { type: 'array', items: { type: 'string' } },
            },
            required: ['roomId', 'appId', 'clientRoomId', 'localViewers', 'audience', 'viewerIds'],
          },
        },
      },
      required: ['rooms'],
    },
    ...errors,
  },
} as const;

export const adminCloseRoomSchema = {
  summary: 'Close a live room: every viewer gets a closed notice and leaves', tags, security,
  // A room key: up to a 32-character app id, '~' and a 64-character room id.
  params: { type: 'object', properties: { roomId: { type: 'string', minLength: 1, maxLength: 97 } }, required: ['roomId'] },
  response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] }, ...errors },
} as const;

export function adminRoomRoutes(actions: ServerActions, fanout: LiveRoomList, adminToken: string): RouteRegistrar {
  return (root: FastifyInstance) => {
    void root.register(async (app) => {
      app.addHook('onRequest', adminGuard(adminToken, 'main'));
      app.get('/rooms', { schema: adminRoomsSchema }, async () => ({
        rooms: fanout.liveRooms(ROOMS_SHOWN, VIEWERS_SHOWN).map((r) => ({
          ...r, appId: appOfRoomKey(r.roomId), clientRoomId: clientRoomId(r.roomId), viewerIds: r.viewerIds.map(String),
        })),
      }));
      app.post<{ Params: { roomId: string } }>('/rooms/:roomId/close', { schema: adminCloseRoomSchema }, async (req) => {
        await actions.closeRoom(req.params.roomId);
        return { ok: true };
      });
    }, { prefix: '/v1/admin' });
  };
}
