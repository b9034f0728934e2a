import { setupPairs } from './pairs.js';
import { geometricRates, runSweep } from './sweep.js';
import type { TargetOutcome, TargetSession, Workload } from './types.js';

/** W1 sweep: one-to-one at rising offered rates until p99 >= limit or loss. */
export const w1Sweep: Workload = {
  id: 'w1-sweep',
  title: 'W1 sweep: one-to-one, rising rate',
  description:
    'The W1 setup at offered rates rising geometrically, each step a fresh open-loop run on the same connections. ' +
    'Stops at the first step whose p99 reaches the limit or that loses a message; reports the highest good rate.',
  headline: 'highestGoodRate',
  config: (o) => ({ users: o.w1.users, senders: o.w1.senders, ...o.w1Sweep, p99LimitMs: o.p99LimitMs, warmupS: Math.min(o.warmupS, o.w1Sweep.stepS / 4) }),
  async run(s: TargetSession): Promise<TargetOutcome> {
    const cfg = s.opts.w1Sweep;
    const setup = await setupPairs(s, s.opts.w1.users, s.opts.w1.senders);
    if ('status' in setup) return setup;
    return runSweep(s, {
      rates: geometricRates(cfg.startRate, cfg.factor, cfg.maxSteps, cfg.maxRate),
      stepS: cfg.stepS,
      base: { warmupS: Math.min(s.opts.warmupS, cfg.stepS / 4), senders: setup.senders, fanout: 1, trackPerMessage: false },
    });
  },
};
