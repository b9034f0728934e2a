import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { isUtf8 } from 'node:buffer';

/**
 * A lean RFC 6455 server endpoint over an upgraded socket, binary messages
 * without extensions: ws-cost's `lean` variant. NOT used by the server: the
 * gateway keeps the `ws` library, because this framer saved only ~5 µs per
 * W1 message over `ws` (median of paired rounds; raw TCP with no WebSocket at
 * all saved ~6.5), below the 8 µs that would pay for owning a protocol
 * implementation (docs/benchmarks.md, "What the WebSocket framing costs").
 * It was written to gateway standard and passed the gateway's conformance
 * suite (test/gateway/ws-conformance.test.ts) and the Chromium test while it
 * was wired in (branch wsframe, the commit "gateway: lean WebSocket framing
 * for the binary subprotocol without deflate"), so the figure is for a
 * complete framer, not a shortcut.
 *
 * What it does differently from `ws`: a chunk is parsed in the socket's
 * 'data' handler itself (ws feeds each chunk through a Writable stream, its
 * Receiver), and a batch of outbound frames is written as ONE buffer with
 * its WebSocket header reserved in front (ws writes header and payload as two
 * buffers under cork, i.e. a writev). Semantics: masking required (1002),
 * RSV bits and unknown opcodes rejected (1002), fragmentation, control frames
 * (<= 125 bytes, never fragmented), ping answered with pong, the close
 * handshake with code and reason validation, text validated as UTF-8 (1007),
 * messages above maxPayload refused from their header (1009).
 */

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const KEY_RE = /^[+/0-9A-Za-z]{22}==$/;

export const WsOpcode = { CONTINUATION: 0, TEXT: 1, BINARY: 2, CLOSE: 8, PING: 9, PONG: 10 } as const;

export interface LeanWsOptions {
  /** Largest message (all fragments together) accepted; above it the connection is closed with 1009. */
  readonly maxPayload: number;
  /** The subprotocol to confirm in the handshake, or null for none. */
  readonly protocol: string | null;
  /** How long to wait for the peer's close frame after ours before cutting the socket (ms). */
  readonly closeTimeoutMs?: number;
}

/**
 * Complete the opening handshake (RFC 6455 §4.2) on `socket` and return the
 * connection, or answer 400/405/426 and return null. Extensions offered
 * (permessage-deflate) are declined by not confirming them.
 */
