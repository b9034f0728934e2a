import { CloseCodes, decodeFrame, encodeFrame, frameToJson, joinChunks, withLengthPrefix, type CloseSpec } from '@xinbox/protocol';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { Connection, type ConnectionLimits, type FlushSink } from './connection.js';

/**
 * A WebSocket connection. Binary subprotocol: all frames queued in one tick go
 * out as ONE WebSocket message of length-prefixed frames. JSON subprotocol
 * (debugging): one text message per frame, corked into one socket write.
 */
export class WsConnection extends Connection {
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
  }

  protected write(frames: Uint8Array[], totalBytes: number): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (!this.json) {
      this.ws.send(joinChunks(frames, totalBytes), { binary: true });
      return;
    }
    const socket = (this.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
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
    const socket = (this.ws as unknown as { _socket?: Socket })._socket;
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
