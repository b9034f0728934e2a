import { DEFAULT_APP_ID } from '../core/ports/app-store.js';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type SecureContextOptions, type Server as TlsServer } from 'node:tls';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import {
  CloseCodes, Errors, FrameSizeError, FrameStreamDecoder, SUBPROTOCOL_JSON, SUBPROTOCOL_PROTO, XinboxError,
  create, decodeFrame, decodeHotFrame, frameFromJson, splitFrames, AuthOkSchema, RoomPushAckSchema,
  type Frame, type ErrorSpec, type CloseSpec, type HotSend,
} from '@xinbox/protocol';
import type { IdentityService } from '../core/identity/identity-service.js';
import type { Caller } from '../core/messaging/send-types.js';
import type { PresenceService } from '../core/presence/presence-service.js';
import type { Logger } from '../logger.js';
import type { Connection, ConnectionLimits } from './connection.js';
import { FlushScheduler } from './flush-scheduler.js';
import { FlowStats, InboundFlow } from './inbound-flow.js';
import { LIMIT_CLASS, type RequestLimits } from './request-limits.js';
import type { LocalSessions } from './local-sessions.js';
import { TcpConnection } from './tcp-connection.js';
import { WsConnection } from './ws-connection.js';
import type { ReplyBody } from './handlers/types.js';
import type { GatewayControl, RequestForwarder } from './ports.js';
import { replyFrame, type RequestDispatcher } from './request-dispatcher.js';


/** What the gateway reports as it serves (metrics); optional, injected. */
export interface GatewayObserver {
  /** A Send was answered (ack, or an error from the owner) `seconds` after its frame arrived (commit and any forwarding included). */
  sendAcked(seconds: number): void;
}

export interface GatewayOptions extends ConnectionLimits {
  readonly nodeId: string;
  readonly authTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly maxFrameBytes: number;
  /** How often presence TTLs are refreshed for live connections. */
  readonly presenceRefreshMs: number;
  /** Requests read and not yet answered per connection; beyond it the socket is not read. */
  readonly maxInFlightPerConnection: number;
  /** Outbound backlog above which a connection's socket is not read (capped at half of maxOutboundBytes). */
  readonly outboundHighWaterBytes: number;
  /** Accept permessage-deflate when a WebSocket client offers it. */
  readonly wsPerMessageDeflate?: boolean;
  /** Smaller WebSocket messages go uncompressed (wsDeflateThresholdBytes). */
  readonly wsDeflateThresholdBytes?: number;
}

/** Hooks the gateway calls around a connection's life (routing, audience index, sync head). */
export interface SessionHooks {
  /** After authentication: bind routes etc. Returns the user's current sync head for AuthOk. */
  opened(conn: Connection): Promise<number>;
  closed(conn: Connection, lastOfUser: boolean): Promise<void>;
  /** Periodically while the connection lives (renew route TTLs etc.). */
  refreshed?(conn: Connection): Promise<void>;
}

/** Longest Auth.client_version kept (longer ones are cut). */
const MAX_CLIENT_VERSION = 64;

/**
 * Holds client connections (WebSocket and TCP), authenticates them, enforces
 * heartbeats and frame limits, and dispatches frames to handlers. Replies and
 * pushes leave through each connection's batched outbound queue.
 */
export class Gateway implements GatewayControl {
  private nextConnId = 1;
  private readonly pendingAuth = new Set<Connection>();
  private readonly open = new Set<Connection>();
  private readonly scheduler = new FlushScheduler();
  private readonly wss: WebSocketServer;
  private tcp: TcpServer | TlsServer | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweepEveryMs = 1000;
  /** performance.now() of the last sweep: a tick that fires late means this event loop was stalled. */
  private lastSweepAt = 0;
  private lastPresenceRefresh = 0;
  private draining = false;
  /** Offline/route updates of closed connections still running (awaited by stop()). */
  private readonly closing = new Set<Promise<unknown>>();
  /** Backpressure counters (metrics). */
  readonly flowStats = new FlowStats();

