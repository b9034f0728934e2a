/**
 * The messages on the node IPC channel between the primary and a gateway
 * process (process.send; small and rare — per process start, per accepted
 * connection with its socket handle, per drain). Everything per message or
 * per request goes over the binary hub link instead (adapters/ipc).
 */

/** primary → gateway process, once: who it is and where the primary's parts are. */
export interface InitMessage {
  readonly t: 'init';
  /** Settings of the process (config.ts keys); its roles are `gateway` only. */
  readonly settings: Record<string, unknown>;
  /** The hub serving the primary's ports; null in cluster mode (the process opens PostgreSQL and Redis itself). */
  readonly hubPath: string | null;
  /** The primary's HTTP API listener; null when the primary has no HTTP role. */
  readonly apiPath: string | null;
  /** The shared public ports (the primary listens; connections are handed in). */
  readonly port: number;
  readonly tcpPort: number;
}

/** primary → gateway process: an accepted connection (its socket handle travels with the message). */
export interface ConnectionMessage {
  readonly t: 'conn';
  readonly kind: 'http' | 'tcp';
}

/** primary → gateway process: move clients elsewhere (DRAINING), then exit. */
export interface DrainMessage {
  readonly t: 'drain';
  readonly timeoutMs: number;
}

/** primary → gateway process: SIGHUP reached the primary; read the TLS files again. */
export interface ReloadTlsMessage {
  readonly t: 'reload-tls';
}

export type ToGateway = InitMessage | ConnectionMessage | DrainMessage | ReloadTlsMessage;

/** gateway process → primary. */
export type FromGateway =
  | { readonly t: 'ready'; readonly nodeId: string }
  | { readonly t: 'failed'; readonly error: string };
