import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  ConversationKind, Errors, GroupRole, Limits, MessageSchema, SUBPROTOCOL_PROTO,
  create, decodeFrame, decodeHotFrame, encodeFrame, encodePushFrame, joinChunks, splitFrames, toBinary, withLengthPrefix,
  type ErrorSpec, type Frame, type FrameInit,
} from '@xinbox/protocol';
import { relayHttpHandler, TOKEN_PREFIX, type RelayDirectory } from './relay-http.js';
import { ownerLink, relayLink, type RoomLink } from './relay-link.js';
import { RelayRooms } from './relay-rooms.js';

/**
 * A baseline server speaking the Xinbox wire protocol with no IM logic: no
 * storage, no auth checks beyond the token shape, no rate limits. It relays
 * each Send to the other members of the conversation, and each RoomSend to
 * the room (relay-rooms.ts). How it writes is the
 * variable under test:
 *  - 'batched' (ceiling): frames for a socket are queued and flushed once per
 *    event-loop turn as ONE ws.send of the joined length-prefixed frames;
 *  - 'direct' (naive): one ws.send per frame per recipient.
 */

export type Delivery = 'batched' | 'direct';

interface Peer {
  readonly ws: WebSocket;
  userId: string;
  syncSeq: number;
  queue: Uint8Array[];
  queuedBytes: number;
}

interface Conversation {
  readonly id: string;
  readonly kind: ConversationKind;
  readonly members: Set<string>;
  seq: number;
}

export interface RelayOptions {
  readonly host: string;
  readonly port: number;
  readonly delivery: Delivery;
  /**
   * Rooms spanning several relay processes (relay-link.ts): 'owner' for relay
   * 0, the owner's link URL (ws://host:port/peer) for the others.
   */
  readonly roomLink?: 'owner' | { readonly ownerUrl: string };
  /** Room pacing, as Xinbox's XINBOX_ROOM_PUSH_BUDGET (default: Xinbox's default). */
  readonly roomPushBudget?: number;
}

export interface RunningRelay {
  readonly port: number;
  close(): Promise<void>;
}

