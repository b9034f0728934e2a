/**
 * One authenticated session over one transport: the Auth handshake,
 * heartbeats, request/response correlation by frame id with timeouts, and a
 * per-tick outbox so several frames leave in one write. Server-initiated
 * frames (id 0) go to `onPush`. A Connection is single-use; reconnecting
 * means a new one.
 */
import { CloseCodes, Errors, FrameSizeError, XinboxError, frame, type AuthOk, type Frame, type FrameCase, type Kicked } from '@xinbox/protocol';
import { ConnectionLostError, fromErrorFrame, type ConnectionClose } from './errors.js';
import type { BodyInit, BodyOf } from './frame-types.js';
import type { CloseInfo, EncodedFrame, FrameTransport, TransportHandlers } from './transport.js';

export interface ConnectionOptions {
  readonly token: string;
  readonly clientVersion: string;
  readonly authTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly openTransport: (handlers: TransportHandlers) => Promise<FrameTransport>;
  /** Frames with id 0 (and Kicked), in arrival order. */
  readonly onPush: (frame: Frame) => void;
}

interface Pending {
  readonly expect: readonly FrameCase[];
  readonly resolve: (body: Frame['body']) => void;
  readonly reject: (err: unknown) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** Defaults when AuthOk leaves the heartbeat contract at 0. */
const DEFAULT_PING_MS = 25_000;

export class Connection {
  private transport!: FrameTransport;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private outbox: EncodedFrame[] = [];
  private flushScheduled = false;
  private lastReceivedAt = Date.now();
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private kicked: Kicked | undefined;
  private closing: { byClient: boolean; code?: number; reason?: string } | undefined;
  private ended = false;
  private resolveClosed!: (c: ConnectionClose) => void;
  private _authOk: AuthOk | undefined;

  /** Settles once, when the connection has ended for whatever reason. */
  readonly closed: Promise<ConnectionClose>;

  private constructor(private readonly opts: ConnectionOptions) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  /**
   * Opens the transport and authenticates. Rejects with the server's
   * XinboxError (e.g. TOKEN_EXPIRED) or a ConnectionLostError carrying the
   * close code when the connection ends first.
   */
  static async open(opts: ConnectionOptions): Promise<Connection> {
    const c = new Connection(opts);
    c.transport = await opts.openTransport({
      onFrame: (f) => c.onFrame(f),
      onClose: (info) => c.onTransportClose(info),
    });
    try {
      const ok = await c.call({ case: 'auth', value: { token: opts.token, clientVersion: opts.clientVersion } }, 'authOk', opts.authTimeoutMs);
      c._authOk = ok;
      c.startHeartbeat(ok);
      return c;
    } catch (err) {
      c.close(CloseCodes.NORMAL.code, 'auth failed');
      // Prefer the close code the server sent (e.g. AUTH_FAILED) when it beat the error.
      throw err;
    }
  }

  get authOk(): AuthOk {
    if (!this._authOk) throw new Error('not authenticated');
    return this._authOk;
  }

  get isOpen(): boolean {
    return !this.ended && !this.closing;
  }

  /** Sends a request and resolves with the value of the expected reply case. */
  async call<C extends FrameCase>(body: BodyInit, expect: C, timeoutMs = this.opts.requestTimeoutMs): Promise<BodyOf<C>> {
    const reply = await this.callAny(body, [expect], timeoutMs);
    return (reply as { value: unknown }).value as BodyOf<C>;
  }

