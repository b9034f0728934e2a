import { AggregatorRegistry, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FixedLabelHistogram } from '../../src/metrics/fixed-label-histogram.js';

const BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.1, 1];
/** Bounds, values between and beyond them, zero and negatives. */
const VALUES = [0, 0.0005, 0.0004, 0.00051, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.05, 0.1, 0.7, 1, 1.5, 30, -2, 0.0005, 0.01];

/** Two registries with the same default label: one holds prom-client's Histogram (a labels child), one ours. */
function pair() {
  const theirs = new Registry();
  const ours = new Registry();
  for (const r of [theirs, ours]) r.setDefaultLabels({ node: 'n1' });
  const child = new Histogram({ name: 'xinbox_test_seconds', help: 'A test histogram', labelNames: ['role'], buckets: BUCKETS, registers: [theirs] }).labels({ role: 'gateway' });
  const fast = new FixedLabelHistogram({ name: 'xinbox_test_seconds', help: 'A test histogram', labels: { role: 'gateway' }, buckets: BUCKETS, registers: [ours] });
  return { theirs, ours, child, fast };
}

describe('FixedLabelHistogram', () => {
  it('reports what prom-client\'s Histogram reports for the same observations (text, JSON, aggregated)', async () => {
    const { theirs, ours, child, fast } = pair();
    // Before any observation neither has a series.
    expect(await ours.metrics()).toBe(await theirs.metrics());
    for (const v of VALUES) {
      child.observe(v);
      fast.observe(v);
    }
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('xinbox_test_seconds_bucket{le="0.0005",node="n1",role="gateway"} 5');
    expect(text).toContain('xinbox_test_seconds_count{node="n1",role="gateway"} 18');
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    const aggregate = async (r: Registry) => AggregatorRegistry.aggregate([await r.getMetricsAsJSON(), await r.getMetricsAsJSON()]).metrics();
    expect(await aggregate(ours)).toBe(await aggregate(theirs));
  });

  it('resets with the registry like prom-client\'s', async () => {
    const { theirs, ours, child, fast } = pair();
    child.observe(0.003);
    fast.observe(0.003);
    theirs.resetMetrics();
    ours.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
    child.observe(2);
    fast.observe(2);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('refuses a value that is not a finite number, as prom-client does, and counts nothing for it', async () => {
    const { ours, fast } = pair();
    expect(() => fast.observe(Number.NaN)).toThrow(TypeError);
    expect(() => fast.observe(Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect(await ours.metrics()).not.toContain('_count');
  });

  it('refuses buckets that do not ascend', () => {
    expect(() => new FixedLabelHistogram({ name: 'x', help: 'x', labels: {}, buckets: [1, 1], registers: [] })).toThrow(RangeError);
  });
});
