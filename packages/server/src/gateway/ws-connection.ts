import { CloseCodes, decodeFrame, encodeFrame, frameToJson, joinChunks, withLengthPrefix, type CloseSpec } from '@xinbox/protocol';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { Connection, type ConnectionLimits, type FlushSink } from './connection.js';
import { preFramedBinaryMessage } from './ws-binary-frame.js';

/**
 * The parts of `ws`'s (8.x) Sender the pre-framed write relies on: idle means
 * `_state` DEFAULT (0: not deflating, not reading a Blob), nothing in
 * `_queue`, and not inside a fragmented message. Pinned by
 * test/gateway/ws-preframed-write.test.ts.
 */
export interface WsSenderState {
  _state: number;
  _queue: unknown[];
  _firstFragment: boolean;
  _socket: unknown;
}

/** `ws` internals of one WebSocket: its Sender and the socket both write to. */
interface WsInternals {
  _sender?: WsSenderState | null;
  _socket?: Socket | null;
}

/**
 * The Sender of `ws` when this connection may bypass it, else null: no
 * permessage-deflate negotiated (with it, ws may compress binary messages and
 * runs the deflate asynchronously), and the internals look as reviewed.
 */
function bypassableSender(ws: WebSocket): WsSenderState | null {
  if (ws.extensions !== '') return null;
  const { _sender: s, _socket: socket } = ws as unknown as WsInternals;
  if (!s || !socket || s._socket !== socket) return null;
  if (typeof s._state !== 'number' || !Array.isArray(s._queue) || typeof s._firstFragment !== 'boolean') return null;
  return s;
}

/**
 * A WebSocket connection. Binary subprotocol: all frames queued in one tick go
 * out as ONE WebSocket message of length-prefixed frames. JSON subprotocol
 * (debugging): one text message per frame, corked into one socket write.
 *
 * The binary message is framed here and handed to the socket in one write,
 * header reserved in front of the joined frames (ws's Sender would allocate a
 * header and write header and payload as two corked writes). `ws` keeps
 * everything else: handshake, reading, control frames, close, deflate, JSON.
 * Equivalence: the bypass is taken only while ws's Sender is idle, when its
 * own send would write synchronously to the same socket at this point, so the
 * bytes and their order against ws's pings, pongs and close frame are the
 * same; `ws.bufferedAmount` counts the socket's writable buffer, so
 * backpressure and the outbound bounds see these writes as before.
 */
export class WsConnection extends Connection {
  /** ws's Sender while this connection may write around it (null: always ws.send). */
  private readonly sender: WsSenderState | null;
  private readonly socket: Socket | null;

  constructor(
    id: number,
    private readonly ws: WebSocket,
    readonly json: boolean,
    remoteAddress: string,
    sink: FlushSink,
    limits: ConnectionLimits,
    now: number,
  ) {
    super(id, 'ws', remoteAddress, sink, limits, now);
    this.socket = (ws as unknown as WsInternals)._socket ?? null;
    this.sender = json ? null : bypassableSender(ws);
  }

  /** Whether binary messages may be written pre-framed (no deflate, ws internals as expected). */
  get preFramesWrites(): boolean {
    return this.sender !== null;
  }

  protected write(frames: Uint8Array[], totalBytes: number): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (!this.json) {
      const s = this.sender;
      if (s !== null && s._state === 0 && s._queue.length === 0 && s._firstFragment) {
        this.socket!.write(preFramedBinaryMessage(frames, totalBytes));
        return;
      }
      this.ws.send(joinChunks(frames, totalBytes), { binary: true });
      return;
    }
    const socket = this.socket;
    socket?.cork();
    for (const f of frames) this.ws.send(frameToJson(decodeFrame(f.subarray(4))));
    socket?.uncork();
  }

  pauseReading(): void {
    this.ws.pause();
  }

  resumeReading(): void {
    this.ws.resume();
  }

  onceWritable(cb: () => void): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) return cb();
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      cb();
    };
    socket.on('drain', done);
    socket.on('close', done);
  }

  protected bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  protected flushBeforeClose(spec: CloseSpec, reason: string): void {
    if (spec.code === CloseCodes.NORMAL.code) return this.flush();
    this.enqueue(withLengthPrefix(encodeFrame({ body: { case: 'kicked', value: { closeCode: spec.code, reason } } })));
    this.flush();
  }

  protected terminate(spec: CloseSpec, reason: string): void {
    try {
      this.ws.close(spec.code, reason.slice(0, 120));
    } catch {
      this.ws.terminate();
    }
    // A peer that never completes the closing handshake must not hold the socket.
    setTimeout(() => this.ws.terminate(), this.limits.closeGraceMs).unref();
  }
}