  /** Like call() for requests that may be answered by one of several cases. */
  callAny<C extends FrameCase>(body: BodyInit, expect: readonly C[], timeoutMs = this.opts.requestTimeoutMs): Promise<Extract<Frame['body'], { case: C }>> {
    return new Promise((resolve, reject) => {
      if (!this.isOpen) {
        reject(new ConnectionLostError(this.closing?.code, 'connection is closed'));
        return;
      }
      const id = this.allocateId();
      let encoded: EncodedFrame;
      try {
        encoded = this.transport.encode(frame({ id, body }));
      } catch (err) {
        reject(err instanceof FrameSizeError ? new XinboxError(Errors.FRAME_TOO_LARGE, err.message) : err);
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new XinboxError(Errors.TIMEOUT, `${body.case} got no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { expect, resolve: resolve as (b: Frame['body']) => void, reject, timer });
      this.enqueue(encoded);
    });
  }

  /** Sends a frame that needs no answer (acks). It still gets a fresh id. */
  notify(body: BodyInit): void {
    if (!this.isOpen) return;
    try {
      this.enqueue(this.transport.encode(frame({ id: this.allocateId(), body })));
    } catch {
      // Only acks go this way and they are tiny; nothing useful to report.
    }
  }

  /** Ends the connection from this side. Pending requests fail as connection loss. */
  close(code: number = CloseCodes.NORMAL.code, reason = ''): void {
    if (this.ended || this.closing) return;
    this.closing = { byClient: true, code, reason };
    this.flush();
    this.transport.close(code, reason);
  }

  private allocateId(): number {
    for (;;) {
      const id = this.nextId;
      this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
      if (!this.pending.has(id)) return id;
    }
  }

  private enqueue(encoded: EncodedFrame): void {
    this.outbox.push(encoded);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.outbox.length === 0 || this.ended) return;
    const batch = this.outbox;
    this.outbox = [];
    this.transport.write(batch);
  }

  private onFrame(f: Frame): void {
    this.lastReceivedAt = Date.now();
    if (f.body.case === 'kicked') this.kicked = f.body.value;
    if (f.id !== 0) {
      const p = this.pending.get(f.id);
      if (p) {
        this.pending.delete(f.id);
        clearTimeout(p.timer);
        if (f.body.case === 'error') p.reject(fromErrorFrame(f.body.value));
        else if (f.body.case && (p.expect as readonly string[]).includes(f.body.case)) p.resolve(f.body);
        else p.reject(new XinboxError(Errors.BAD_FRAME, `unexpected reply ${f.body.case ?? 'empty'} (wanted ${p.expect.join('|')})`));
        return;
      }
      // Replies nobody waits for: Pong, acks of notify(), late answers.
      if (f.body.case !== 'kicked') return;
    }
    this.opts.onPush(f);
  }

  private startHeartbeat(ok: AuthOk): void {
    const interval = ok.pingIntervalMs || DEFAULT_PING_MS;
    const timeout = ok.heartbeatTimeoutMs || interval * 3;
    // Check silence more often than we ping so a dead link is noticed promptly.
    const tick = Math.max(50, Math.min(interval, Math.floor(timeout / 3)));
    let lastPing = Date.now();
    let lastTick = lastPing;
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      // A tick that fires late means this thread was stalled (a busy machine, a
      // throttled background tab): frames that arrived meanwhile are still
      // queued behind this timer, so judge silence on the next, punctual tick.
      const stalled = now - lastTick > tick * 2;
      lastTick = now;
      if (!stalled && now - this.lastReceivedAt > timeout) {
        this.close(CloseCodes.HEARTBEAT_TIMEOUT.code, `no frame from the server for ${timeout} ms`);
        return;
      }
      if (now - lastPing >= interval - tick / 2) {
        lastPing = now;
        this.notify({ case: 'ping', value: {} });
      }
    }, tick);
  }

  private onTransportClose(info: CloseInfo): void {
    if (this.ended) return;
    this.ended = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    const byClient = this.closing?.byClient ?? false;
    const code = this.kicked?.closeCode || (byClient ? this.closing?.code : undefined) || info.code;
    const reason = this.kicked?.reason || (byClient ? this.closing?.reason : undefined) || info.reason;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new ConnectionLostError(code, reason ?? ''));
    }
    this.outbox = [];
    this.resolveClosed({ code, reason: reason ?? '', kicked: this.kicked, error: info.error, byClient });
  }
}
