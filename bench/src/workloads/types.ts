import type { BenchHttp } from '../client/http.js';
import type { UserPool } from '../client/user-pool.js';
import type { LoadFleet } from '../load/fleet.js';
import type { ProcessSampler } from '../metrics/sampler.js';
import type { ServerHandle, TargetName } from '../servers/launch.js';
import type { BenchOptions } from '../options.js';

/** Everything a workload needs to drive one server under test. */
export interface TargetSession {
  readonly name: TargetName;
  readonly server: ServerHandle;
  readonly http: BenchHttp;
  readonly pool: UserPool;
  readonly fleet: LoadFleet;
  readonly sampler: ProcessSampler;
  readonly opts: BenchOptions;
  /** Source addresses the client connections are spread over. */
  readonly sourceAddrs: number;
  /** The customer's-backend sink's counters (GET; `?reset=1` starts a new window), when one runs. */
  readonly sinkStatsUrl?: string | undefined;
  /** The APNs/FCM stand-ins' counters (GET; `?reset=1` starts a new window), when the workload asked for them. */
  readonly pushStatsUrl?: string | undefined;
  nextRunId(): number;
  log(message: string): void;
}

export type Better = 'higher' | 'lower' | 'none';

export interface Metric {
  readonly value: number;
  readonly unit: string;
  readonly better: Better;
  /** Differences below this absolute amount are noise, never a regression. */
  readonly noise?: number;
}

export interface SweepPoint {
  readonly offeredPerSec: number;
  readonly deliveredPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly lost: number;
  readonly serverCpuPct: number;
  readonly loadCpuPct: number;
  readonly good: boolean;
}

export interface TargetOutcome {
  readonly status: 'ok' | 'skipped' | 'failed';
  readonly reason?: string;
  readonly metrics: Record<string, Metric>;
  readonly detail?: unknown;
  readonly sweep?: readonly SweepPoint[];
  readonly notes?: readonly string[];
}

export interface Workload {
  readonly id: string;
  readonly title: string;
  /** What the workload measures, one paragraph (goes into the markdown). */
  readonly description: string;
  /** The metric the Xinbox/ceiling ratio is reported for. */
  readonly headline: string;
  /** Needs a server no other workload has used (e.g. it measures memory growth). */
  readonly freshServer?: boolean;
  /** Server settings this workload needs (XINBOX_* variables); a server started with other ones is replaced. */
  serverEnv?(opts: BenchOptions): Record<string, string>;
  /** Points the server at the signed-verifying sink (bench/src/servers/webhook-sink.ts) for these, or (push) at the APNs/FCM stand-ins (push-sink.ts). */
  readonly sink?: { readonly beforeSend?: boolean; readonly webhooks?: boolean; readonly push?: boolean };
  config(opts: BenchOptions): unknown;
  run(s: TargetSession): Promise<TargetOutcome>;
}

export const skipped = (reason: string): TargetOutcome => ({ status: 'skipped', reason, metrics: {} });
export const failed = (reason: string): TargetOutcome => ({ status: 'failed', reason, metrics: {} });
