import { describeMeasurement, measure, measurementMetrics, measurementNotes, warmUp } from './common.js';
import { setupPairs } from './pairs.js';
import type { TargetOutcome, TargetSession, Workload } from './types.js';

/** W1: one-to-one messaging at a fixed offered rate, paced open-loop. */
export const w1: Workload = {
  id: 'w1',
  title: 'W1 one-to-one messaging',
  description:
    'Users in pairs; one member of each pair sends to the other at a fixed total offered rate, scheduled by time ' +
    '(open loop) so a slow server shows up as latency. Latency is end to end: scheduled send time (stamped in the ' +
    'message) to arrival at the receiver. Lost = acked messages that never arrived (must be 0).',
  headline: 'deliveredPerSec',
  config: (o) => ({ ...o.w1, warmupS: o.warmupS, ...(o.wsDeflate ? { wsDeflate: true } : {}), ...(o.transport === 'tcp' ? { transport: 'tcp' } : {}) }),
  async run(s: TargetSession): Promise<TargetOutcome> {
    const cfg = s.opts.w1;
    const setup = await setupPairs(s, cfg.users, cfg.senders);
    if ('status' in setup) return setup;
    await warmUp(s, { ratePerSec: Math.round(cfg.rate / 4), senders: setup.senders, fanout: 1, trackPerMessage: false });
    const m = await measure(s, {
      ratePerSec: cfg.rate, durationS: cfg.durationS, warmupS: s.opts.warmupS,
      senders: setup.senders, fanout: 1, trackPerMessage: false,
    });
    s.log(describeMeasurement(m));
    const notes = measurementNotes(m);
    return {
      status: 'ok',
      metrics: {
        ...measurementMetrics(m),
        ackP99Ms: { value: m.ackLatency.p99Ms, unit: 'ms', better: 'lower', noise: 2 },
        serverLagMeanMaxMs: { value: m.server.serverLagMaxMs ?? -1, unit: 'ms', better: 'none' },
        serverLagP99Ms: { value: m.server.serverLagP99Ms ?? -1, unit: 'ms', better: 'none' },
      },
      detail: m,
      notes,
    };
  },
};
