import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/**
 * A WebSocket client that writes frames byte by byte as a test tells it to
 * (including broken ones: unmasked, reserved bits, bad opcodes, oversized
 * lengths) and records every frame the server sends. For protocol-conformance
 * tests of the gateway's WebSocket endpoint, over a real socket.
 */
export interface WireFrame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly payload: Buffer;
  /** Whether the server masked it (it must not). */
  readonly masked: boolean;
}

export interface FrameOptions {
  fin?: boolean;
  /** Raw first-byte reserved bits (0x40 RSV1, 0x20 RSV2, 0x10 RSV3). */
  rsv?: number;
  /** false: send unmasked (a protocol error from a client). */
  mask?: boolean;
  /** Claim this payload length in the header instead of the real one (the payload is not sent then). */
  claimedLength?: number;
}

export class WsWireClient {
  readonly frames: WireFrame[] = [];
  /** Response headers of the opening handshake, lower-cased names. */
  headers: Record<string, string> = {};
  ended = false;
  private closeSent = false;
  private buf: Buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {}

  static async open(url: string, protocols: string[], extraHeaders = ''): Promise<WsWireClient> {
    const u = new URL(url);
    const socket = connect({ host: u.hostname, port: Number(u.port), noDelay: true });
    const client = new WsWireClient(socket);
    const key = randomBytes(16).toString('base64');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => resolve());
    });
    socket.write(
      `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
        (protocols.length ? `Sec-WebSocket-Protocol: ${protocols.join(', ')}\r\n` : '') +
        extraHeaders +
        '\r\n',
    );
    await new Promise<void>((resolve, reject) => {
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        const lines = head.subarray(0, end).toString('latin1').split('\r\n');
        if (!/^HTTP\/1\.1 101/.test(lines[0]!)) return reject(new Error(`upgrade refused: ${lines[0]}`));
        for (const l of lines.slice(1)) {
          const i = l.indexOf(':');
          client.headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
        }
        socket.on('data', (c: Buffer) => client.onData(c));
        if (head.length > end + 4) client.onData(head.subarray(end + 4));
        resolve();
      };
      socket.on('data', onData);
      socket.once('error', reject);
    });
    socket.on('end', () => {
      client.ended = true;
      client.wake();
    });
    socket.on('close', () => {
      client.ended = true;
      client.wake();
    });
    socket.on('error', () => undefined);
    return client;
  }

  /** The bytes of one client frame (masked unless told otherwise). */
  static frame(opcode: number, payload: Uint8Array, o: FrameOptions = {}): Buffer {
    const n = o.claimedLength ?? payload.length;
    const mask = o.mask !== false;
    const len = n < 126 ? 2 : n < 65536 ? 4 : 10;
    const head = Buffer.alloc(len + (mask ? 4 : 0));
    head[0] = ((o.fin ?? true) ? 0x80 : 0) | (o.rsv ?? 0) | opcode;
    const m = mask ? 0x80 : 0;
    if (len === 2) head[1] = m | n;
    else if (len === 4) {
      head[1] = m | 126;
      head.writeUInt16BE(n, 2);
    } else {
      head[1] = m | 127;
      head.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
      head.writeUInt32BE(n >>> 0, 6);
    }
    if (o.claimedLength !== undefined) return head;
    const body = Buffer.from(payload);
    if (mask) {
      const key = randomBytes(4);
      key.copy(head, len);
      for (let i = 0; i < body.length; i++) body[i] = body[i]! ^ key[i & 3]!;
    }
    return Buffer.concat([head, body]);
  }

  /** Write raw bytes (one or more frames, or part of one). */
  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  sendFrame(opcode: number, payload: Uint8Array, o?: FrameOptions): void {
    if (opcode === 8) this.closeSent = true;
    this.write(WsWireClient.frame(opcode, payload, o));
  }

  /** The close frame the server sent: its code (1005 when it carried none) and reason. */
  closeFrame(): { code: number; reason: string } | undefined {
    const f = this.frames.find((x) => x.opcode === 8);
    if (!f) return undefined;
    return f.payload.length >= 2 ? { code: f.payload.readUInt16BE(0), reason: f.payload.subarray(2).toString('utf8') } : { code: 1005, reason: '' };
  }

  /** Wait until `done()` holds (checked as frames arrive and on socket end). */
  async until(done: () => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out; frames: ${this.frames.map((f) => f.opcode).join(',')}, ended ${this.ended}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Wait for the server's close frame and the end of the TCP connection. */
  async closedWith(timeoutMs = 5_000): Promise<{ code: number; reason: string }> {
    await this.until(() => this.closeFrame() !== undefined && this.ended, timeoutMs);
    return this.closeFrame()!;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private onData(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const b = this.buf;
      if (b.length < 2) break;
      const l7 = b[1]! & 0x7f;
      const masked = (b[1]! & 0x80) !== 0;
      const h = (l7 < 126 ? 2 : l7 === 126 ? 4 : 10) + (masked ? 4 : 0);
      if (b.length < h) break;
      const len = l7 < 126 ? l7 : l7 === 126 ? b.readUInt16BE(2) : b.readUInt32BE(6);
      if (b.length < h + len) break;
      const frame = { fin: (b[0]! & 0x80) !== 0, opcode: b[0]! & 0x0f, payload: Buffer.from(b.subarray(h, h + len)), masked };
      this.frames.push(frame);
      this.buf = b.subarray(h + len);
      // As a conforming client does: answer the server's close frame with one of ours, then end.
      if (frame.opcode === 8 && !this.socket.destroyed) {
        if (!this.closeSent) this.sendFrame(8, frame.payload.subarray(0, 2));
        this.socket.end();
      }
    }
    this.wake();
  }
}
