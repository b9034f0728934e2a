/**
 * WebSocket transport. Uses the given constructor, else the global WebSocket
 * (browsers, Node >= 22), else loads the `ws` package on demand (Node 20), so
 * nothing Node-specific is imported at module load.
 */
import {
  FrameSizeError,
  SUBPROTOCOL_JSON,
  SUBPROTOCOL_PROTO,
  decodeFrame,
  encodeFrame,
  frameFromJson,
  frameToJson,
  joinChunks,
  splitFrames,
  withLengthPrefix,
  type Frame,
} from '@xinbox/protocol';
import { LOCAL_FRAME_TOO_LARGE, LOCAL_PROTOCOL_ERROR, type EncodedFrame, type FrameTransport, type TransportHandlers } from './transport.js';

/** The part of the WHATWG WebSocket API used here (the `ws` package fits too). */
export interface WebSocketLike {
  binaryType: string;
  readonly protocol: string;
  readonly readyState: number;
  send(data: Uint8Array | string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (ev: never) => void): void;
}

export type WebSocketConstructorLike = new (url: string, protocols?: string | string[]) => WebSocketLike;

export type SubprotocolName = 'proto' | 'json';

export interface WsTransportOptions {
  readonly url: string;
  readonly subprotocol: SubprotocolName;
  readonly maxFrameBytes: number;
  readonly connectTimeoutMs: number;
  readonly WebSocket?: WebSocketConstructorLike;
}

let wsPackage: Promise<WebSocketConstructorLike> | undefined;

async function resolveWebSocket(given?: WebSocketConstructorLike): Promise<WebSocketConstructorLike> {
  if (given) return given;
  const global = (globalThis as { WebSocket?: WebSocketConstructorLike }).WebSocket;
  if (global) return global;
  const specifier = 'ws';
  wsPackage ??= (import(/* @vite-ignore */ specifier) as Promise<{ default: WebSocketConstructorLike }>).then((m) => m.default);
  return wsPackage;
}

const utf8 = new TextEncoder();

export async function openWebSocketTransport(opts: WsTransportOptions, handlers: TransportHandlers): Promise<FrameTransport> {
  const Ctor = await resolveWebSocket(opts.WebSocket);
  const wanted = opts.subprotocol === 'json' ? SUBPROTOCOL_JSON : SUBPROTOCOL_PROTO;
  const ws = new Ctor(opts.url, wanted);
  ws.binaryType = 'arraybuffer';

  let opened = false;
  let closed = false;
  const finish = (code: number | undefined, reason: string, error?: Error): void => {
    if (closed) return;
    closed = true;
    if (opened) handlers.onClose({ code, reason, error });
  };

  const failLocally = (code: number, err: Error): void => {
    try {
      ws.close(code, err.message.slice(0, 120));
    } catch {
      // already closing
    }
    finish(code, err.message, err);
  };

  const onMessage = (data: unknown): void => {
    if (closed) return;
    try {
      if (typeof data === 'string') {
        handlers.onFrame(frameFromJson(data));
        return;
      }
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : undefined;
      if (!bytes) throw new TypeError('unsupported WebSocket message type');
      for (const body of splitFrames(bytes, opts.maxFrameBytes)) {
        if (closed) return;
        handlers.onFrame(decodeFrame(body));
      }
    } catch (err) {
      failLocally(err instanceof FrameSizeError ? LOCAL_FRAME_TOO_LARGE : LOCAL_PROTOCOL_ERROR, err as Error);
    }
  };

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      closed = true;
      try {
        ws.close();
      } catch {
        // not open yet
      }
      reject(new Error(`WebSocket connect to ${opts.url} timed out after ${opts.connectTimeoutMs} ms`));
    }, opts.connectTimeoutMs);
    ws.addEventListener('open', () => {
      clearTimeout(timer);
      if (closed) return;
      if (ws.protocol !== wanted) {
        closed = true;
        ws.close(1002, 'subprotocol not accepted');
        reject(new Error(`server did not accept subprotocol ${wanted} (got "${ws.protocol}")`));
        return;
      }
      opened = true;
      resolve();
    });
    ws.addEventListener('message', (ev: { data: unknown }) => onMessage(ev.data));
    ws.addEventListener('error', (ev: { message?: string; error?: Error }) => {
      if (opened) return; // a close event follows and carries the code
      clearTimeout(timer);
      if (closed) return;
      closed = true;
      reject(ev.error ?? new Error(`WebSocket connect to ${opts.url} failed${ev.message ? `: ${ev.message}` : ''}`));
    });
    ws.addEventListener('close', (ev: { code: number; reason: string }) => {
      clearTimeout(timer);
      if (!opened) {
        if (!closed) {
          closed = true;
          reject(new Error(`WebSocket closed before open (${ev.code} ${ev.reason})`));
        }
        return;
      }
      finish(ev.code, ev.reason);
    });
  });

  const json = opts.subprotocol === 'json';
  return {
    encode(frame: Frame): EncodedFrame {
      if (json) {
        const text = frameToJson(frame);
        const size = text.length > opts.maxFrameBytes / 3 ? utf8.encode(text).length : text.length;
        if (size > opts.maxFrameBytes) throw new FrameSizeError(size, opts.maxFrameBytes);
        return text;
      }
      const body = encodeFrame(frame);
      if (body.length > opts.maxFrameBytes) throw new FrameSizeError(body.length, opts.maxFrameBytes);
      return withLengthPrefix(body);
    },
    write(frames: readonly EncodedFrame[]): void {
      if (closed || frames.length === 0) return;
      if (json) {
        for (const f of frames) ws.send(f);
        return;
      }
      // Several frames in one binary message: one WebSocket message per tick.
      ws.send(joinChunks(frames as Uint8Array[]));
    },
    close(code = 1000, reason = ''): void {
      if (closed) return;
      try {
        ws.close(code, reason);
      } catch {
        // already closing
      }
      // Report at once: the caller is done with this connection.
      finish(code, reason || 'closed by client');
    },
  };
}
