import { clkTck, machineBusyTicks, processTree, readTotals } from './proc.js';
import { nowMs } from '../time.js';
import { adminHeaders } from '../servers/admin-token.js';

/**
 * Samples the server's process tree (CPU, RSS), the load processes' CPU and,
 * when the server exposes GET /v1/metrics, its event-loop lag. Workloads ask
 * for the figures of a time window afterwards.
 */

interface Sample {
  readonly t: number;
  readonly serverTicks: number;
  readonly serverRss: number;
  readonly serverProcesses: number;
  readonly serverWaitNs: number;
  readonly loadWaitNs: number;
  readonly loadTicks: number;
  readonly selfTicks: number;
  readonly machineTicks: number;
  readonly lagMs: number | undefined;
  readonly lagP99Ms: number | undefined;
  /** The server's event-loop delay over its last completed window (Xinbox: 1 s). */
  readonly delayWindowP99Ms: number | undefined;
  readonly delayWindowMaxMs: number | undefined;
  /** The server's cumulative GC counters (Xinbox's /v1/metrics gc). */
  readonly gcMinor: number | undefined;
  readonly gcPauseMs: number | undefined;
  readonly connections: number | undefined;
}

export interface WindowStats {
  readonly samples: number;
  /** 100 = one core busy. */
  readonly serverCpuPct: number;
  readonly serverCpuPctMax: number;
  readonly serverRssMaxBytes: number;
  readonly serverRssEndBytes: number;
  readonly serverProcesses: number;
  readonly loadCpuPct: number;
  /** CPU used on this machine by processes that are not part of the bench (other users, builds): noise. */
  readonly foreignCpuPct: number;
  /** Share of the window the server's main thread was runnable but not running (CPU taken by others). */
  readonly serverRunWaitPct: number;
  /** Same for the load processes, summed (100 = one process waiting the whole time). */
  readonly loadRunWaitPct: number;
  /** Max of the server's reported event-loop lag; undefined when not exposed. */
  readonly serverLagMaxMs: number | undefined;
  readonly serverLagMeanMs: number | undefined;
  /** Max of the server's reported event-loop lag p99 (Xinbox reports it since process start). */
  readonly serverLagP99Ms: number | undefined;
  /** Worst 1-s window p99 of the server's event-loop delay inside the window (Xinbox's eventLoopDelay.lastWindow). */
  readonly serverLoopDelayP99Ms: number | undefined;
  /** Longest event-loop delay (stall) of the server inside the window. */
  readonly serverLoopDelayMaxMs: number | undefined;
  /** Minor (scavenge) collections of the server's main thread inside the window: allocation volume. */
  readonly serverGcMinor: number | undefined;
  /** Total GC pause of the server's main thread inside the window. */
  readonly serverGcPauseMs: number | undefined;
}

export interface SamplerOptions {
  /** Server processes (one per gateway): CPU, RSS and run-wait are summed over their process trees. */
  readonly serverPids: readonly number[];
  /** Services the server runs on (PostgreSQL, Redis): CPU only, as their RSS is mostly shared memory. */
  readonly servicePids?: () => readonly number[];
  readonly loadPids: () => readonly number[];
  readonly metricsUrl?: string;
  readonly intervalMs: number;
  /** Hard cap on kept samples so a forgotten sampler cannot grow without bound. */
  readonly maxSamples?: number;
}

export class ProcessSampler {
  private readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private metricsFailures = 0;
  private metricsUrl: string | undefined;

  constructor(private readonly opts: SamplerOptions) {
    this.metricsUrl = opts.metricsUrl;
  }

