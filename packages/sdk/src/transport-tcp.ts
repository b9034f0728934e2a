/**
 * Raw TCP transport (Node only): a stream of 4-byte big-endian
 * length-prefixed protobuf frames. `node:net` is imported on first use so the
 * SDK still loads in browsers (`node:tls` likewise, for TLS). TCP has no close codes; the server sends a
 * Kicked frame carrying the code before it ends the stream on purpose.
 */
import { FrameSizeError, FrameStreamDecoder, decodeFrame, encodeFrame, joinChunks, withLengthPrefix, type Frame } from '@xinbox/protocol';
import { LOCAL_FRAME_TOO_LARGE, LOCAL_PROTOCOL_ERROR, type EncodedFrame, type FrameTransport, type TransportHandlers } from './transport.js';

export interface TcpTransportOptions {
  readonly host: string;
  readonly port: number;
  readonly maxFrameBytes: number;
  readonly connectTimeoutMs: number;
  /** Connect over TLS (the server's tlsCertFile/tlsKeyFile); an object adds a CA or server name for a private certificate. */
  readonly tls?: TcpTlsOptions | boolean;
}

/** TLS settings for the TCP transport beyond the system's trusted CAs (or NODE_EXTRA_CA_CERTS). */
export interface TcpTlsOptions {
  /** PEM of the CA (or self-signed certificate) to trust for this server. */
  readonly ca?: string | Uint8Array;
  /** Name checked against the certificate; default the host (when it is a name). */
  readonly servername?: string;
}

type NetModule = typeof import('node:net');
type TlsModule = typeof import('node:tls');
let netModule: Promise<NetModule> | undefined;
let tlsModule: Promise<TlsModule> | undefined;

function loadNet(): Promise<NetModule> {
  const specifier = 'node:net';
  netModule ??= import(/* @vite-ignore */ specifier) as Promise<NetModule>;
  return netModule;
}

function loadTls(): Promise<TlsModule> {
  const specifier = 'node:tls';
  tlsModule ??= import(/* @vite-ignore */ specifier) as Promise<TlsModule>;
  return tlsModule;
}

export async function openTcpTransport(opts: TcpTransportOptions, handlers: TransportHandlers): Promise<FrameTransport> {
  const net = await loadNet();
  let socket: import('node:net').Socket;
  let ready = 'connect';
  if (opts.tls) {
    const extra = typeof opts.tls === 'object' ? opts.tls : {};
    const servername = extra.servername ?? (net.isIP(opts.host) ? undefined : opts.host);
    socket = (await loadTls()).connect({ host: opts.host, port: opts.port, servername, ca: extra.ca as string | undefined });
    ready = 'secureConnect';
  } else {
    socket = net.connect({ host: opts.host, port: opts.port });
  }
  socket.setNoDelay(true);
  const decoder = new FrameStreamDecoder(opts.maxFrameBytes);

  let opened = false;
  let closed = false;
  let closeInfo: { code: number | undefined; reason: string; error?: Error } | undefined;
  const finish = (code: number | undefined, reason: string, error?: Error): void => {
    if (closed) return;
    closed = true;
    if (opened) handlers.onClose({ code, reason, error });
  };

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      closed = true;
      socket.destroy();
      reject(new Error(`TCP connect to ${opts.host}:${opts.port} timed out after ${opts.connectTimeoutMs} ms`));
    }, opts.connectTimeoutMs);
    socket.once(ready, () => {
      clearTimeout(timer);
      if (closed) return;
      opened = true;
      resolve();
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      if (!opened) {
        if (!closed) {
          closed = true;
          reject(err);
        }
        return;
      }
      closeInfo ??= { code: undefined, reason: err.message, error: err };
    });
    socket.on('close', () => {
      clearTimeout(timer);
      finish(closeInfo?.code, closeInfo?.reason ?? 'connection ended', closeInfo?.error);
    });
  });

  socket.on('data', (chunk: Uint8Array) => {
    if (closed) return;
    try {
      for (const body of decoder.push(chunk)) {
        if (closed) return;
        handlers.onFrame(decodeFrame(body));
      }
    } catch (err) {
      closeInfo = { code: err instanceof FrameSizeError ? LOCAL_FRAME_TOO_LARGE : LOCAL_PROTOCOL_ERROR, reason: (err as Error).message, error: err as Error };
      socket.destroy();
    }
  });

  return {
    encode(frame: Frame): EncodedFrame {
      const body = encodeFrame(frame);
      if (body.length > opts.maxFrameBytes) throw new FrameSizeError(body.length, opts.maxFrameBytes);
      return withLengthPrefix(body);
    },
    write(frames: readonly EncodedFrame[]): void {
      if (closed || socket.destroyed || frames.length === 0) return;
      socket.write(joinChunks(frames as Uint8Array[]));
    },
    close(code?: number, reason = ''): void {
      if (closed) return;
      socket.end();
      // Do not wait for the peer's FIN forever.
      setTimeout(() => socket.destroy(), 1000).unref?.();
      finish(code, reason || 'closed by client');
    },
  };
}