  constructor(
    private readonly opts: GatewayOptions,
    private readonly identity: IdentityService,
    private readonly presence: PresenceService,
    private readonly sessions: LocalSessions,
    private readonly dispatcher: RequestDispatcher,
    private readonly hooks: SessionHooks,
    private readonly log: Logger,
    private readonly forwarder: RequestForwarder | null = null,
    private readonly clock: () => number = Date.now,
    private readonly observer: GatewayObserver | null = null,
    /** Per-user and per-IP request rate limits; null = none. */
    readonly limits: RequestLimits | null = null,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      // One WS message may carry several frames; each frame is checked on its own.
      maxPayload: opts.maxFrameBytes * 4,
      // Off by default: deflate costs CPU on every frame of every connection (docs/benchmarks.md).
      perMessageDeflate: opts.wsPerMessageDeflate ? { threshold: opts.wsDeflateThresholdBytes ?? 256, serverNoContextTakeover: false } : false,
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL_PROTO) ? SUBPROTOCOL_PROTO : protocols.has(SUBPROTOCOL_JSON) ? SUBPROTOCOL_JSON : false),
    });
    identity.onRevoked((sids, reason) => this.closeSessions(sids, reason === 'replaced' ? CloseCodes.REPLACED : CloseCodes.LOGGED_OUT));
  }

  /** Outbound bytes queued over every open connection, not yet handed to the kernel (metrics; walks the connections). */
  get outboundBacklogBytes(): number {
    let bytes = 0;
    for (const c of this.open) bytes += c.backlogBytes;
    return bytes;
  }

  /** Connections not closed by either side (one we closed stops counting at once, whatever the peer does). */
  get connectionCount(): number {
    let closed = 0;
    for (const c of this.open) if (c.state === 'closed') closed++;
    return this.open.size + this.pendingAuth.size - closed;
  }

  /**
   * Open connections by Auth.client_version (rollouts and canaries: which
   * versions are connected here). At most `top` versions, the rest summed
   * under "other"; "" is a client that sent none.
   */
  clientVersions(top = 20): Record<string, number> {
    const counts = new Map<string, number>();
    for (const c of this.open) if (c.state === 'open') counts.set(c.clientVersion, (counts.get(c.clientVersion) ?? 0) + 1);
    const sorted = [...counts].sort((a, b) => b[1] - a[1]);
    const out: Record<string, number> = Object.fromEntries(sorted.slice(0, top));
    const rest = sorted.slice(top).reduce((n, [, k]) => n + k, 0);
    if (rest > 0) out.other = (out.other ?? 0) + rest;
    return out;
  }

  /** Accept WebSocket upgrades on `path` of an HTTP server. */
  attachWebSocket(http: HttpServer, path = '/ws'): void {
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = req.url ?? '';
      if (this.draining || (url !== path && !url.startsWith(path + '?'))) {
        socket.end('HTTP/1.1 ' + (this.draining ? '503 Service Unavailable' : '404 Not Found') + '\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.acceptWs(ws, req));
    });
  }

  /**
   * The raw TCP server (over TLS when `tls` is given), not listening: a
   * gateway process gets its connections from the primary's listener and
   * emits them on it.
   */
  tcpServer(tls?: SecureContextOptions): TcpServer | TlsServer {
    const server = tls
      ? createTlsServer({ ...tls, noDelay: true }, (socket) => this.acceptTcp(socket))
      : createTcpServer({ noDelay: true }, (socket) => this.acceptTcp(socket));
    this.tcp = server;
    return server;
  }

  /** Listens for raw TCP clients, over TLS when `tls` (certificate and key) is given. */
  listenTcp(port: number, host: string, tls?: SecureContextOptions): Promise<number> {
    const server = this.tcpServer(tls);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        const addr = server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  /** New TLS handshakes of the TCP listener use this certificate and key; established connections keep theirs. */
  setTcpSecureContext(tls: SecureContextOptions): void {
    if (this.tcp && 'setSecureContext' in this.tcp) this.tcp.setSecureContext(tls);
  }

  start(): void {
    const every = Math.max(50, Math.min(1000, Math.floor(Math.min(this.opts.authTimeoutMs, this.opts.heartbeatTimeoutMs, this.opts.pushRetryBaseMs) / 4)));
    this.sweepEveryMs = every;
    this.lastSweepAt = performance.now();
    this.sweepTimer = setInterval(() => this.sweep(), every);
    this.sweepTimer.unref();
  }

  /** Stop accepting, tell every client to reconnect elsewhere, resolve when all are gone (or after timeoutMs). */
  async drain(timeoutMs = 10_000): Promise<void> {
    this.draining = true;
    await new Promise<void>((r) => (this.tcp ? this.tcp.close(() => r()) : r()));
    for (const c of [...this.open, ...this.pendingAuth]) c.close(CloseCodes.DRAINING);
    const deadline = this.clock() + timeoutMs;
    while (this.connectionCount > 0 && this.clock() < deadline) await new Promise((r) => setTimeout(r, 50));
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    // Clients should come back (to this node after a restart, or another one).
    for (const c of [...this.open, ...this.pendingAuth]) c.close(CloseCodes.DRAINING, 'server stopping');
    const deadline = this.clock() + this.opts.closeGraceMs;
    while (this.open.size + this.pendingAuth.size > 0 && this.clock() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const ws of this.wss.clients) ws.terminate();
    await Promise.allSettled([...this.closing]);
    await new Promise<void>((r) => this.wss.close(() => r()));
    if (this.tcp) await new Promise<void>((r) => this.tcp!.close(() => r()));
  }

  /** Close this node's connection of a device (it connected elsewhere). */
  closeDevice(userId: number, deviceId: string, code: CloseSpec): void {
    for (const c of this.sessions.connectionsOf(userId)) if (c.deviceId === deviceId) c.close(code);
  }

  /** Close every connection of a user here (a ban). */
  closeUser(userId: number, code: CloseSpec): void {
    for (const c of [...this.sessions.connectionsOf(userId)]) c.close(code);
  }

  closeSessions(sessionIds: readonly string[], code: CloseSpec): void {
    for (const sid of sessionIds) this.sessions.bySessionId(sid)?.close(code);
  }

  private acceptWs(ws: WebSocket, req: IncomingMessage): void {
    const json = ws.protocol === SUBPROTOCOL_JSON;
    const conn = new WsConnection(this.nextConnId++, ws, json, req.socket.remoteAddress ?? '', this.scheduler, this.opts, this.clock());
    const flow = this.attachFlow(conn);
    this.pendingAuth.add(conn);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      conn.lastReceivedAt = this.clock();
      const bytes = data as Buffer;
      if (json) {
        if (isBinary) return this.protocolError(conn, Errors.BAD_FRAME, 'json subprotocol takes text messages');
        if (bytes.length > this.opts.maxFrameBytes) return this.tooLarge(conn, bytes.length);
        let frame: Frame;
        try {
          frame = frameFromJson(bytes.toString('utf8'));
        } catch {
          return this.replyError(conn, 0, new XinboxError(Errors.BAD_FRAME, 'not a JSON Frame'));
        }
        return flow.accept(frame);
      }
      if (!isBinary) return this.replyError(conn, 0, new XinboxError(Errors.BAD_FRAME, 'proto subprotocol takes binary messages'));
      let bodies: Uint8Array[];
      try {
        bodies = splitFrames(bytes, this.opts.maxFrameBytes);
      } catch (e) {
        if (e instanceof FrameSizeError) return this.tooLarge(conn, e.size);
        return this.replyError(conn, 0, new XinboxError(Errors.BAD_FRAME, 'truncated frame'));
      }
      for (const body of bodies) flow.accept(body);
    });
    ws.on('close', () => this.onClosed(conn));
    ws.on('error', () => conn.close(CloseCodes.PROTOCOL_ERROR));
  }

  private acceptTcp(socket: Socket): void {
    if (this.draining) return void socket.destroy();
    const conn = new TcpConnection(this.nextConnId++, socket, socket.remoteAddress ?? '', this.scheduler, this.opts, this.clock());
    const decoder = new FrameStreamDecoder(this.opts.maxFrameBytes);
    const flow = this.attachFlow(conn);
    this.pendingAuth.add(conn);
    socket.on('data', (chunk: Buffer) => {
      if (conn.state === 'closed') return;
      conn.lastReceivedAt = this.clock();
      let bodies: Uint8Array[];
      try {
        bodies = decoder.push(chunk);
      } catch (e) {
        if (e instanceof FrameSizeError) return this.tooLarge(conn, e.size);
        return this.protocolError(conn, Errors.BAD_FRAME, 'broken length prefix');
      }
      for (const body of bodies) flow.accept(body);
    });
    socket.on('close', () => this.onClosed(conn));
    socket.on('error', () => socket.destroy());
  }

  /** Inbound frames pass through the connection's flow control (see inbound-flow.ts). */
  private attachFlow(conn: Connection): InboundFlow<Uint8Array | Frame> {
    const limits = {
      maxInFlight: this.opts.maxInFlightPerConnection,
      outboundHighWater: Math.min(this.opts.outboundHighWaterBytes, Math.floor(this.opts.maxOutboundBytes / 2)),
    };
    const flow = new InboundFlow<Uint8Array | Frame>(conn, limits, (item) => {
      if (conn.state === 'closed') return;
      if (item instanceof Uint8Array) this.onBytes(conn, item);
      else this.onFrame(conn, item);
    }, this.flowStats, this.clock);
    conn.flow = flow;
    return flow;
  }

  /**
   * Run a request whose reply comes later, counted in the connection's in-flight requests.
   * `sendStarted` (performance.now() when a Send arrived, or -1) times its ack for the observer.
   */
  private answerLater(conn: Connection, id: number, reply: Promise<Uint8Array>, sendStarted = -1): void {
    const flow = conn.flow!;
    flow.started();
    reply.then(
      (bytes) => {
        conn.enqueueReply(bytes);
        if (sendStarted >= 0) this.observer?.sendAcked((performance.now() - sendStarted) / 1e3);
        flow.finished();
      },
      (e) => {
        this.replyError(conn, id, e);
        flow.finished();
      },
    );
  }

  private onBytes(conn: Connection, body: Uint8Array): void {
    // Hot path: Send, PushAck and RoomPushAck without protobuf reflection (same semantics).
    if (conn.state === 'open') {
      const hot = decodeHotFrame(body);
      if (hot?.kind === 'pushAck') {
        if (hot.syncSeq > 0) conn.ackPushes(hot.syncSeq);
        return;
      }
      const roomPushAck = this.dispatcher.handlers.roomPushAck;
      if (hot?.kind === 'roomPushAck' && roomPushAck) {
        void roomPushAck({ conn, caller: callerOf(conn) }, create(RoomPushAckSchema, { roomId: hot.roomId, seq: hot.seq }));
        return;
      }
      if (hot?.kind === 'send') {
        // The frame's bytes go to the owner as they came; the same handler runs here or there.
        const caller = callerOf(conn);
        const started = this.observer ? performance.now() : -1;
        const reply = this.limits
          ? this.limits.check('send', conn.userId, conn.remoteAddress).then(() => this.runSend(caller, hot, body))
          : this.runSend(caller, hot, body);
        this.answerLater(conn, hot.id, reply, started);
        return;
      }
    }
    let frame: Frame;
    try {
      frame = decodeFrame(body);
    } catch {
      // The length prefix was fine, so the stream is intact: answer and keep serving.
      return this.replyError(conn, 0, new XinboxError(Errors.BAD_FRAME));
    }
    this.onFrame(conn, frame);
  }

  /** A hot-decoded Send: on its conversation's owner node (cluster) or here. */
  private runSend(caller: Caller, hot: HotSend, body: Uint8Array): Promise<Uint8Array> {
    return this.forwarder?.forwardSend(caller, hot.conversationId, body) ?? this.dispatcher.send(caller, hot);
  }

  private onFrame(conn: Connection, frame: Frame): void {
    if (conn.state === 'closed') return;
    const body = frame.body;
    if (body.case === 'ping') return this.reply(conn, frame.id, { case: 'pong', value: { serverTime: this.clock() } });
    if (conn.state === 'auth') {
      if (body.case === 'auth') {
        const flow = conn.flow!;
        flow.started();
        return void this.authenticate(conn, frame.id, body.value.token, body.value.clientVersion).finally(() => flow.finished());
      }
      return this.replyError(conn, frame.id, new XinboxError(Errors.NOT_AUTHENTICATED));
    }
    if (body.case === 'auth') return this.replyError(conn, frame.id, new XinboxError(Errors.ALREADY_AUTHENTICATED));
    const limited = this.limits && body.case ? LIMIT_CLASS[body.case] : undefined;
    if (limited) {
      // The check counts as in flight, so the request keeps its place under flow control.
      const flow = conn.flow!;
      flow.started();
      this.limits!.check(limited, conn.userId, conn.remoteAddress).then(
        () => {
          this.dispatch(conn, frame);
          flow.finished();
        },
        (e) => {
          this.replyError(conn, frame.id, e);
          flow.finished();
        },
      );
      return;
    }
    this.dispatch(conn, frame);
  }

  /** Run an authenticated request: on its owner node (cluster) or here. */
  private dispatch(conn: Connection, frame: Frame): void {
    if (conn.state === 'closed') return;
    const caller = callerOf(conn);
    const forwarded = this.forwarder?.forward(caller, frame);
    if (forwarded) return this.answerLater(conn, frame.id, forwarded);
    const flow = conn.flow!;
    flow.started();
    this.dispatcher.frame({ conn, caller }, frame).then(
      (reply) => {
        if (reply) conn.enqueueReply(reply);
        flow.finished();
      },
      () => flow.finished(),
    );
  }

  private async authenticate(conn: Connection, id: number, token: string, clientVersion: string): Promise<void> {
    try {
      const claims = await this.identity.authenticate(token);
      if (conn.state !== 'auth') return;
      conn.userId = claims.uid;
      conn.deviceId = claims.did;
      conn.platform = claims.plat;
      conn.appId = claims.app ?? DEFAULT_APP_ID;
      conn.sessionId = claims.sid;
      conn.clientVersion = clientVersion.slice(0, MAX_CLIENT_VERSION);
      conn.expiresAt = claims.exp;
      conn.state = 'open';
      this.pendingAuth.delete(conn);
      this.open.add(conn);
      const replaced = this.sessions.add(conn);
      replaced?.close(CloseCodes.REPLACED);
      const syncSeq = await this.hooks.opened(conn);
      await this.presence.connected(conn.userId, conn.deviceId, conn.platform);
      this.reply(conn, id, {
        case: 'authOk',
        value: create(AuthOkSchema, {
          userId: String(conn.userId),
          deviceId: conn.deviceId,
          serverTime: this.clock(),
          pingIntervalMs: this.opts.pingIntervalMs,
          heartbeatTimeoutMs: this.opts.heartbeatTimeoutMs,
          syncSeq,
          nodeId: this.opts.nodeId,
        }),
      });
    } catch (e) {
      this.replyError(conn, id, e);
      if (conn.state === 'auth') conn.close(CloseCodes.AUTH_FAILED);
    }
  }

  private onClosed(conn: Connection): void {
    const wasOpen = conn.state === 'open' || this.open.has(conn);
    conn.close(CloseCodes.NORMAL);
    this.pendingAuth.delete(conn);
    this.open.delete(conn);
    if (!wasOpen) return;
    const last = this.sessions.remove(conn);
    const replaced = this.sessions.connectionsOf(conn.userId).some((c) => c.deviceId === conn.deviceId);
    this.track(this.hooks.closed(conn, last).catch((e) => this.connLog(conn).warn('session close hook failed', e)));
    // A replaced device is still online through its new connection.
    if (!replaced) this.track(this.presence.disconnected(conn.userId, conn.deviceId).catch((e) => this.connLog(conn).warn('presence offline failed', e)));
  }

  private track(p: Promise<unknown>): void {
    this.closing.add(p);
    void p.finally(() => this.closing.delete(p));
  }

  private sweep(): void {
    const now = this.clock();
    // A tick that fires more than an interval late means this event loop was
    // stalled (a long GC, a busy machine): what clients sent meanwhile is still
    // unread in the socket buffers, so silence is not evidence. Timeouts are
    // judged again on the next tick, after the I/O phase has read them.
    const tickAt = performance.now();
    const stalled = tickAt - this.lastSweepAt > this.sweepEveryMs * 2;
    this.lastSweepAt = tickAt;
    if (!stalled) for (const c of this.pendingAuth) if (now - c.openedAt > this.opts.authTimeoutMs) c.close(CloseCodes.AUTH_TIMEOUT);
    for (const c of this.open) {
      if (c.expiresAt <= now) {
        // The access token ran out: the client refreshes it and reconnects (protocol.md "Session end").
        c.close(CloseCodes.TOKEN_EXPIRED);
        continue;
      }
      const flow = c.flow;
      if (flow?.isPaused) {
        if (!flow.blockedByClient) c.lastReceivedAt = now;
        flow.maybeResume();
        // Paused by us, the client could not send; paused because it does not read our replies, it is a slow consumer.
        if (!stalled && flow.isPaused && flow.blockedByClient && now - flow.pausedAt > this.opts.heartbeatTimeoutMs) c.close(CloseCodes.SLOW_CONSUMER);
        continue;
      }
      if (!stalled && now - c.lastReceivedAt > this.opts.heartbeatTimeoutMs) c.close(CloseCodes.HEARTBEAT_TIMEOUT);
    }
    this.scheduler.retransmit(now);
    if (now - this.lastPresenceRefresh >= this.opts.presenceRefreshMs) {
      this.lastPresenceRefresh = now;
      for (const c of this.open) {
        void this.presence.refresh(c.userId, c.deviceId).catch(() => undefined);
        void this.hooks.refreshed?.(c).catch(() => undefined);
      }
    }
  }

  private reply(conn: Connection, id: number, body: ReplyBody): void {
    if (!body) return;
    conn.enqueueReply(replyFrame(id, body));
  }

  /** Log lines about one connection carry its id, user and device (built only when something is logged). */
  private connLog(conn: Connection): Logger {
    return this.log.child({ conn: conn.id, transport: conn.transport, user: conn.userId, device: conn.deviceId });
  }

  private replyError(conn: Connection, id: number, e: unknown): void {
    conn.enqueue(this.dispatcher.errorFrame(id, e, conn.state === 'open' ? { userId: conn.userId, deviceId: conn.deviceId } : undefined));
  }

  private tooLarge(conn: Connection, size: number): void {
    this.replyError(conn, 0, new XinboxError(Errors.FRAME_TOO_LARGE, `frame of ${size} bytes exceeds ${this.opts.maxFrameBytes}`));
    conn.close(CloseCodes.FRAME_TOO_LARGE);
  }

  private protocolError(conn: Connection, spec: ErrorSpec, message: string): void {
    this.replyError(conn, 0, new XinboxError(spec, message));
    conn.close(CloseCodes.PROTOCOL_ERROR);
  }
}

function callerOf(conn: Connection): Caller {
  return { userId: conn.userId, deviceId: conn.deviceId };
}
