import { BenchHttp } from './client/http.js';
import { UserPool } from './client/user-pool.js';
import type { LoadFleet } from './load/fleet.js';
import { ProcessSampler } from './metrics/sampler.js';
import type { BenchOptions } from './options.js';
import { externalServer } from './servers/external.js';
import { launchServer, type LaunchOptions, type TargetName } from './servers/launch.js';
import { startWebhookSink, type SinkUse } from './servers/webhook-sink-launch.js';
import { startPushSink } from './servers/push-sink-launch.js';
import { launchCluster } from './servers/launch-cluster.js';
import { sleep } from './time.js';
import type { TargetSession } from './workloads/types.js';
import { BENCH_ADMIN_TOKEN } from './servers/admin-token.js';

/** One started server under test with its HTTP client, user pool and sampler. */
export interface OpenSession {
  readonly session: TargetSession;
  /** The workload-specific server settings it was started with (JSON). */
  readonly envKey: string;
  /** Whether a workload has run against it (a workload asking for a fresh server gets a new one). */
  used: boolean;
  /** Wait (bounded) until the server is idle; returns its last CPU %, -1 on timeout. */
  settle(): Promise<number>;
  close(): Promise<void>;
}

export interface SessionContext {
  readonly opts: BenchOptions;
  readonly fleet: LoadFleet;
  readonly sourceAddrs: number;
  readonly logDir: string;
  log(message: string): void;
}

/**
 * Xinbox runs with its request rate limits off unless a workload asks for them
 * (`serverEnv`): load generators put thousands of users behind one address and
 * drive some far beyond a human's rate on purpose.
 */
export async function openSession(target: TargetName, ctx: SessionContext, serverEnv: Record<string, string> = {},
  sinkUse: Partial<SinkUse> = {}): Promise<OpenSession> {
  const { opts, fleet } = ctx;
  const launch: LaunchOptions = {
    pin: opts.pin, serverCpu: opts.serverCpu, logDir: ctx.logDir, readyTimeoutMs: 60_000,
    env: {
      XINBOX_ROOM_PUSH_BUDGET: String(opts.roomPushBudget),
      XINBOX_ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      ...(target === 'xinbox' ? { XINBOX_SCRYPT_COST: String(opts.scryptCost), XINBOX_RATE_LIMITS: 'false', ...(opts.lexiconDir ? { XINBOX_LEXICON_DIR: opts.lexiconDir } : {}), ...serverEnv } : {}),
      ...(target === 'xinbox' && opts.wsDeflate ? { XINBOX_WS_PER_MESSAGE_DEFLATE: 'true' } : {}),
      ...(target === 'xinbox' && opts.gatewayProcesses ? { XINBOX_GATEWAY_PROCESSES: opts.gatewayProcesses } : {}),
    },
  };
  const use: SinkUse = { beforeSend: opts.beforeSendHook || !!sinkUse.beforeSend, webhooks: opts.webhooks || !!sinkUse.webhooks, push: !!sinkUse.push };
  const sink = target === 'xinbox' && (use.beforeSend || use.webhooks) && !opts.external ? await startWebhookSink(opts, use, ctx.logDir) : null;
  if (sink) Object.assign(launch.env, sink.env);
  // The APNs/FCM stand-ins (push-cost workload).
  const pushSink = target === 'xinbox' && use.push && !opts.external ? await startPushSink(opts, ctx.logDir) : null;
  if (pushSink) Object.assign(launch.env, pushSink.env);
  const server = target === 'xinbox' && opts.external
    ? externalServer(opts.external)
    : opts.gateways > 1 ? await launchCluster(target, opts.gateways, launch) : await launchServer(target, launch);
  ctx.log(`== ${target}: pid ${server.pids.join(',')}, CPU ${server.affinity}, ${server.httpBases.join(' ')}`);
  const http = new BenchHttp(server.httpBase);
  const pool = new UserPool(http, `b${Date.now().toString(36)}`, opts.registerConcurrency);
  const sampler = new ProcessSampler({ serverPids: server.pids, servicePids: server.servicePids, loadPids: () => fleet.pids(), metricsUrl: `${server.httpBase}/v1/metrics`, intervalMs: 500 });
  sampler.start();
  let runId = 0;
  const session: TargetSession = {
    name: target, server, http, pool, fleet, sampler, opts, sourceAddrs: ctx.sourceAddrs, sinkStatsUrl: sink?.statsUrl, pushStatsUrl: pushSink?.statsUrl,
    nextRunId: () => ++runId,
    log: (m) => ctx.log(`${target}: ${m}`),
  };
  return {
    session,
    envKey: JSON.stringify({ serverEnv, use }),
    used: false,
    settle: async () => {
      // After an overload the server may still be working off a backlog; the next workload must not inherit it.
      const deadline = Date.now() + (opts.quick ? 10_000 : 120_000);
      while (Date.now() < deadline) {
        const from = Date.now();
        await sampler.sampleOnce();
        await sleep(opts.quick ? 300 : 1000);
        await sampler.sampleOnce();
        const cpu = sampler.window(from, Date.now()).serverCpuPct;
        if (cpu < 15) return cpu;
        ctx.log(`${target}: waiting for the server to settle (CPU ${cpu}%)`);
      }
      return -1;
    },
    close: async () => {
      sampler.stop();
      http.close();
      await server.stop();
      await sink?.stop();
      await pushSink?.stop();
      await sleep(opts.quick ? 100 : 500);
    },
  };
}
