import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

/** Garbage collections of this thread since start: counts by kind and total pause. */
export interface GcFigures {
  readonly minor: number;
  readonly major: number;
  readonly pauseMs: number;
}

/**
 * Counts this thread's garbage collections (perf_hooks 'gc' entries). Minor
 * (scavenge) collections happen each time the young generation fills, so
 * their count per message is a proxy for bytes allocated per message: the
 * figure the allocation diet of the send and push paths is measured by.
 */
export class GcStats {
  private minor = 0;
  private major = 0;
  private pauseMs = 0;
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) this.count(e);
  });

  start(): void {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    this.observer.disconnect();
  }

  figures(): GcFigures {
    return { minor: this.minor, major: this.major, pauseMs: Math.round(this.pauseMs * 100) / 100 };
  }

  private count(e: PerformanceEntry): void {
    const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) this.minor++;
    else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) this.major++;
    this.pauseMs += e.duration;
  }
}
