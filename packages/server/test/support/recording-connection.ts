import { decodeFrame, splitFrames, type CloseSpec, type Frame } from '@xinbox/protocol';
import { defaults } from '../../src/config.js';
import { Connection, type ConnectionLimits } from '../../src/gateway/connection.js';
import { FlushScheduler } from '../../src/gateway/flush-scheduler.js';

let nextId = 1;

/**
 * A gateway Connection whose transport is a list: what a real socket would
 * have been written is kept, decoded, for tests of what feeds connections
 * (Outbox implementations). Queueing, batching, bounds and push bookkeeping
 * are the real Connection's.
 */
export class RecordingConnection extends Connection {
  readonly frames: Frame[] = [];

  constructor(userId: number, deviceId: string, scheduler = new FlushScheduler(), limits: ConnectionLimits = defaults) {
    super(nextId++, 'tcp', '127.0.0.1', scheduler, limits, Date.now());
    this.userId = userId;
    this.deviceId = deviceId;
    this.sessionId = `s-${this.id}`;
    this.state = 'open';
  }

  protected write(frames: Uint8Array[]): void {
    for (const f of frames) for (const body of splitFrames(f, 1 << 24)) this.frames.push(decodeFrame(body));
  }

  protected bufferedBytes(): number {
    return 0;
  }

  protected terminate(_spec: CloseSpec): void {}

  pauseReading(): void {}

  resumeReading(): void {}

  onceWritable(): void {}

  protected flushBeforeClose(): void {}
}