  start(): void {
    if (this.timer) return;
    void this.sampleOnce();
    this.timer = setInterval(() => void this.sampleOnce(), this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Take one sample now (also used to pin the edges of a window). */
  async sampleOnce(): Promise<void> {
    const t = nowMs();
    const server = readTotals(this.serverTree());
    const services = readTotals(this.opts.servicePids?.() ?? []);
    const load = readTotals(this.opts.loadPids());
    const self = readTotals([process.pid]);
    const machineTicks = machineBusyTicks();
    const m = await this.fetchMetrics();
    this.samples.push({
      t,
      serverTicks: server.cpuTicks + services.cpuTicks,
      serverRss: server.rssBytes,
      serverProcesses: server.processes,
      serverWaitNs: server.runWaitNs,
      loadWaitNs: load.runWaitNs,
      loadTicks: load.cpuTicks,
      selfTicks: self.cpuTicks,
      machineTicks,
      lagMs: m?.eventLoopLagMs,
      lagP99Ms: m?.eventLoopLagP99Ms,
      delayWindowP99Ms: m?.delayWindowP99Ms,
      delayWindowMaxMs: m?.delayWindowMaxMs,
      gcMinor: m?.gcMinor,
      gcPauseMs: m?.gcPauseMs,
      connections: m?.connections,
    });
    if (this.samples.length > (this.opts.maxSamples ?? 100_000)) this.samples.splice(0, 1000);
  }

  currentRssBytes(): number {
    return readTotals(this.serverTree()).rssBytes;
  }

  private serverTree(): number[] {
    return this.opts.serverPids.flatMap((pid) => processTree(pid));
  }

  window(from: number, to: number): WindowStats {
    const inside = this.samples.filter((s) => s.t >= from - 1 && s.t <= to + 1);
    const hz = clkTck();
    const pct = (ticks: number, ms: number): number => (ms > 0 ? Math.round(((ticks / hz) / (ms / 1000)) * 1000) / 10 : 0);
    let cpuMax = 0;
    for (let i = 1; i < inside.length; i++) {
      const a = inside[i - 1]!;
      const b = inside[i]!;
      cpuMax = Math.max(cpuMax, pct(b.serverTicks - a.serverTicks, b.t - a.t));
    }
    const first = inside[0];
    const last = inside[inside.length - 1];
    const span = first && last ? last.t - first.t : 0;
    const lags = inside.map((s) => s.lagMs).filter((x): x is number => typeof x === 'number');
    const p99s = inside.map((s) => s.lagP99Ms).filter((x): x is number => typeof x === 'number');
    const delayP99s = inside.map((s) => s.delayWindowP99Ms).filter((x): x is number => typeof x === 'number');
    const delayMaxes = inside.map((s) => s.delayWindowMaxMs).filter((x): x is number => typeof x === 'number');
    return {
      samples: inside.length,
      serverCpuPct: first && last ? pct(last.serverTicks - first.serverTicks, span) : 0,
      serverCpuPctMax: cpuMax,
      serverRssMaxBytes: Math.max(0, ...inside.map((s) => s.serverRss)),
      serverRssEndBytes: last?.serverRss ?? 0,
      serverProcesses: Math.max(0, ...inside.map((s) => s.serverProcesses)),
      loadCpuPct: first && last ? pct(last.loadTicks - first.loadTicks, span) : 0,
      foreignCpuPct: first && last ? Math.max(0, pct(
        (last.machineTicks - first.machineTicks) - (last.serverTicks - first.serverTicks) - (last.loadTicks - first.loadTicks) - (last.selfTicks - first.selfTicks),
        span,
      )) : 0,
      serverRunWaitPct: first && last && span > 0 ? Math.round(((last.serverWaitNs - first.serverWaitNs) / 1e6 / span) * 1000) / 10 : 0,
      loadRunWaitPct: first && last && span > 0 ? Math.round(((last.loadWaitNs - first.loadWaitNs) / 1e6 / span) * 1000) / 10 : 0,
      serverLagMaxMs: lags.length > 0 ? Math.max(...lags) : undefined,
      serverLagMeanMs: lags.length > 0 ? Math.round((lags.reduce((a, b) => a + b, 0) / lags.length) * 100) / 100 : undefined,
      serverLagP99Ms: p99s.length > 0 ? Math.round(Math.max(...p99s) * 100) / 100 : undefined,
      serverLoopDelayP99Ms: delayP99s.length > 0 ? Math.max(...delayP99s) : undefined,
      serverLoopDelayMaxMs: delayMaxes.length > 0 ? Math.max(...delayMaxes) : undefined,
      serverGcMinor: delta(inside, (s) => s.gcMinor),
      serverGcPauseMs: delta(inside, (s) => s.gcPauseMs),
    };
  }

  private async fetchMetrics(): Promise<{
    eventLoopLagMs?: number; eventLoopLagP99Ms?: number; delayWindowP99Ms?: number; delayWindowMaxMs?: number; connections?: number;
    gcMinor?: number; gcPauseMs?: number;
  } | undefined> {
    if (!this.metricsUrl) return undefined;
    try {
      const res = await fetch(this.metricsUrl, { signal: AbortSignal.timeout(400), headers: adminHeaders() });
      if (!res.ok) {
        if (res.status === 404) this.metricsUrl = undefined;
        await res.body?.cancel();
        return undefined;
      }
      const body = (await res.json()) as Record<string, unknown>;
      this.metricsFailures = 0;
      const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
      const delay = body.eventLoopDelay as { lastWindow?: Record<string, unknown> } | undefined;
      const gc = body.gc as Record<string, unknown> | undefined;
      return {
        eventLoopLagMs: num(body.eventLoopLagMs), eventLoopLagP99Ms: num(body.eventLoopLagP99Ms), connections: num(body.connections),
        delayWindowP99Ms: num(delay?.lastWindow?.p99Ms), delayWindowMaxMs: num(delay?.lastWindow?.maxMs),
        gcMinor: num(gc?.minor), gcPauseMs: num(gc?.pauseMs),
      };
    } catch {
      // Tolerate absence: a server that refuses the connection ten times in a row has no metrics
      // endpoint; a timeout (busy server) is just a missing sample.
      if (++this.metricsFailures >= 10 && this.samples.every((s) => s.lagMs === undefined)) this.metricsUrl = undefined;
      return undefined;
    }
  }
}

/** Last minus first reported value of a cumulative counter inside the window. */
function delta(inside: readonly Sample[], pick: (s: Sample) => number | undefined): number | undefined {
  const values = inside.map(pick).filter((x): x is number => typeof x === 'number');
  if (values.length < 2) return undefined;
  return Math.round((values[values.length - 1]! - values[0]!) * 100) / 100;
}
