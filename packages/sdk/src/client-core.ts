/**
 * The lifecycle half of XinboxClient: one logged-in device's reconnect loop
 * (backoff with full jitter, obeying the close-code advice, refreshing the
 * token when auth fails), the send queue, the receive path (SyncEngine), the
 * local conversation list, persistence of the sync state, and dispatch of
 * server pushes to typed events. The request methods live in client.ts.
 */
import {
  Errors,
  MessageSchema,
  XinboxError,
  closeByCode,
  create,
  type AuthOk,
  type ConversationSummary,
  type Frame,
  type FrameCase,
  type GroupInfo,
  type ReadUpdate,
  type ReconnectAdvice,
  type SendAck,
} from '@xinbox/protocol';
import { Backoff } from './backoff.js';
import { adviceForClose, adviceForError } from './close-advice.js';
import { resolveOptions, type ResolvedOptions, type XinboxClientOptions } from './client-options.js';
import { Connection } from './connection.js';
import { ConversationState } from './conversation-state.js';
import { emptySyncState } from './cursor-store.js';
import { EndpointSelector, type GatewayTarget } from './endpoints.js';
import { ConnectionLostError, fromErrorFrame, type ConnectionClose } from './errors.js';
import type { ConnectionState, XinboxEvents } from './events.js';
import { TypedEmitter } from './emitter.js';
import type { BodyInit, BodyOf } from './frame-types.js';
import { HttpApi, type Session } from './http-api.js';
import { randomId } from './ids.js';
import { RoomTracker } from './rooms.js';
import { RelationFeed } from './relation-feed.js';
import { SendQueue, type FailureAction, type OutgoingSend } from './send-queue.js';
import { SyncEngine, type SyncRpc } from './sync-engine.js';
import { openTcpTransport } from './transport-tcp.js';
import { openWebSocketTransport } from './transport-ws.js';
import type { FrameTransport, TransportHandlers } from './transport.js';

/** Refresh the access token this long before it expires. */
const REFRESH_MARGIN_MS = 30_000;

export abstract class XinboxClientCore extends TypedEmitter<XinboxEvents> {
  readonly options: ResolvedOptions;
  private readonly http: HttpApi;
  private readonly endpoints: EndpointSelector;
  private readonly backoff: Backoff;
  protected readonly convs = new ConversationState();
  protected readonly engine: SyncEngine;
  protected readonly roomTracker: RoomTracker;
  protected readonly relationFeed: RelationFeed;
  protected readonly queue: SendQueue<SendAck>;

  private _session: Session | undefined;
  private conn: Connection | undefined;
  private _state: ConnectionState = 'closed';
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeSleep: (() => void) | undefined;
  private waiters: Array<{ resolve: (c: Connection) => void; reject: (e: unknown) => void }> = [];
  private refreshing: Promise<Session> | undefined;
  private loadedStateFor: string | undefined;
  private persistTimer: ReturnType<typeof setTimeout> | undefined;
  protected presenceSubs: string[] = [];
  /** reconnect() was called: skip the backoff once. */
  private reconnectNow = false;
  private listRefreshTimer: ReturnType<typeof setTimeout> | undefined;
  private lastTotalUnread = 0;

