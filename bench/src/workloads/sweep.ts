import { describeMeasurement, isGood, measure, warmUp, type Measurement, type MeasureSpec } from './common.js';
import type { SweepPoint, TargetOutcome, TargetSession } from './types.js';
import { sleep } from '../time.js';

/**
 * Raise the offered rate step by step on the same connections until p99
 * reaches the limit or anything is lost; the highest good step is the result.
 */
export interface SweepPlan {
  readonly rates: readonly number[];
  readonly stepS: number;
  readonly base: Omit<MeasureSpec, 'ratePerSec' | 'durationS'>;
}

export function geometricRates(start: number, factor: number, steps: number, max: number): number[] {
  const out: number[] = [];
  let r = start;
  for (let i = 0; i < steps && r <= max; i++) {
    out.push(r);
    const nextRate = r * factor;
    r = nextRate >= 1000 ? Math.round(nextRate / 500) * 500 : Math.max(r + 1, Math.round(nextRate));
  }
  return out;
}

export async function runSweep(s: TargetSession, plan: SweepPlan): Promise<TargetOutcome> {
  const points: SweepPoint[] = [];
  const runs: Measurement[] = [];
  let bestRate = 0;
  let bestDelivered = 0;
  let stopReason = 'reached the last step';
  await warmUp(s, { ...plan.base, ratePerSec: plan.rates[0] ?? 1 });
  for (const rate of plan.rates) {
    const m = await measure(s, { ...plan.base, ratePerSec: rate, durationS: plan.stepS });
    const good = isGood(m, s.opts.p99LimitMs);
    s.log(`sweep step ${rate}/s: ${describeMeasurement(m)} -> ${good ? 'good' : 'bad'}`);
    runs.push(m);
    points.push({
      offeredPerSec: rate, deliveredPerSec: m.deliveredPerSec, p50Ms: m.latency.p50Ms, p99Ms: m.latency.p99Ms, p999Ms: m.latency.p999Ms,
      lost: m.lost + m.unacked, serverCpuPct: m.server.serverCpuPct, loadCpuPct: m.generator.cpuPct, good,
    });
    if (!good) {
      stopReason = m.lost + m.unacked > 0 ? `${m.drained ? 'loss' : 'backlog not drained'} at ${rate}/s` : Object.keys(m.sendErrors).length > 0 ? `send errors at ${rate}/s` : `p99 ${m.latency.p99Ms} ms at ${rate}/s`;
      break;
    }
    bestRate = rate;
    bestDelivered = m.deliveredPerSec;
    await sleep(s.opts.quick ? 100 : 1000); // let queues settle before the next step
  }
  const best = points.filter((p) => p.good).at(-1);
  const notes = [`stopped: ${stopReason}`];
  if (points.some((p) => p.loadCpuPct >= 95)) notes.push('load generator reached ~100% CPU on its core in some steps: upper steps may be client-bound');
  const foreign = Math.max(0, ...runs.map((r) => r.server.foreignCpuPct));
  if (foreign > 10) notes.push(`other processes used up to ${foreign}% CPU during some steps: figures are noisy`);
  const wait = Math.max(0, ...runs.map((r) => r.server.serverRunWaitPct));
  if (wait > 5) notes.push(`the server waited for its CPU up to ${wait}% of a step (taken by other processes)`);
  return {
    status: 'ok',
    metrics: {
      highestGoodRate: { value: bestRate, unit: 'msg/s', better: 'higher' },
      highestGoodDeliveredPerSec: { value: bestDelivered, unit: 'deliveries/s', better: 'higher' },
      p99AtBestMs: { value: best?.p99Ms ?? 0, unit: 'ms', better: 'lower', noise: 2 },
      serverCpuAtBestPct: { value: best?.serverCpuPct ?? 0, unit: '%', better: 'none' },
      steps: { value: points.length, unit: '', better: 'none' },
    },
    sweep: points,
    detail: { stopReason, runs },
    notes,
  };
}
