/** Options of XinboxClient and their defaults. */
import { Limits } from '@xinbox/protocol';
import { MemoryCursorStore, type CursorStore } from './cursor-store.js';
import type { FetchLike, PlatformName, Session } from './http-api.js';
import type { TcpTlsOptions } from './transport-tcp.js';
import type { SubprotocolName, WebSocketConstructorLike } from './transport-ws.js';

export interface XinboxClientOptions {
  /** HTTP base of the server, e.g. http://localhost:8080. */
  baseUrl: string;
  /** Stable id of this installation; one live connection per (user, device). */
  deviceId: string;
  platform?: PlatformName;
  /**
   * The app (tenant) this client's users belong to, for register and login
   * (docs/protocol.md 3). Default `default`. The same username in two apps
   * is two different users.
   */
  appId?: string;
  /** 'ws' (default; browsers and Node) or 'tcp' (Node only). */
  transport?: 'ws' | 'tcp';
  /** WebSocket framing: 'proto' (default, binary) or 'json'. */
  subprotocol?: SubprotocolName;
  /** Fallback WebSocket URL; default derived from baseUrl (ws(s)://host/ws). */
  wsUrl?: string;
  /** Fallback TCP address; default the baseUrl host, port 8081. */
  tcp?: { host: string; port: number };
  /** TCP over TLS; default on when baseUrl is https. An object adds a CA or server name for a private certificate. */
  tcpTls?: boolean | TcpTlsOptions;
  /** Access (gateway list) URL; default baseUrl + /v1/access; false disables it. */
  accessUrl?: string | false;
  region?: string;
  clientVersion?: string;
  /** Where the sync position survives reconnects and restarts; default in memory. */
  cursorStore?: CursorStore;
  reconnect?: { baseMs?: number; maxMs?: number };
  requestTimeoutMs?: number;
  connectTimeoutMs?: number;
  authTimeoutMs?: number;
  /** Most messages waiting for an ack before send() refuses more. */
  sendQueueLimit?: number;
  maxInFlightSends?: number;
  gapFillDelayMs?: number;
  syncPageLimit?: number;
  /** Conversations fetched after each (re)connect to refresh unread counts; false disables. */
  autoListConversations?: number | false;
  maxFrameBytes?: number;
  /** WebSocket implementation to use instead of the global one / the `ws` package. */
  WebSocket?: WebSocketConstructorLike;
  fetch?: FetchLike;
  /** Tokens from an earlier login, to connect without logging in again. */
  session?: Session;
  /**
   * Notify-pull for video: when a video message arrives, fetch this many
   * bytes of it at once so playback can start without waiting (0 = off;
   * default 512 KiB). See client.prefetchedMedia().
   */
  prefetchVideoBytes?: number;
}

export interface ResolvedOptions {
  readonly baseUrl: string;
  readonly deviceId: string;
  readonly platform: PlatformName;
  readonly appId: string;
  readonly transport: 'ws' | 'tcp';
  readonly subprotocol: SubprotocolName;
  readonly wsUrl: string;
  readonly tcp: { host: string; port: number };
  readonly tcpTls: boolean | TcpTlsOptions;
  readonly accessUrl: string | false;
  readonly region: string;
  readonly clientVersion: string;
  readonly cursorStore: CursorStore;
  readonly reconnect: { baseMs: number; maxMs: number };
  readonly requestTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly authTimeoutMs: number;
  readonly sendQueueLimit: number;
  readonly maxInFlightSends: number;
  readonly gapFillDelayMs: number;
  readonly syncPageLimit: number;
  readonly autoListConversations: number | false;
  readonly maxFrameBytes: number;
  readonly WebSocket: WebSocketConstructorLike | undefined;
  readonly fetch: FetchLike | undefined;
  readonly prefetchVideoBytes: number;
}

export const SDK_VERSION = '0.1.0';

export function resolveOptions(o: XinboxClientOptions): ResolvedOptions {
  if (!o.baseUrl) throw new TypeError('XinboxClient: baseUrl is required');
  if (!o.deviceId) throw new TypeError('XinboxClient: deviceId is required');
  const base = o.baseUrl.replace(/\/+$/, '');
  const transport = o.transport ?? 'ws';
  if (transport === 'tcp' && !(globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node) {
    throw new TypeError('XinboxClient: the tcp transport needs Node.js');
  }
  return {
    baseUrl: base,
    deviceId: o.deviceId,
    platform: o.platform ?? 'web',
    appId: o.appId ?? 'default',
    transport,
    subprotocol: o.subprotocol ?? 'proto',
    wsUrl: o.wsUrl ?? `${base.replace(/^http/, 'ws')}/ws`,
    tcp: o.tcp ?? { host: new URL(base).hostname, port: 8081 },
    tcpTls: o.tcpTls ?? base.startsWith('https:'),
    accessUrl: o.accessUrl === false ? false : (o.accessUrl ?? `${base}/v1/access`),
    region: o.region ?? '',
    clientVersion: o.clientVersion ?? `xinbox-sdk/${SDK_VERSION}`,
    cursorStore: o.cursorStore ?? new MemoryCursorStore(),
    reconnect: { baseMs: o.reconnect?.baseMs ?? 500, maxMs: o.reconnect?.maxMs ?? 30_000 },
    requestTimeoutMs: o.requestTimeoutMs ?? 10_000,
    connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
    authTimeoutMs: o.authTimeoutMs ?? 10_000,
    sendQueueLimit: o.sendQueueLimit ?? 1000,
    maxInFlightSends: o.maxInFlightSends ?? 32,
    gapFillDelayMs: o.gapFillDelayMs ?? 200,
    syncPageLimit: Math.min(o.syncPageLimit ?? 200, Limits.maxSyncPage),
    autoListConversations: o.autoListConversations === false ? false : Math.min(o.autoListConversations ?? 100, Limits.maxPageSize),
    maxFrameBytes: o.maxFrameBytes ?? Limits.maxFrameBytes,
    WebSocket: o.WebSocket,
    fetch: o.fetch,
    prefetchVideoBytes: Math.max(0, o.prefetchVideoBytes ?? 512 * 1024),
  };
}
