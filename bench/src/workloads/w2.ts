import { describeMeasurement, measure, measurementMetrics, measurementNotes, warmUp } from './common.js';
import { LACKS_GROUPS, setupGroup } from './group.js';
import type { Metric, TargetOutcome, TargetSession, Workload } from './types.js';

/** W2: group fan-out, one sender at a low fixed rate, every member online. */
export const w2: Workload = {
  id: 'w2',
  title: 'W2 group fan-out',
  description:
    'One group per size with every member connected; the owner sends at a fixed rate. Latency is per recipient ' +
    '(scheduled send to arrival); completion is the slowest recipient of each message. Delivered counts pushes/s.',
  headline: 'p99Ms',
  config: (o) => ({ ...o.w2, warmupS: o.warmupS }),
  async run(s: TargetSession): Promise<TargetOutcome> {
    const cfg = s.opts.w2;
    const metrics: Record<string, Metric> = {};
    const detail: Record<string, unknown> = {};
    const notes: string[] = [];
    for (const size of cfg.sizes) {
      const setup = await setupGroup(s, size);
      if ('status' in setup) {
        if (setup.reason === LACKS_GROUPS) return { ...setup, reason: `skipped: ${LACKS_GROUPS}` };
        notes.push(`group of ${size}: ${setup.status}: ${setup.reason}`);
        detail[`g${size}`] = setup;
        await s.fleet.closeAll();
        continue;
      }
      const spec = {
        ratePerSec: cfg.rate,
        senders: [{ conn: setup.senderConn, conversationId: setup.conversationId, senderIdx: 0 }],
        fanout: setup.members - 1,
        trackPerMessage: true,
      };
      await warmUp(s, spec);
      const m = await measure(s, { ...spec, durationS: cfg.durationS, warmupS: s.opts.warmupS });
      s.log(`group ${size}: ${describeMeasurement(m)} completion p99 ${m.completion?.p99Ms} ms`);
      Object.assign(metrics, measurementMetrics(m, `g${size}.`));
      metrics[`g${size}.completionP50Ms`] = { value: m.completion?.p50Ms ?? 0, unit: 'ms', better: 'lower', noise: 1 };
      metrics[`g${size}.completionP99Ms`] = { value: m.completion?.p99Ms ?? 0, unit: 'ms', better: 'lower', noise: 2 };
      detail[`g${size}`] = m;
      notes.push(...measurementNotes(m, `group of ${size}: `));
      await s.fleet.closeAll();
    }
    if (Object.keys(metrics).length === 0) return { status: 'failed', reason: notes.join('; '), metrics, detail };
    return { status: 'ok', metrics, detail, notes };
  },
};