export async function startRelay(opts: RelayOptions): Promise<RunningRelay> {
  const peersByUser = new Map<string, Set<Peer>>();
  const conversations = new Map<string, Conversation>();
  const directIds = new Map<string, string>();
  let nextConversationId = 1;
  let nextMessageId = 1;
  let connections = 0;
  const dir: RelayDirectory = { userIds: new Map(), nextUserId: 1, connections: () => connections, rooms: () => rooms.stats };
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();

  const dirty = new Set<Peer>();
  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    for (const p of dirty) {
      if (p.queue.length > 0 && p.ws.readyState === p.ws.OPEN) p.ws.send(joinChunks(p.queue, p.queuedBytes));
      p.queue = [];
      p.queuedBytes = 0;
    }
    dirty.clear();
  };
  const write = (p: Peer, bytes: Uint8Array): void => {
    if (opts.delivery === 'direct') {
      if (p.ws.readyState === p.ws.OPEN) p.ws.send(bytes);
      return;
    }
    p.queue.push(bytes);
    p.queuedBytes += bytes.length;
    dirty.add(p);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };
  const reply = (p: Peer, init: FrameInit): void => write(p, withLengthPrefix(encodeFrame(init)));
  const fail = (p: Peer, id: number, e: ErrorSpec): void =>
    reply(p, { id, body: { case: 'error', value: { code: e.code, name: e.name, message: e.description, retryable: e.retryable } } });

  const linkHandlers = { onToOwner: (b: Uint8Array) => rooms.numberLinked(b), onDeliver: (b: Uint8Array) => rooms.deliverLinked(b) };
  let link: RoomLink | undefined;
  if (opts.roomLink === 'owner') link = ownerLink(linkHandlers);
  else if (opts.roomLink) link = await relayLink(opts.roomLink.ownerUrl, linkHandlers);
  const rooms = new RelayRooms<Peer>({ delivery: opts.delivery, write, reply, fail, nextMessageId: () => String(nextMessageId++), link, pushBudgetPerSec: opts.roomPushBudget });

  const newConversation = (kind: ConversationKind, members: Iterable<string>): Conversation => {
    const c: Conversation = { id: String(nextConversationId++), kind, members: new Set(members), seq: 0 };
    conversations.set(c.id, c);
    return c;
  };

  const handle = (p: Peer, f: Frame): void => {
    const { id } = f;
    const body = f.body;
    if (!p.userId && body.case !== 'auth') return fail(p, id, Errors.NOT_AUTHENTICATED);
    switch (body.case) {
      case 'auth': {
        if (p.userId) return fail(p, id, Errors.ALREADY_AUTHENTICATED);
        const token = body.value.token;
        if (!token.startsWith(TOKEN_PREFIX)) return fail(p, id, Errors.TOKEN_INVALID);
        p.userId = token.slice(TOKEN_PREFIX.length);
        const set = peersByUser.get(p.userId) ?? new Set<Peer>();
        set.add(p);
        peersByUser.set(p.userId, set);
        return reply(p, { id, body: { case: 'authOk', value: { userId: p.userId, deviceId: 'relay', serverTime: Date.now(), pingIntervalMs: 25_000, heartbeatTimeoutMs: 75_000, nodeId: 'relay' } } });
      }
      case 'ping':
        return reply(p, { id, body: { case: 'pong', value: { serverTime: Date.now() } } });
      case 'openDirect': {
        const peerId = body.value.userId;
        const key = [p.userId, peerId].sort().join(':');
        let cid = directIds.get(key);
        if (!cid) {
          cid = newConversation(ConversationKind.DIRECT, [p.userId, peerId]).id;
          directIds.set(key, cid);
        }
        return reply(p, { id, body: { case: 'conversationInfo', value: { conversation: { conversationId: cid, kind: ConversationKind.DIRECT, peerId, memberCount: 2 } } } });
      }
      case 'groupCreate': {
        const c = newConversation(ConversationKind.GROUP, [p.userId, ...body.value.memberIds]);
        return reply(p, { id, body: { case: 'groupInfo', value: { group: { conversationId: c.id, name: body.value.name, ownerId: p.userId, memberCount: c.members.size }, myRole: GroupRole.OWNER } } });
      }
      case 'groupInvite': {
        const c = conversations.get(body.value.conversationId);
        if (!c || c.kind !== ConversationKind.GROUP) return fail(p, id, Errors.NOT_FOUND);
        for (const u of body.value.userIds) c.members.add(u);
        return reply(p, { id, body: { case: 'ok', value: {} } });
      }
      case 'send': {
        const c = conversations.get(body.value.conversationId);
        if (!c) return fail(p, id, Errors.NOT_FOUND);
        if (!c.members.has(p.userId)) return fail(p, id, Errors.NOT_A_MEMBER);
        const seq = ++c.seq;
        const messageId = String(nextMessageId++);
        const serverTime = Date.now();
        reply(p, { id, body: { case: 'sendAck', value: { messageId, conversationId: c.id, seq, serverTime, clientMsgId: body.value.clientMsgId } } });
        const messageBytes = toBinary(MessageSchema, create(MessageSchema, {
          id: messageId, conversationId: c.id, seq, senderId: p.userId, clientMsgId: body.value.clientMsgId,
          serverTime, content: body.value.content, conversationKind: c.kind,
        }));
        for (const member of c.members) {
          if (member === p.userId) continue;
          for (const target of peersByUser.get(member) ?? []) write(target, encodePushFrame(messageBytes, ++target.syncSeq));
        }
        return;
      }
      case 'pushAck':
        return;
      default:
        if (rooms.handle(p, f)) return;
        return fail(p, id, Errors.UNKNOWN_OPERATION);
    }
  };

  const server = createServer({ keepAlive: true }, relayHttpHandler(dir, lag));
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: Limits.maxFrameBytes * 64,
    handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL_PROTO) ? SUBPROTOCOL_PROTO : false),
  });
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    const target = path === '/ws' ? wss : path === '/peer' ? link?.server : undefined;
    if (!target) {
      socket.destroy();
      return;
    }
    target.handleUpgrade(req, socket, head, (ws) => target.emit('connection', ws, req));
  });
  wss.on('connection', (ws) => {
    connections++;
    const p: Peer = { ws, userId: '', syncSeq: 0, queue: [], queuedBytes: 0 };
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) return ws.close(4006, 'binary frames only');
      try {
        for (const bytes of splitFrames(data, Limits.maxFrameBytes)) {
          // Room acks (every viewer acks every gift) are ignored; Xinbox reads them with the same hot decoder.
          if (decodeHotFrame(bytes)?.kind === 'roomPushAck') continue;
          handle(p, decodeFrame(bytes));
        }
      } catch {
        ws.close(4006, 'protocol error');
      }
    });
    ws.on('close', () => {
      connections--;
      dirty.delete(p);
      rooms.removePeer(p);
      const set = peersByUser.get(p.userId);
      set?.delete(p);
      if (set && set.size === 0) peersByUser.delete(p.userId);
    });
    ws.on('error', () => undefined);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  // Out of file descriptors (W3 finds the limit): accept fails with EMFILE; keep serving the rest.
  server.on('error', () => undefined);
  wss.on('error', () => undefined);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    port,
    close: async () => {
      link?.close();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      lag.disable();
    },
  };
}
