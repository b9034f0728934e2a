import { LACKS_GROUPS, setupGroup } from './group.js';
import { geometricRates, runSweep } from './sweep.js';
import type { TargetOutcome, TargetSession, Workload } from './types.js';

/** W2 sweep: group fan-out at rising send rates until p99 >= limit or loss. */
export const w2Sweep: Workload = {
  id: 'w2-sweep',
  title: 'W2 sweep: group fan-out, rising rate',
  description:
    'The W2 setup for one group size with the owner sending at rates rising geometrically. Throughput is ' +
    'deliveries (pushes received) per second; stops at the first step with p99 at the limit or any loss.',
  headline: 'highestGoodDeliveredPerSec',
  config: (o) => ({ ...o.w2Sweep, p99LimitMs: o.p99LimitMs }),
  async run(s: TargetSession): Promise<TargetOutcome> {
    const cfg = s.opts.w2Sweep;
    const setup = await setupGroup(s, cfg.size);
    if ('status' in setup) return setup.reason === LACKS_GROUPS ? { ...setup, reason: `skipped: ${LACKS_GROUPS}` } : setup;
    return runSweep(s, {
      rates: geometricRates(cfg.startRate, cfg.factor, cfg.maxSteps, 100_000),
      stepS: cfg.stepS,
      base: {
        warmupS: Math.min(s.opts.warmupS, cfg.stepS / 4),
        senders: [{ conn: setup.senderConn, conversationId: setup.conversationId, senderIdx: 0 }],
        fanout: setup.members - 1,
        trackPerMessage: true,
      },
    });
  },
};
