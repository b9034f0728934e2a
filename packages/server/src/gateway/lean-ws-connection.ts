import { CloseCodes, encodeFrame, withLengthPrefix, type CloseSpec } from '@xinbox/protocol';
import { Connection, type ConnectionLimits, type FlushSink } from './connection.js';
import type { LeanWebSocket } from './lean-ws.js';

/**
 * A WebSocket connection on the binary subprotocol without permessage-deflate,
 * framed by lean-ws.ts: all frames queued in one tick go out as ONE binary
 * message, written as one buffer (header in front) with one socket write.
 * WsConnection (the `ws` library) serves JSON and deflate connections.
 */
export class LeanWsConnection extends Connection {
  readonly json = false;

  constructor(id: number, private readonly ws: LeanWebSocket, remoteAddress: string, sink: FlushSink, limits: ConnectionLimits, now: number) {
    super(id, 'ws', remoteAddress, sink, limits, now);
  }

  protected write(frames: Uint8Array[], totalBytes: number): void {
    this.ws.sendFrames(frames, totalBytes);
  }

  pauseReading(): void {
    this.ws.pause();
  }

  resumeReading(): void {
    this.ws.resume();
  }

  onceWritable(cb: () => void): void {
    const socket = this.ws.socket;
    if (socket.destroyed) return cb();
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
    this.ws.close(spec.code, reason);
    // A peer that never completes the closing handshake must not hold the socket.
    setTimeout(() => this.ws.terminate(), this.limits.closeGraceMs).unref();
  }
}
