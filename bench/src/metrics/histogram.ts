import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

/**
 * Latency histograms record microseconds (integers) from 1 us to 10 min with
 * 3 significant digits. They cross process boundaries as compressed base64.
 */
const HIGHEST_US = 600_000_000;

export type LatencyHistogram = Histogram;

export function newLatencyHistogram(): LatencyHistogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, bitBucketSize: 32 });
}

export function recordMs(h: LatencyHistogram, ms: number): void {
  const us = Math.round(ms * 1000);
  h.recordValue(Math.min(HIGHEST_US, Math.max(1, us)));
}

export function encodeHistogram(h: LatencyHistogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(encoded: string): LatencyHistogram {
  return hdr.decodeFromCompressedBase64(encoded, 32);
}

/** Merge encoded histograms from several processes into one. */
export function mergeEncoded(encoded: readonly string[]): LatencyHistogram {
  const total = newLatencyHistogram();
  for (const e of encoded) {
    const part = decodeHistogram(e);
    total.add(part);
    part.destroy();
  }
  return total;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export function summarize(h: LatencyHistogram): LatencySummary {
  if (h.totalCount === 0) return { count: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0, meanMs: 0 };
  const at = (p: number): number => round3(h.getValueAtPercentile(p) / 1000);
  return {
    count: h.totalCount,
    p50Ms: at(50),
    p90Ms: at(90),
    p99Ms: at(99),
    p999Ms: at(99.9),
    maxMs: round3(h.maxValue / 1000),
    meanMs: round3(h.mean / 1000),
  };
}
