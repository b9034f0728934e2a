import type { TargetName } from './servers/launch.js';

/** Every knob of a bench run, with the full and the quick (smoke) defaults. */

export const WORKLOAD_IDS = ['w1', 'w1-sweep', 'w2', 'w2-sweep', 'w3', 'w4', 'w5', 'flood', 'webhooks', 'before-send', 'push-cost'] as const;
export type WorkloadId = (typeof WORKLOAD_IDS)[number];
export const TARGET_NAMES: readonly TargetName[] = ['ceiling', 'naive', 'xinbox'];

export interface BenchOptions {
  quick: boolean;
  workloads: WorkloadId[];
  targets: TargetName[];
  outDir: string | undefined;
  pin: boolean;
  serverCpu: string;
  loadCpu: string;
  /** Minimum number of load processes (more are started when the fd budget needs them). */
  procs: number;
  /** Connection budget of one load process (hard open-file limit is 20k). */
  connsPerProc: number;
  /** Client source addresses; undefined = enough for the largest workload. */
  sourceAddrs: number | undefined;
  registerConcurrency: number;
  /**
   * XINBOX_SCRYPT_COST for the Xinbox the bench starts (log2 N; server default 14, minimum 10).
   * Registration and login are scrypt-bound, so provisioning 10k+ users at 14 takes most of an hour.
   */
  scryptCost: number;
  /** XINBOX_LEXICON_DIR for the Xinbox the bench starts: the sensitive-word filter on the send path ('' = off). */
  lexiconDir: string;
  /** XINBOX_GATEWAY_PROCESSES for the Xinbox the bench starts ('' = the server's default). */
  gatewayProcesses: string;
  warmupS: number;
  drainS: number;
  p99LimitMs: number;
  w1: { users: number; senders: number; rate: number; durationS: number };
  w1Sweep: { startRate: number; factor: number; maxSteps: number; stepS: number; maxRate: number };
  w2: { sizes: number[]; rate: number; durationS: number };
  w2Sweep: { size: number; startRate: number; factor: number; maxSteps: number; stepS: number };
  w3: { conns: number; batch: number; holdS: number; pingMs: number | null; maxFailRatio: number };
  /** W5 media: upload throughput, then W1 at `rate` without and with `uploaders` concurrent 50 MB uploads. */
  w5: { smallFiles: number; largeFiles: number; users: number; senders: number; rate: number; durationS: number; uploaders: number };
  /** Flood: seconds of flooding, and the healthy pair's send rate (msgs/s). */
  flood: { durationS: number; healthyRate: number };
  /** push-cost: offered msgs/s (users and duration are W1's); far below W1's rate, each message being a notification. */
  push: { rate: number };
  /** Use an already running Xinbox instead of starting one (still loopback only). */
  external: { httpBase: string; wsUrls: string[]; pids: number[] } | undefined;
  /** Server processes per target (W4 at scale): a Xinbox cluster on PostgreSQL + Redis, or linked relays. */
  gateways: number;
  /**
   * XINBOX_ROOM_PUSH_BUDGET given to every target (the relays pace rooms the
   * same way): 100,000 socket writes/s per room per process, divided by
   * --gateways since the server processes share one core here.
   */
  roomPushBudget: number;
  /**
   * WebSocket permessage-deflate: the load clients offer it and the Xinbox
   * under test accepts it (XINBOX_WS_PER_MESSAGE_DEFLATE); the baselines decline.
   */
  wsDeflate: boolean;
  /** Xinbox target: a before-send check (allow-all, signed) served by a local sink process. */
  beforeSendHook: boolean;
  /** Xinbox target: webhooks for every event, delivered to the local sink process. */
  webhooks: boolean;
  /** Content of 1:1 and group bench messages: Custom{kind:'bench'} (default) or Text (stamp + sentence, scanned by the filter). */
  payload: 'custom' | 'text';
  /** Client transport of connectUsers (W1, W2, flood, ...): WebSocket, or Xinbox's raw TCP. */
  transport: 'ws' | 'tcp';
}

export function defaultOptions(quick: boolean): BenchOptions {
  const base: BenchOptions = {
    quick,
    workloads: [...WORKLOAD_IDS],
    targets: [...TARGET_NAMES],
    outDir: undefined,
    pin: true,
    serverCpu: '0',
    loadCpu: '1',
    procs: 2,
    connsPerProc: 15_000,
    sourceAddrs: undefined,
    registerConcurrency: 32,
    scryptCost: 10,
    lexiconDir: '',
    gatewayProcesses: '',
    warmupS: 2,
    drainS: 5,
    p99LimitMs: 200,
    w1: { users: 1000, senders: 500, rate: 24_000, durationS: 20 },
    w1Sweep: { startRate: 2000, factor: 1.3, maxSteps: 14, stepS: 8, maxRate: 400_000 },
    w2: { sizes: [500, 10_000], rate: 10, durationS: 20 },
    w2Sweep: { size: 500, startRate: 20, factor: 2, maxSteps: 10, stepS: 8 },
    w3: { conns: 50_000, batch: 5000, holdS: 30, pingMs: null, maxFailRatio: 0.02 },
    w5: { smallFiles: 20, largeFiles: 3, users: 200, senders: 100, rate: 1000, durationS: 15, uploaders: 2 },
    flood: { durationS: 20, healthyRate: 10 },
    push: { rate: 1000 },
    external: undefined,
    gateways: 1,
    roomPushBudget: 100_000,
    wsDeflate: false,
    beforeSendHook: false,
    webhooks: false,
    payload: 'custom',
    transport: 'ws',
  };
  if (!quick) return base;
  return {
    ...base,
    warmupS: 0.5,
    drainS: 2,
    w1: { users: 100, senders: 50, rate: 2000, durationS: 1.5 },
    w1Sweep: { startRate: 2000, factor: 2, maxSteps: 2, stepS: 1, maxRate: 400_000 },
    w2: { sizes: [50], rate: 10, durationS: 1.5 },
    w2Sweep: { size: 50, startRate: 20, factor: 4, maxSteps: 2, stepS: 1 },
    w3: { conns: 100, batch: 100, holdS: 1, pingMs: 300, maxFailRatio: 0.02 },
    w5: { smallFiles: 3, largeFiles: 1, users: 100, senders: 50, rate: 1000, durationS: 2, uploaders: 1 },
    flood: { durationS: 3, healthyRate: 10 },
    push: { rate: 300 },
  };
}

/** Connections the largest selected workload will hold at once. */
export function peakConnections(o: BenchOptions): number {
  const need = [0];
  if (o.workloads.includes('w1') || o.workloads.includes('w1-sweep')) need.push(o.w1.users);
  if (o.workloads.includes('w2')) need.push(...o.w2.sizes);
  if (o.workloads.includes('w2-sweep')) need.push(o.w2Sweep.size);
  if (o.workloads.includes('w3')) need.push(o.w3.conns);
  if (o.workloads.includes('w5')) need.push(o.w5.users);
  if (o.workloads.includes('push-cost')) need.push(o.w1.users);
  return Math.max(...need);
}
