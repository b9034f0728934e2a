import { connect as tcpConnect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { Limits, SUBPROTOCOL_PROTO } from '@xinbox/protocol';
import type { ConnSpec } from './messages.js';

/**
 * A bench connection's transport: carries runs of length-prefixed Frames
 * (protocol.md section 2) both ways. WebSocket: one binary message per
 * write, as the SDK does. TCP (protocol.md 2.3): the same bytes on a raw
 * stream, re-cut at frame boundaries on the way in.
 */
export interface FrameLink {
  readonly open: boolean;
  /** Bytes that are whole length-prefixed frames. */
  send(bytes: Uint8Array): void;
  /** Ends the connection (TCP has no close code; the code is only used on WebSocket). */
  close(code: number, reason?: string): void;
  terminate(): void;
}

export interface LinkEvents {
  /** One or more whole length-prefixed frames. */
  onBytes(bytes: Buffer): void;
  onClose(code: number): void;
}

/** Opens the transport the spec names (TCP when `spec.tcp` is set); resolves once it can carry frames. */
export function openLink(spec: ConnSpec, timeoutMs: number, events: LinkEvents): Promise<FrameLink> {
  return spec.tcp ? openTcpLink(spec, spec.tcp, timeoutMs, events) : openWsLink(spec, timeoutMs, events);
}

function openWsLink(spec: ConnSpec, timeoutMs: number, events: LinkEvents): Promise<FrameLink> {
  const ws = new WebSocket(spec.url, [SUBPROTOCOL_PROTO], {
    localAddress: spec.localAddress,
    perMessageDeflate: spec.deflate === true,
    handshakeTimeout: timeoutMs,
    maxPayload: Limits.maxFrameBytes * 256,
  });
  ws.binaryType = 'nodebuffer';
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) events.onBytes(data);
  });
  ws.on('error', () => undefined);
  ws.on('close', (code: number) => events.onClose(code));
  const link: FrameLink = {
    get open() {
      return ws.readyState === WebSocket.OPEN;
    },
    send: (bytes) => ws.send(bytes),
    close: (code, reason) => ws.close(code, reason),
    terminate: () => ws.terminate(),
  };
  return new Promise<FrameLink>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timeout')), timeoutMs);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve(link);
    });
    ws.once('close', (code: number) => {
      clearTimeout(timer);
      reject(new Error(`closed during connect (${code})`));
    });
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      reject(new Error(`upgrade refused: HTTP ${res.statusCode}`));
    });
    ws.once('error', (e: Error) => {
      clearTimeout(timer);
      reject(new Error((e as NodeJS.ErrnoException).code ?? e.message));
    });
  });
}

/** Length of the longest prefix of `buf` made of whole length-prefixed frames. */
export function wholeFramesLength(buf: Uint8Array): number {
  let off = 0;
  while (buf.length - off >= 4) {
    const len = ((buf[off]! << 24) >>> 0) + (buf[off + 1]! << 16) + (buf[off + 2]! << 8) + buf[off + 3]!;
    if (buf.length - off - 4 < len) break;
    off += 4 + len;
  }
  return off;
}

function openTcpLink(spec: ConnSpec, addr: { host: string; port: number }, timeoutMs: number, events: LinkEvents): Promise<FrameLink> {
  const socket: Socket = tcpConnect({ host: addr.host, port: addr.port, localAddress: spec.localAddress, noDelay: true });
  let open = false;
  let connected = false;
  let pending: Buffer | null = null;
  socket.on('data', (chunk: Buffer) => {
    const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    const whole = wholeFramesLength(buf);
    pending = whole < buf.length ? buf.subarray(whole) : null;
    if (whole > 0) events.onBytes(whole === buf.length ? buf : buf.subarray(0, whole));
  });
  socket.on('error', () => undefined);
  socket.on('close', (hadError: boolean) => {
    open = false;
    if (connected) events.onClose(hadError ? 1006 : 1000);
  });
  const link: FrameLink = {
    get open() {
      return open;
    },
    send: (bytes) => void socket.write(bytes),
    close: () => {
      open = false;
      socket.end();
    },
    terminate: () => {
      open = false;
      socket.destroy();
    },
  };
  return new Promise<FrameLink>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('connect timeout'));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      open = connected = true;
      resolve(link);
    });
    socket.once('error', (e: Error) => {
      clearTimeout(timer);
      reject(new Error((e as NodeJS.ErrnoException).code ?? e.message));
    });
  });
}