export function acceptLeanUpgrade(req: IncomingMessage, socket: Socket, head: Buffer, opts: LeanWsOptions): LeanWebSocket | null {
  const key = req.headers['sec-websocket-key'];
  const version = req.headers['sec-websocket-version'];
  let refusal = '';
  if (req.method !== 'GET') refusal = '405 Method Not Allowed';
  else if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') refusal = '400 Bad Request';
  else if (typeof key !== 'string' || !KEY_RE.test(key)) refusal = '400 Bad Request';
  else if (version !== '13' && version !== '8') refusal = '426 Upgrade Required\r\nSec-WebSocket-Version: 13';
  if (refusal || !socket.readable || !socket.writable) {
    if (socket.writable) socket.end(`HTTP/1.1 ${refusal || '400 Bad Request'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
    return null;
  }
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\n` +
      (opts.protocol ? `Sec-WebSocket-Protocol: ${opts.protocol}\r\n` : '') +
      '\r\n',
  );
  socket.setTimeout(0);
  socket.setNoDelay(true);
  return new LeanWebSocket(socket, head, opts);
}

/** Header length of an unmasked server frame carrying `n` payload bytes. */
export function serverHeaderBytes(n: number): number {
  return n < 126 ? 2 : n < 65536 ? 4 : 10;
}

/** Write the header of an unmasked, final server frame into `out` at 0; returns its length. */
export function writeServerHeader(out: Buffer, opcode: number, n: number): number {
  out[0] = 0x80 | opcode;
  if (n < 126) {
    out[1] = n;
    return 2;
  }
  if (n < 65536) {
    out[1] = 126;
    out.writeUInt16BE(n, 2);
    return 4;
  }
  out[1] = 127;
  out.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
  out.writeUInt32BE(n >>> 0, 6);
  return 10;
}

/** Close codes a peer may send (RFC 6455 §7.4, as `ws` accepts them). */
function validCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

export type LeanState = 'open' | 'closing' | 'closed';

export class LeanWebSocket {
  state: LeanState = 'open';
  /** One whole message (fragments joined): a view into the received bytes, owned by the callee. */
  onMessage: (data: Uint8Array, isBinary: boolean) => void = () => undefined;
  /** The peer broke the protocol; a close frame with `code` has been sent. */
  onError: (code: number, message: string) => void = () => undefined;
  /** The socket is gone; `code` is the peer's close code, 1005 if its close frame had none, 1006 if it sent none. */
  onClose: (code: number, reason: string) => void = () => undefined;

  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes the next frame needs before it can be parsed (header, then header + payload). */
  private needed = 2;
  private fragments: Buffer[] = [];
  private fragmentBytes = 0;
  private fragmentOpcode = 0;
  private closeSent = false;
  private closeReceived = false;
  private reading = true;
  private closeCode = 1006;
  private closeReason = '';
  private closeTimer: NodeJS.Timeout | null = null;
  private readonly maxPayload: number;
  private readonly closeTimeoutMs: number;

  constructor(readonly socket: Socket, head: Buffer, opts: LeanWsOptions) {
    this.maxPayload = opts.maxPayload;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 30_000;
    socket.on('data', this.onData);
    socket.on('end', () => {
      // The peer's TCP half-close: nothing more will come; finish ours.
      this.state = 'closing';
      socket.end();
    });
    socket.on('close', () => {
      this.state = 'closed';
      if (this.closeTimer) clearTimeout(this.closeTimer);
      this.onClose(this.closeCode, this.closeReason);
    });
    socket.on('error', () => socket.destroy());
    if (head.length > 0) this.onData(head);
  }

  /** Bytes handed to the socket and not yet to the kernel. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    if (!this.socket.destroyed) this.socket.resume();
  }

  /** Send already length-prefixed frames as ONE binary message: one buffer, header in front, one socket write. */
  sendFrames(frames: readonly Uint8Array[], totalBytes: number): void {
    if (this.state !== 'open' || this.socket.destroyed) return;
    const h = serverHeaderBytes(totalBytes);
    const out = Buffer.allocUnsafe(h + totalBytes);
    writeServerHeader(out, WsOpcode.BINARY, totalBytes);
    let at = h;
    for (const f of frames) {
      out.set(f, at);
      at += f.length;
    }
    this.socket.write(out);
  }

  /** Send one message (binary or text) as one frame. */
  send(data: Uint8Array | string, binary = typeof data !== 'string'): void {
    if (this.state !== 'open' || this.socket.destroyed) return;
    this.sendFrame(binary ? WsOpcode.BINARY : WsOpcode.TEXT, typeof data === 'string' ? Buffer.from(data) : data);
  }

  /** Start the closing handshake (idempotent); the socket is cut if the peer does not answer in closeTimeoutMs. */
  close(code = 1000, reason = ''): void {
    if (this.state === 'closed' || this.closeSent) return;
    this.state = 'closing';
    this.closeSent = true;
    let r = Buffer.from(reason);
    if (r.length > 123) r = r.subarray(0, 123); // 125 minus the code; a cut UTF-8 sequence is trimmed below
    while (r.length > 0 && !isUtf8(r)) r = r.subarray(0, r.length - 1);
    const body = Buffer.allocUnsafe(2 + r.length);
    body.writeUInt16BE(code, 0);
    body.set(r, 2);
    this.sendFrame(WsOpcode.CLOSE, body);
    if (this.closeReceived) this.socket.end();
    else {
      this.closeTimer = setTimeout(() => this.socket.destroy(), this.closeTimeoutMs);
      this.closeTimer.unref();
    }
  }

  /** Cut the socket now. */
  terminate(): void {
    this.state = 'closed';
    this.socket.destroy();
  }

  private sendFrame(opcode: number, payload: Uint8Array): void {
    if (this.socket.destroyed) return;
    const h = serverHeaderBytes(payload.length);
    const out = Buffer.allocUnsafe(h + payload.length);
    writeServerHeader(out, opcode, payload.length);
    out.set(payload, h);
    this.socket.write(out);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (!this.reading) return;
    let buf = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes < this.needed) return;
      buf = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let at = 0;
    while (this.reading) {
      const avail = buf.length - at;
      if (avail < 2) {
        this.needed = 2;
        break;
      }
      const b0 = buf[at]!;
      const b1 = buf[at + 1]!;
      const len7 = b1 & 0x7f;
      const headerLen = (len7 < 126 ? 2 : len7 === 126 ? 4 : 10) + 4;
      if (avail < headerLen) {
        this.needed = headerLen;
        break;
      }
      const opcode = b0 & 0x0f;
      const fin = (b0 & 0x80) !== 0;
      if ((b0 & 0x70) !== 0) return this.fail(1002, 'RSV bits must be clear');
      if ((b1 & 0x80) === 0) return this.fail(1002, 'client frames must be masked');
      let len = len7;
      if (len7 === 126) len = buf.readUInt16BE(at + 2);
      else if (len7 === 127) {
        const high = buf.readUInt32BE(at + 2);
        if (high > 0x1fffff) return this.fail(1009, 'payload length too large');
        len = high * 2 ** 32 + buf.readUInt32BE(at + 6);
      }
      if (opcode >= 8) {
        if (opcode > 10) return this.fail(1002, `unknown opcode ${opcode}`);
        if (!fin) return this.fail(1002, 'control frames must not be fragmented');
        if (len > 125) return this.fail(1002, 'control frame payload above 125 bytes');
      } else {
        if (opcode > 2) return this.fail(1002, `unknown opcode ${opcode}`);
        if (opcode === WsOpcode.CONTINUATION ? this.fragmentOpcode === 0 : this.fragmentOpcode !== 0) {
          return this.fail(1002, opcode === 0 ? 'continuation without a message' : 'new message inside a fragmented one');
        }
        if (len + this.fragmentBytes > this.maxPayload) return this.fail(1009, 'message too big');
      }
      if (avail < headerLen + len) {
        this.needed = headerLen + len;
        break;
      }
      const payload = buf.subarray(at + headerLen, at + headerLen + len);
      unmask(payload, buf, at + headerLen - 4);
      at += headerLen + len;
      if (opcode >= 8) this.onControl(opcode, payload);
      else this.onDataFrame(opcode, fin, payload);
    }
    if (this.reading && at < buf.length) {
      this.pending.push(at === 0 ? buf : buf.subarray(at));
      this.pendingBytes = buf.length - at;
    }
  };

  private onDataFrame(opcode: number, fin: boolean, payload: Buffer): void {
    if (fin && this.fragmentOpcode === 0) return this.deliver(opcode, payload);
    if (this.fragmentOpcode === 0) this.fragmentOpcode = opcode;
    this.fragments.push(payload);
    this.fragmentBytes += payload.length;
    if (!fin) return;
    const whole = Buffer.concat(this.fragments, this.fragmentBytes);
    const first = this.fragmentOpcode;
    this.fragments = [];
    this.fragmentBytes = 0;
    this.fragmentOpcode = 0;
    this.deliver(first, whole);
  }

  private deliver(opcode: number, payload: Buffer): void {
    if (this.state !== 'open') return;
    if (opcode === WsOpcode.TEXT && !isUtf8(payload)) return this.fail(1007, 'invalid UTF-8 in a text message');
    this.onMessage(payload, opcode === WsOpcode.BINARY);
  }

  private onControl(opcode: number, payload: Buffer): void {
    if (opcode === WsOpcode.PING) {
      if (this.state === 'open') this.sendFrame(WsOpcode.PONG, payload);
      return;
    }
    if (opcode === WsOpcode.PONG) return;
    // CLOSE
    if (payload.length === 1) return this.fail(1002, 'close frame with a 1-byte payload');
    let code = 1005;
    let reason = '';
    if (payload.length >= 2) {
      code = payload.readUInt16BE(0);
      if (!validCloseCode(code)) return this.fail(1002, `invalid close code ${code}`);
      const r = payload.subarray(2);
      if (!isUtf8(r)) return this.fail(1007, 'invalid UTF-8 in the close reason');
      reason = r.toString('utf8');
    }
    this.closeReceived = true;
    this.closeCode = code;
    this.closeReason = reason;
    this.reading = false;
    if (this.closeSent) {
      this.socket.end();
      return;
    }
    this.close(code === 1005 ? 1000 : code);
  }

  /** The peer broke the protocol: say why in a close frame and read nothing more from it. */
  private fail(code: number, message: string): void {
    this.reading = false;
    this.pending = [];
    this.pendingBytes = 0;
    this.fragments = [];
    this.close(code);
    this.onError(code, message);
  }
}

/** XOR `payload` in place with the 4-byte mask at `src[maskAt]`. */
function unmask(payload: Buffer, src: Buffer, maskAt: number): void {
  const m0 = src[maskAt]!;
  const m1 = src[maskAt + 1]!;
  const m2 = src[maskAt + 2]!;
  const m3 = src[maskAt + 3]!;
  const n = payload.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    payload[i] = payload[i]! ^ m0;
    payload[i + 1] = payload[i + 1]! ^ m1;
    payload[i + 2] = payload[i + 2]! ^ m2;
    payload[i + 3] = payload[i + 3]! ^ m3;
  }
  if (i < n) payload[i] = payload[i]! ^ m0;
  if (i + 1 < n) payload[i + 1] = payload[i + 1]! ^ m1;
  if (i + 2 < n) payload[i + 2] = payload[i + 2]! ^ m2;
}
