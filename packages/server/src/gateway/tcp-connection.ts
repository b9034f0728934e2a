import { encodeFrame, joinChunks, withLengthPrefix, type CloseSpec } from '@xinbox/protocol';
import type { Socket } from 'node:net';
import { Connection, type ConnectionLimits, type FlushSink } from './connection.js';

/** A raw TCP connection: a stream of 4-byte big-endian length-prefixed frames. */
export class TcpConnection extends Connection {
  constructor(id: number, private readonly socket: Socket, remoteAddress: string, sink: FlushSink, limits: ConnectionLimits, now: number) {
    super(id, 'tcp', remoteAddress, sink, limits, now);
  }

  protected write(frames: Uint8Array[], totalBytes: number): void {
    if (this.socket.destroyed) return;
    this.socket.write(joinChunks(frames, totalBytes));
  }

  pauseReading(): void {
    this.socket.pause();
  }

  resumeReading(): void {
    if (!this.socket.destroyed) this.socket.resume();
  }

  onceWritable(cb: () => void): void {
    if (this.socket.destroyed) return cb();
    const done = (): void => {
      this.socket.off('drain', done);
      this.socket.off('close', done);
      cb();
    };
    this.socket.on('drain', done);
    this.socket.on('close', done);
  }

  protected bufferedBytes(): number {
    return this.socket.writableLength;
  }

  protected flushBeforeClose(spec: CloseSpec, reason: string): void {
    // TCP has no close code, so the Kicked frame is how the client learns why.
    this.enqueue(withLengthPrefix(encodeFrame({ body: { case: 'kicked', value: { closeCode: spec.code, reason } } })));
    this.flush();
  }

  protected terminate(): void {
    this.socket.end();
    setTimeout(() => this.socket.destroy(), this.limits.closeGraceMs).unref();
  }
}
