import type { Registry } from 'prom-client';

export interface FixedLabelHistogramConfig {
  readonly name: string;
  readonly help: string;
  /** Upper bounds, ascending (the +Inf bucket is implied). */
  readonly buckets: readonly number[];
  /** The one label set every observation carries. */
  readonly labels: Readonly<Record<string, string>>;
  readonly registers: readonly Registry[];
}

interface Sample {
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string>;
  value: number;
  metricName: string;
  exemplar?: null;
}

/**
 * A Prometheus histogram with one fixed label set, for events observed per
 * message. prom-client's Histogram (even a `labels(...)` child) validates and
 * hashes the label set and looks the series up by that string on every
 * observation, and converts the bucket bound to a property name (≈ 2 % of the
 * event loop at W1 8,000/s; docs/benchmarks.md). Here an observation is a
 * bucket search and three additions into typed counters.
 *
 * It registers with prom-client's Registry as a metric of its own and reports
 * the same series prom-client's Histogram would for the same observations
 * (name, help, `_bucket{le=...}` cumulative counts, `_sum`, `_count`, the
 * `sum` aggregator for AggregatorRegistry): test/metrics compares the text.
 */
export class FixedLabelHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly bounds: Float64Array;
  /** Per bucket, not cumulative; the last slot counts values above every bound (+Inf). */
  private counts: Float64Array;
  private sum = 0;
  private count = 0;
  private readonly labelSet: Readonly<Record<string, string>>;

  constructor(config: FixedLabelHistogramConfig) {
    this.name = config.name;
    this.help = config.help;
    this.bounds = Float64Array.from(config.buckets);
    for (let i = 1; i < this.bounds.length; i++) {
      if (!(this.bounds[i]! > this.bounds[i - 1]!)) throw new RangeError(`${config.name}: buckets must ascend`);
    }
    this.counts = new Float64Array(this.bounds.length + 1);
    this.labelSet = { ...config.labels };
    for (const r of config.registers) r.registerMetric(this as never);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }

  reset(): void {
    this.counts = new Float64Array(this.bounds.length + 1);
    this.sum = 0;
    this.count = 0;
  }

  /** What the Registry formats as text (the shape prom-client's Histogram gives it). */
  getForPromString(): Promise<{ name: string; help: string; type: string; values: Sample[]; aggregator: string }> {
    const shared = this.labelSet as Record<string, string>;
    const bucket = `${this.name}_bucket`;
    const values: Sample[] = [];
    // Like prom-client's: a series appears with its first observation.
    if (this.count === 0) return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
    let acc = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      acc += this.counts[i]!;
      values.push({ labels: { le: this.bounds[i]! }, sharedLabels: shared, value: acc, metricName: bucket, exemplar: null });
    }
    values.push(
      { labels: { le: '+Inf' }, sharedLabels: shared, value: this.count, metricName: bucket, exemplar: null },
      { labels: {}, sharedLabels: shared, value: this.sum, metricName: `${this.name}_sum` },
      { labels: {}, sharedLabels: shared, value: this.count, metricName: `${this.name}_count` },
    );
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }

  /** The JSON form (Registry.getMetricsAsJSON, AggregatorRegistry): the fixed labels merged into each value's. */
  async get(): Promise<{ name: string; help: string; type: string; values: Omit<Sample, 'sharedLabels'>[]; aggregator: string }> {
    const data = await this.getForPromString();
    return {
      ...data,
      values: data.values.map(({ sharedLabels, labels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } })),
    };
  }
}