  constructor(options: XinboxClientOptions) {
    super();
    this.options = resolveOptions(options);
    const o = this.options;
    this.http = new HttpApi(o.baseUrl, o.fetch, o.requestTimeoutMs);
    this.backoff = new Backoff(o.reconnect);
    const fallback: GatewayTarget = { ws: o.wsUrl, tcp: o.tcp };
    const accessUrl = o.accessUrl;
    this.endpoints = new EndpointSelector({
      transport: o.transport,
      fallback,
      fetchList: accessUrl === false ? undefined : () => this.http.access({ clientVersion: o.clientVersion, region: o.region }, accessUrl),
    });
    this.engine = new SyncEngine(
      {
        deliver: (m) => {
          // A conversation first seen through a message lacks its title and
          // members; the next list refresh brings them.
          if (!this.convs.has(m.conversationId)) this.scheduleListRefresh();
          const changed = this.convs.applyMessage(m);
          if (!m.hidden) this.emit('message', m);
          if (changed) this.conversationChanged(m.conversationId);
        },
        summaries: (list) => this.applySummaries(list),
        resync: () => {
          this.convs.clear();
          this.emitUnreadIfChanged();
          this.emit('resync', undefined);
        },
        synced: (cursor) => this.afterSync(cursor),
        changed: () => this.schedulePersist(),
        error: (err) => this.emitError(err),
      },
      { gapFillDelayMs: o.gapFillDelayMs, syncPageLimit: o.syncPageLimit },
    );
    this.relationFeed = new RelationFeed({
      deliver: (c) => {
        this.emit('relationChange', c);
        if (c.change.case === 'conversationSettings') this.emit('conversationSettings', c.change.value);
        if (c.change.case === 'messagesHidden') this.emit('messagesHidden', { conversationId: c.change.value.conversationId, seqs: c.change.value.seqs });
      },
      error: (err) => this.emitError(err),
    });
    this.roomTracker = new RoomTracker({
      deliver: (m) => this.emit('room', m),
      changed: () => this.schedulePersist(),
      error: (err) => this.emitError(err),
    });
    this.queue = new SendQueue<SendAck>({
      limit: o.sendQueueLimit,
      maxInFlight: o.maxInFlightSends,
      transmit: (msg) => this.transmitSend(msg),
      classify: classifySendFailure,
      retryDelayMs: (n) => Math.min(o.reconnect.maxMs, o.reconnect.baseMs * 2 ** n),
      retryAfterMs: (err) => (err instanceof XinboxError ? err.retryAfterMs : 0),
      fullError: (limit) => new XinboxError(Errors.RATE_LIMITED, `send queue is full (${limit} messages waiting)`),
      newId: randomId,
    });
    if (options.session) this._session = options.session;
  }

  // ------------------------------------------------------------ session (HTTP)

  get state(): ConnectionState {
    return this._state;
  }

  get session(): Session | undefined {
    return this._session;
  }

  get userId(): string | undefined {
    return this._session?.userId;
  }

  /** Use tokens obtained earlier (e.g. persisted from the 'session' event). */
  setSession(session: Session | undefined): void {
    if (session && this._session && session.userId !== this._session.userId) this.resetLocalState();
    this._session = session;
    this.emit('session', session);
  }

  register(username: string, password: string): Promise<{ userId: string }> {
    return this.http.register(username, password, this.options.appId);
  }

  async login(username: string, password: string): Promise<Session> {
    const s = await this.http.login(username, password, this.options.deviceId, this.options.platform, this.options.appId);
    this.setSession(s);
    return s;
  }

  /**
   * Log this device in from another device's live access token (same user,
   * no password): how a new browser tab joins the browser's login as a
   * device of its own.
   */
  async loginFromDevice(accessToken: string): Promise<Session> {
    const s = await this.http.addDevice(accessToken, this.options.deviceId, this.options.platform);
    this.setSession(s);
    return s;
  }

