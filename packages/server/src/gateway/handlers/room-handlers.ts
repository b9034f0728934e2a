import {
  Errors, Limits, RoomAdminAction, RoomJoinedSchema, RoomMessageClass, RoomPullResultSchema, SendAckSchema, XinboxError, create,
  type RoomAdmin,
} from '@xinbox/protocol';
import { validateContent } from '../../core/messaging/content.js';
import { roomKey, unvalidatedRoomKey } from '../../core/rooms/room-id.js';
import type { RoomAdminRequest, RoomService } from '../../core/rooms/room-service.js';
import { encodeWireRoomMessage, toWireRoomMessage } from '../../core/rooms/room-wire.js';
import type { RoomFanout } from '../room-fanout.js';
import type { Connection } from '../connection.js';
import type { HandlerTable, ReplyBody, RequestContext } from './types.js';
import { parseId } from './ids.js';

const OK: ReplyBody = { case: 'ok', value: {} };

function isReliable(c: RoomMessageClass): boolean {
  if (c === RoomMessageClass.RELIABLE) return true;
  if (c === RoomMessageClass.ORDINARY || c === RoomMessageClass.UNSPECIFIED) return false;
  throw new XinboxError(Errors.INVALID_ARGUMENT, 'unknown room message class');
}

function adminFromWire(v: RoomAdmin): RoomAdminRequest {
  switch (v.action) {
    case RoomAdminAction.CREATE:
      return { action: 'create' };
    case RoomAdminAction.CLOSE:
      return { action: 'close' };
    case RoomAdminAction.MUTE:
      return { action: 'mute', userId: parseId(v.userId, 'userId'), until: v.until };
    case RoomAdminAction.KICK:
      return { action: 'kick', userId: parseId(v.userId, 'userId'), until: v.until };
    case RoomAdminAction.UNMUTE:
      return { action: 'unmute', userId: parseId(v.userId, 'userId') };
    case RoomAdminAction.PIN:
      return { action: 'pin', content: v.content?.kind.case ? validateContent(v.content) : null };
    default:
      throw new XinboxError(Errors.INVALID_ARGUMENT, 'unknown room admin action');
  }
}

/** Room frames touch the gateway's own index, so they never run on a forwarded request. */
function connOf(ctx: RequestContext): Connection {
  if (!ctx.conn) throw new XinboxError(Errors.UNAVAILABLE, 'room requests are handled by the gateway holding the connection');
  return ctx.conn;
}

/**
 * Room frames. Room ids are per app (ADR 0013): each request's id becomes
 * the room's key in the connection's app here (roomKey), and everything
 * below works with keys; replies carry the client's id again.
 *
 * The service decides (rooms, hosts, limits, storage); the
 * fan-out holds this gateway's room -> connections index, so joining,
 * leaving and acks touch only local memory.
 */
export function roomHandlers(service: RoomService, fanout: RoomFanout): HandlerTable {
  return {
    roomJoin: async (ctx, v) => {
      const { caller } = ctx;
      const conn = connOf(ctx);
      const roomId = roomKey(conn.appId, v.roomId);
      await service.admit(caller, roomId);
      if (conn.state !== 'open') return undefined;
      const wasJoined = fanout.isJoined(conn, roomId);
      // Into the index BEFORE the snapshot: anything stored after the
      // snapshot's read then reaches this connection by broadcast.
      fanout.join(conn, roomId, v.afterSeq);
      let snap;
      try {
        snap = await service.snapshot(roomId, v.afterSeq);
      } catch (e) {
        if (!wasJoined) fanout.leave(conn, roomId);
        throw e;
      }
      if (conn.state !== 'open') {
        fanout.leave(conn, roomId);
        return undefined;
      }
      // A first join (afterSeq 0) starts at the current seq: nothing older is owed.
      fanout.acknowledge(conn, roomId, v.afterSeq > 0 ? v.afterSeq : snap.lastSeq);
      if (snap.missed.length > 0) {
        const missed = snap.missed.map((m) => ({ seq: m.seq, bytes: encodeWireRoomMessage(m) }));
        // After the RoomJoined reply, which the gateway queues once this handler resolves.
        setImmediate(() => fanout.sendTo(conn, roomId, missed));
      }
      return {
        case: 'roomJoined',
        value: create(RoomJoinedSchema, {
          roomId: v.roomId,
          audience: fanout.audience(roomId),
          lastSeq: snap.lastSeq,
          pinned: snap.pinned ? toWireRoomMessage(snap.pinned) : undefined,
        }),
      };
    },
    roomLeave: (ctx, v) => {
      const conn = connOf(ctx);
      fanout.leave(conn, roomKey(conn.appId, v.roomId));
      return OK;
    },
    roomSend: async (ctx, v) => {
      const conn = connOf(ctx);
      const roomId = roomKey(conn.appId, v.roomId);
      const reliable = isReliable(v.class);
      if (v.clientMsgId.length > Limits.maxClientMsgIdLength) {
        throw new XinboxError(Errors.INVALID_ARGUMENT, `clientMsgId is longer than ${Limits.maxClientMsgIdLength} characters`);
      }
      const ack = await service.send(ctx.caller, {
        roomId,
        reliable,
        content: validateContent(v.content),
        clientMsgId: v.clientMsgId,
        joined: fanout.isJoined(conn, roomId),
      });
      if (!ack) return OK;
      // Rooms have no conversation id; it stays 0 in the ack.
      return { case: 'sendAck', value: create(SendAckSchema, { ...ack, conversationId: '0' }) };
    },
    roomPushAck: (ctx, v) => {
      // Acks get no reply; a malformed one is simply ignored (it names no room this connection joined).
      if (ctx.conn && v.seq > 0 && v.roomId) fanout.acknowledge(ctx.conn, unvalidatedRoomKey(ctx.conn.appId, v.roomId), v.seq);
      return undefined;
    },
    roomPull: async (ctx, v) => {
      const conn = connOf(ctx);
      const roomId = roomKey(conn.appId, v.roomId);
      const page = await service.pull(ctx.caller, roomId, v.afterSeq, v.limit, fanout.isJoined(conn, roomId));
      return { case: 'roomPullResult', value: create(RoomPullResultSchema, { messages: page.messages.map(toWireRoomMessage), hasMore: page.hasMore }) };
    },
    roomAdmin: async (ctx, v) => {
      await service.admin(ctx.caller, roomKey(connOf(ctx).appId, v.roomId), adminFromWire(v));
      return OK;
    },
  };
}
