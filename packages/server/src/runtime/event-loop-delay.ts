import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Event-loop delay figures in milliseconds. */
export interface LoopDelayFigures {
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * How late the event loop that serves sockets runs (perf_hooks'
 * monitorEventLoopDelay, sampled every `resolutionMs`). Two views: since
 * start, and the last completed window of `windowMs` — a stall shows in the
 * window it happened in instead of being averaged away over hours, and a
 * scraper polling faster than the window reads the same figures (nothing is
 * reset by reading). For /v1/metrics and the Prometheus exporter.
 */
export class EventLoopDelayMonitor {
  private readonly total: IntervalHistogram;
  private current: IntervalHistogram;
  private last: LoopDelayFigures = { meanMs: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 };
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly resolutionMs = 10, private readonly windowMs = 1000) {
    this.total = monitorEventLoopDelay({ resolution: resolutionMs });
    this.current = monitorEventLoopDelay({ resolution: resolutionMs });
  }

  start(): void {
    if (this.timer) return;
    this.total.enable();
    this.current.enable();
    this.timer = setInterval(() => this.rotate(), this.windowMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.total.disable();
    this.current.disable();
  }

  sinceStart(): LoopDelayFigures {
    return figures(this.total, this.resolutionMs);
  }

  /** The last completed window (zeros until one has completed). */
  lastWindow(): LoopDelayFigures {
    return this.last;
  }

  get window(): number {
    return this.windowMs;
  }

  private rotate(): void {
    this.last = figures(this.current, this.resolutionMs);
    this.current.reset();
  }
}

/**
 * The histogram records the time between two samples, i.e. the resolution
 * plus the delay (measured: ~10.1 ms at rest for 10 ms); the delay is the excess.
 * An empty histogram reports NaN / 9.2e12 sentinels.
 */
function figures(h: IntervalHistogram, resolutionMs: number): LoopDelayFigures {
  if (h.count === 0) return { meanMs: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 };
  const ms = (ns: number): number => (Number.isFinite(ns) ? Math.max(0, Math.round((ns / 1e6 - resolutionMs) * 100) / 100) : 0);
  return { meanMs: ms(h.mean), p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max) };
}
