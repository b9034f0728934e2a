import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { Server as HttpServer } from 'node:http';
import type { Server as NetServer } from 'node:net';
import type { XinboxConfig } from './config.js';
import type { Logger } from './logger.js';
import type { Storage } from './storage.js';
import type { NodeMetrics } from './metrics/node-metrics.js';
import type { MediaChannel } from './media/index.js';
import type { MediaStore } from './core/ports/media-store.js';
import type { AppDirectory } from './core/apps/app-directory.js';
import type { AppOfUser } from './core/ports/app-store.js';

/**
 * What a started node is and what it may be handed (node.ts composes it).
 * Apart from node.ts so that processes/ (which starts nodes) and node.ts
 * (which starts processes) share these types without importing each other.
 */

/** One gateway process of a primary, as its supervisor sees it. */
export interface GatewayProcessInfo {
  readonly index: number;
  readonly nodeId: string;
  readonly pid: number | null;
  readonly ready: boolean;
  readonly restarts: number;
}

export interface XinboxNode {
  readonly config: XinboxConfig;
  readonly nodeId: string;
  /** The deployment's apps (ADR 0013): `default` from the config plus the AppStore's. */
  readonly apps: AppDirectory;
  /** The app of a user (cached; an unknown user counts as `default`). */
  readonly appOf: AppOfUser;
  readonly port: number;
  readonly tcpPort: number;
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** Port of the admin listener (adminPort); -1 when there is none. */
  readonly adminPort: number;
  /** This node's Prometheus metrics (its own registry). */
  readonly metrics: NodeMetrics;
  /** The media channel (uploads, downloads, collector). */
  readonly media: MediaChannel;
  /**
   * Read tlsCertFile / tlsKeyFile again (SIGHUP): new TLS handshakes use them,
   * established connections are untouched. Throws (keeping the current
   * certificate) when the files are unusable; false when TLS is off.
   */
  reloadTls(): boolean;
  /** The gateway processes of a primary (gatewayProcesses ≥ 2); absent otherwise. */
  readonly gatewayProcesses?: { readonly processes: readonly GatewayProcessInfo[] };
  /** This node's JSON counters and Prometheus series (a primary collects its gateway processes' with it). */
  metricsSnapshot(): Promise<NodeMetricsSnapshot>;
  /** Stop accepting, move clients elsewhere (DRAINING), then stop. */
  drain(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface NodeMetricsSnapshot {
  readonly json: Record<string, unknown>;
  readonly prometheus: Array<MetricObjectWithValues<MetricValue<string>>>;
}

/**
 * A gateway process's listeners (processes/): the primary accepts on the
 * shared public ports and hands each connection to a gateway process, which
 * emits it on these servers; plain HTTP goes back to the primary's API.
 */
export interface HandedInConnections {
  /** The public ports (the primary's listeners), advertised to clients. */
  readonly port: number;
  readonly tcpPort: number;
  /** The primary's HTTP API listener (unix socket), or null. */
  readonly apiPath: string | null;
  http(server: HttpServer): void;
  tcp(server: NetServer): void;
}

/** Adapters handed in instead of opened from config (the in-process cluster harness shares them). */
export interface NodeDeps {
  readonly storage?: Storage;
  readonly log?: Logger;
  readonly metrics?: NodeMetrics;
  /** A MediaStore instead of the configured one (tests share one bucket). */
  readonly mediaStore?: MediaStore;
  /** Set in a gateway process: connections come from the primary instead of listeners. */
  readonly handedIn?: HandedInConnections;
  /** Set in a primary: its HTTP API listens on this unix socket (requests forwarded by its gateway processes). */
  readonly apiPath?: string;
  /** Set in a primary: its gateway processes' metrics, served with its own. */
  readonly peerMetrics?: () => Promise<NodeMetricsSnapshot[]>;
}