  /** Rotates the tokens. Concurrent calls share one request (the old refresh token dies on use). */
  refresh(): Promise<Session> {
    const s = this._session;
    if (!s) return Promise.reject(new XinboxError(Errors.NOT_AUTHENTICATED, 'no session to refresh; log in first'));
    this.refreshing ??= this.http
      .refresh(s.refreshToken)
      .then((fresh) => {
        this.setSession(fresh);
        return fresh;
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }

  /** Revokes the session on the server and closes the connection. */
  async logout(): Promise<void> {
    const s = this._session;
    if (!s) return;
    try {
      await this.http.logout(s.accessToken);
    } finally {
      await this.close();
      this._session = undefined;
      this.resetLocalState();
      this.emit('session', undefined);
    }
  }

  // ------------------------------------------------------------ connection

  /**
   * Connects and authenticates. Transient failures are retried in the
   * background with backoff, so this resolves once connected; it rejects only
   * when reconnecting is pointless (credentials rejected, kicked for good) or
   * close() is called first.
   */
  async connect(): Promise<AuthOk> {
    if (!this._session) throw new XinboxError(Errors.NOT_AUTHENTICATED, 'log in (or setSession) before connect()');
    if (this.conn?.isOpen) return this.conn.authOk;
    const waiting = new Promise<Connection>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.running) {
      this.running = true;
      this.setState('connecting');
      this.loop = this.runLoop();
    }
    return (await waiting).authOk;
  }

  /** Closes the connection and stops reconnecting. Pending sends are rejected. */
  async close(): Promise<void> {
    const wasRunning = this.running;
    this.running = false;
    this.wakeSleep?.();
    this.conn?.close(1000, 'client closed');
    await this.loop;
    this.loop = undefined;
    if (this.listRefreshTimer) clearTimeout(this.listRefreshTimer);
    this.listRefreshTimer = undefined;
    if (wasRunning || this.queue.size > 0) {
      this.queue.failAll(new XinboxError(Errors.UNAVAILABLE, 'client closed'));
    }
    this.failWaiters(new XinboxError(Errors.UNAVAILABLE, 'client closed'));
    await this.persistNow();
    this.setState('closed');
  }

  /**
   * Drops the current connection and connects again at once, e.g. when the
   * app learns the network changed and the old socket is probably dead.
   * Sync resumes from the cursor; unacked sends are resent with their ids.
   */
  reconnect(): void {
    if (!this.running) return;
    this.reconnectNow = true;
    if (this.conn) this.conn.close(4000, 'reconnect requested');
    else this.wakeSleep?.();
  }

  private async runLoop(): Promise<void> {
    let refreshedWithoutSuccess = false;
    while (this.running) {
      let advice: ReconnectAdvice;
      let failure: unknown;
      let connected = false;
      try {
        await this.loadState();
        await this.refreshIfExpiring();
        const target = await this.endpoints.current();
        if (!this.running) break;
        const conn = await this.openConnection(target);
        if (!this.running) {
          conn.close(1000, 'client closed');
          break;
        }
        connected = true;
        refreshedWithoutSuccess = false;
        this.backoff.reset();
        this.onConnected(conn);
        const closed = await conn.closed;
        this.onDisconnected(closed);
        advice = adviceForClose(closed);
        failure = closed.error;
      } catch (err) {
        advice = adviceForError(err);
        failure = err;
      }
      if (!this.running) break;
      if (this.reconnectNow) {
        this.reconnectNow = false;
        if (advice !== 'never' && advice !== 'after-refresh') {
          this.setState('reconnecting');
          continue;
        }
      }

      if (advice === 'after-refresh') {
        if (refreshedWithoutSuccess) {
          advice = 'never';
        } else {
          try {
            await this.refresh();
            refreshedWithoutSuccess = true;
            this.setState('reconnecting');
            continue;
          } catch (err) {
            failure = err;
            advice = adviceForError(err) === 'never' || (err instanceof XinboxError && !err.retryable) ? 'never' : 'backoff';
          }
        }
      }
      if (advice === 'never') {
        this.stopForGood(failure);
        break;
      }
      if (failure && !connected) this.emitError(failure);
      this.setState('reconnecting');
      if (advice === 'immediately') {
        this.endpoints.advance();
        continue;
      }
      // A failed attempt moves on to the next gateway; a dropped session
      // retries the same one first.
      if (!connected) this.endpoints.advance();
      await this.sleep(this.backoff.next());
      this.reconnectNow = false;
    }
  }

  private openConnection(target: GatewayTarget): Promise<Connection> {
    const o = this.options;
    const openTransport = (handlers: TransportHandlers): Promise<FrameTransport> =>
      o.transport === 'tcp'
        ? openTcpTransport({ host: target.tcp.host, port: target.tcp.port, maxFrameBytes: o.maxFrameBytes, connectTimeoutMs: o.connectTimeoutMs, tls: o.tcpTls }, handlers)
        : openWebSocketTransport(
            { url: target.ws, subprotocol: o.subprotocol, maxFrameBytes: o.maxFrameBytes, connectTimeoutMs: o.connectTimeoutMs, WebSocket: o.WebSocket },
            handlers,
          );
    return Connection.open({
      token: this._session!.accessToken,
      clientVersion: o.clientVersion,
      authTimeoutMs: o.authTimeoutMs,
      requestTimeoutMs: o.requestTimeoutMs,
      openTransport,
      onPush: (f) => this.onServerFrame(f),
    });
  }

  private onConnected(conn: Connection): void {
    this.conn = conn;
    const ok = conn.authOk;
    this.convs.setSelf(ok.userId);
    this.setState('connected');
    this.emit('connected', ok);
    const waiters = this.waiters.splice(0);
    for (const w of waiters) w.resolve(conn);
    this.queue.resume();
    void this.engine.attach(this.syncRpc(conn));
    void this.relationFeed.attach((cursor) => conn.call({ case: 'relationSync', value: { cursor, limit: 0 } }, 'relationSyncResult'));
    void this.roomTracker.attach({
      join: (roomId, afterSeq) => conn.call({ case: 'roomJoin', value: { roomId, afterSeq } }, 'roomJoined'),
      pull: (roomId, afterSeq, limit) => conn.call({ case: 'roomPull', value: { roomId, afterSeq, limit } }, 'roomPullResult'),
      ack: (roomId, seq) => conn.notify({ case: 'roomPushAck', value: { roomId, seq } }),
    });
    if (this.presenceSubs.length > 0) {
      conn.call({ case: 'presenceSubscribe', value: { userIds: this.presenceSubs } }, 'ok').catch((err) => this.emitError(err));
    }
  }

  private async afterSync(cursor: number): Promise<void> {
    const conn = this.conn;
    if (!conn) return;
    this.emit('synced', { cursor });
    const limit = this.options.autoListConversations;
    if (limit === false) return;
    try {
      const list = await conn.call({ case: 'listConversations', value: { limit } }, 'conversationList');
      if (this.conn === conn) this.applySummaries(list.conversations);
    } catch (err) {
      if (this.conn === conn) this.emitError(err);
    }
  }

  private scheduleListRefresh(): void {
    const limit = this.options.autoListConversations;
    if (limit === false || this.listRefreshTimer) return;
    this.listRefreshTimer = setTimeout(() => {
      this.listRefreshTimer = undefined;
      const conn = this.conn;
      if (!conn?.isOpen) return;
      conn.call({ case: 'listConversations', value: { limit } }, 'conversationList').then(
        (list) => this.applySummaries(list.conversations),
        (err) => this.emitError(err),
      );
    }, 200);
  }

  private onDisconnected(closed: ConnectionClose): void {
    this.conn = undefined;
    this.queue.pause();
    this.engine.detach();
    this.roomTracker.detach();
    this.relationFeed.detach();
    void this.persistNow();
    // The server normally sends Kicked first; a bare close code gets the same event.
    if (!closed.kicked && !closed.byClient && closed.code !== undefined && closed.code >= 4000) {
      this.emitKicked(closed.code, closed.reason);
    }
  }

  private stopForGood(failure: unknown): void {
    this.running = false;
    const err =
      failure instanceof Error ? failure : new XinboxError(Errors.UNAVAILABLE, 'the server ended the session; not reconnecting');
    this.queue.failAll(err);
    this.failWaiters(err);
    if (failure) this.emitError(err);
    this.setState('closed');
  }

  private syncRpc(conn: Connection): SyncRpc {
    return {
      sync: (cursor, limit) => conn.call({ case: 'sync', value: { cursor, limit } }, 'syncResult'),
      pullRange: (conversationId, fromSeq, toSeq) => conn.call({ case: 'pullRange', value: { conversationId, fromSeq, toSeq } }, 'historyResult'),
      listConversations: (limit) => conn.call({ case: 'listConversations', value: { limit } }, 'conversationList'),
      ackPush: (ack) => conn.notify({ case: 'pushAck', value: ack }),
    };
  }

  private async refreshIfExpiring(): Promise<void> {
    const s = this._session;
    if (!s || !s.accessExpiresAt) return;
    if (s.accessExpiresAt - Date.now() < REFRESH_MARGIN_MS) await this.refresh();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleep = () => {
        this.wakeSleep = undefined;
        done();
      };
    });
  }

  private failWaiters(err: unknown): void {
    const waiters = this.waiters.splice(0);
    for (const w of waiters) w.reject(err);
  }

  private setState(s: ConnectionState): void {
    if (this._state === s) return;
    this._state = s;
    this.emit('state', s);
  }

  // ------------------------------------------------------------ server frames

  private onServerFrame(f: Frame): void {
    const b = f.body;
    switch (b.case) {
      case 'push':
        this.engine.onPush(b.value);
        return;
      case 'readUpdate':
        this.applyReadUpdate(b.value);
        return;
      case 'unreadUpdate':
        if (this.convs.applyUnreadUpdate(b.value)) this.conversationChanged(b.value.conversationId);
        return;
      case 'typingUpdate':
        this.emit('typing', b.value);
        return;
      case 'presenceUpdate':
        if (b.value.user) this.emit('presence', b.value.user);
        return;
      case 'conversationInfo':
        if (b.value.conversation) this.applySummaries([b.value.conversation]);
        return;
      case 'groupInfo':
        this.emit('group', b.value);
        return;
      case 'roomPush':
        this.roomTracker.onPush(b.value);
        return;
      case 'roomEvent':
        this.emit('roomEvent', b.value);
        return;
      case 'relationChange':
        this.relationFeed.onPush(b.value);
        return;
      case 'serviceEvent':
        if (b.value.conversation) this.emit('service', { conversation: b.value.conversation, reason: b.value.reason });
        return;
      case 'kicked':
        this.emitKicked(b.value.closeCode, b.value.reason);
        return;
      case 'error':
        this.emitError(fromErrorFrame(b.value));
        return;
      default:
        return;
    }
  }

  protected applyReadUpdate(u: ReadUpdate): void {
    const self = !u.userId || u.userId === this.userId;
    const changed = self ? this.convs.applyOwnRead(u.conversationId, u.readSeq) : this.convs.applyPeerRead(u.conversationId, u.userId, u.readSeq);
    if (changed) this.conversationChanged(u.conversationId);
    this.emit('read', { conversationId: u.conversationId, userId: u.userId || (this.userId ?? ''), readSeq: u.readSeq, self });
  }

  protected applySummaries(list: readonly ConversationSummary[]): void {
    for (const s of list) if (this.convs.applySummary(s)) this.conversationChanged(s.conversationId);
  }

  private conversationChanged(conversationId: string): void {
    const s = this.convs.get(conversationId);
    if (s) this.emit('conversation', s);
    this.emitUnreadIfChanged();
  }

  protected emitUnreadIfChanged(): void {
    const total = this.convs.totalUnread;
    if (total === this.lastTotalUnread) return;
    this.lastTotalUnread = total;
    this.emit('unread', total);
  }

  private emitKicked(code: number, reason: string): void {
    const spec = closeByCode(code);
    this.emit('kicked', { code, name: spec?.name ?? 'UNKNOWN', reason, reconnect: spec?.reconnect ?? 'backoff' });
  }

  private emitError(err: unknown): void {
    // 'error' without listeners must not crash the app: errors here are
    // informational (the SDK already recovers from them).
    this.emit('error', err instanceof Error ? err : new Error(String(err)));
  }

  // ------------------------------------------------------------ persistence

  private stateKey(): string | undefined {
    const s = this._session;
    return s ? `${s.userId}:${this.options.deviceId}` : undefined;
  }

  private async loadState(): Promise<void> {
    const key = this.stateKey();
    if (!key || this.loadedStateFor === key) return;
    const state = (await this.options.cursorStore.load(key)) ?? emptySyncState();
    this.engine.load(state);
    this.roomTracker.load(state.rooms);
    this.loadedStateFor = key;
  }

  private schedulePersist(): void {
    this.persistTimer ??= setTimeout(() => {
      this.persistTimer = undefined;
      void this.persistNow();
    }, 50);
  }

  private async persistNow(): Promise<void> {
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.persistTimer = undefined;
    const key = this.stateKey();
    if (!key || this.loadedStateFor !== key) return;
    try {
      await this.options.cursorStore.save(key, { ...this.engine.snapshot(), rooms: this.roomTracker.positions() });
    } catch (err) {
      this.emitError(err);
    }
  }

  private resetLocalState(): void {
    this.engine.reset();
    this.convs.clear();
    this.loadedStateFor = undefined;
    this.emitUnreadIfChanged();
  }

  // ------------------------------------------------------------ requests

  /** Resolves with the live connection, waiting for a reconnect in progress. */
  protected whenConnected(): Promise<Connection> {
    if (this.conn?.isOpen) return Promise.resolve(this.conn);
    if (!this.running) return Promise.reject(new XinboxError(Errors.UNAVAILABLE, 'not connected; call connect() first'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new XinboxError(Errors.TIMEOUT, `not connected within ${this.options.requestTimeoutMs} ms`));
      }, this.options.requestTimeoutMs);
      const waiter = {
        resolve: (c: Connection) => {
          clearTimeout(timer);
          resolve(c);
        },
        reject: (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.waiters.push(waiter);
    });
  }

  protected async request<C extends FrameCase>(body: BodyInit, expect: C): Promise<BodyOf<C>> {
    const conn = await this.whenConnected();
    return conn.call(body, expect);
  }

  /** Requests answered by Ok or by GroupInfo (server's choice). */
  protected async requestGroup(body: BodyInit): Promise<GroupInfo | undefined> {
    const conn = await this.whenConnected();
    const reply = await conn.callAny(body, ['ok', 'groupInfo']);
    return reply.case === 'groupInfo' ? reply.value : undefined;
  }

  private async transmitSend(msg: OutgoingSend): Promise<SendAck> {
    const conn = this.conn;
    if (!conn?.isOpen) throw new ConnectionLostError(undefined, 'not connected');
    const ack = await conn.call(
      {
        case: 'send',
        value: {
          conversationId: msg.conversationId,
          clientMsgId: msg.clientMsgId,
          content: msg.content,
          mentions: [...msg.mentions],
          mentionAll: msg.mentionAll,
          visibleTo: [...msg.visibleTo],
        },
      },
      'sendAck',
    );
    // Feed our own message into the receive path: it takes its seq in the
    // conversation (so the next message is not mistaken for a gap) and is
    // emitted as 'message' like everyone else's.
    const conversationId = ack.conversationId !== '0' && ack.conversationId ? ack.conversationId : msg.conversationId;
    this.engine.onOwnMessage(
      create(MessageSchema, {
        id: ack.messageId,
        conversationId,
        seq: ack.seq,
        senderId: conn.authOk.userId,
        clientMsgId: msg.clientMsgId,
        serverTime: ack.serverTime,
        content: msg.content,
        mentions: [...msg.mentions],
        mentionAll: msg.mentionAll,
        visibleTo: [...msg.visibleTo],
        conversationKind: this.convs.get(conversationId)?.kind,
      }),
    );
    return ack;
  }
}

function classifySendFailure(err: unknown): FailureAction {
  if (err instanceof ConnectionLostError) return 'requeue';
  if (err instanceof XinboxError) return err.retryable ? 'retry' : 'fail';
  return 'fail';
}
