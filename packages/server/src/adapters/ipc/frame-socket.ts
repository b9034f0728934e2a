import type { Socket } from 'node:net';

/**
 * Length-prefixed binary frames over a stream socket (a unix domain socket
 * between the primary and its gateway processes):
 *
 *   [length u32 BE: bytes after this field][kind u8][body]
 *
 * Writes made in one synchronous run are corked and leave as one writev on
 * the next tick, so a burst of bus messages costs one system call, not one
 * per message. A frame handed to `onFrame` is a view of a buffer that is
 * never reused, so a receiver may keep it.
 */
export class FrameSocket {
  private pending: Buffer | null = null;
  private corked = false;
  private closedFlag = false;

  constructor(
    private readonly socket: Socket,
    private readonly onFrame: (kind: number, body: Buffer) => void,
    private readonly maxFrameBytes = 256 * 1024 * 1024,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('close', () => {
      this.closedFlag = true;
    });
  }

  get closed(): boolean {
    return this.closedFlag || this.socket.destroyed;
  }

  /** Writes one frame made of `head` (kind-specific fixed fields) and `parts`. */
  send(kind: number, ...parts: Uint8Array[]): void {
    if (this.closed) return;
    let length = 1;
    for (const p of parts) length += p.length;
    const header = Buffer.allocUnsafe(5);
    header.writeUInt32BE(length, 0);
    header[4] = kind;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(header);
    for (const p of parts) if (p.length > 0) this.socket.write(p);
  }

  close(): void {
    this.closedFlag = true;
    this.socket.end();
  }

  destroy(): void {
    this.closedFlag = true;
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let at = 0;
    while (buf.length - at >= 5) {
      const length = buf.readUInt32BE(at);
      if (length < 1 || length > this.maxFrameBytes) {
        // A peer that breaks framing cannot be resynchronised: drop the link (the supervisor restarts the process).
        this.socket.destroy(new Error(`ipc frame of ${length} bytes`));
        return;
      }
      if (buf.length - at - 4 < length) break;
      const kind = buf[at + 4]!;
      const body = buf.subarray(at + 5, at + 4 + length);
      at += 4 + length;
      this.onFrame(kind, body);
      if (this.closed) return;
    }
    if (at < buf.length) this.pending = at === 0 ? buf : buf.subarray(at);
  }
}
