import { adminHeaders } from '../servers/admin-token.js';
import { sleep } from '../time.js';
import { describeMeasurement, measure, measurementMetrics, measurementNotes, warmUp, type Measurement } from './common.js';
import { setupPairs, type PairSetup } from './pairs.js';
import { failed, skipped, type Metric, type TargetOutcome, type TargetSession, type Workload } from './types.js';

interface SinkWindow { events: number; firstAt: number; lastAt: number; lagSumMs: number; lagMaxMs: number }
interface SinkStats { events: number; badSignatures: number; refused: number; window: SinkWindow }
interface WebhookCounters { emitted?: number; delivered?: number; buffered?: number; dropped?: number; failedAttempts?: number }

/** How long the outbox may take to drain after the load stops before the run reports what it has. */
const DRAIN_LIMIT_MS = 30_000;

/**
 * Webhook delivery throughput, end to end, in two phases of W1 traffic with
 * every message subscribed as `message.sent` (events go through the durable
 * outbox and the dispatcher to the sink, a separate process on the load CPU
 * that verifies every signature and parses every batch):
 * - live: the receiver is up; does delivery keep up with the offered rate,
 *   and with what lag (receipt - event time)?
 * - backlog: the receiver is down (503) while the same traffic is sent, then
 *   comes back: events/s while the outbox drains is the delivery capacity,
 *   not bounded by the send rate.
 */
export const webhookThroughput: Workload = {
  id: 'webhooks',
  title: 'Webhook delivery throughput (message.sent, signed, verified by the receiver)',
  description:
    'W1 pairs at the offered rate with webhooks on for message.sent, in two phases. live: every acked message becomes an ' +
    'event delivered in signed batches to a receiver process that verifies each signature and parses each batch; ' +
    'live_eventsPerSec = events received / (first to last receipt), lag = receipt - event time. backlog: the receiver ' +
    'answers 503 while the same load runs, then recovers; backlog_eventsPerSec = the backlog / time to drain it ' +
    '(the delivery capacity). Missing events and bad signatures must be 0.',
  headline: 'backlog_eventsPerSec',
  sink: { webhooks: true },
  // Retries capped at 250 ms so the recovered receiver is noticed at once (the default backoff would dominate the drain).
  serverEnv: () => ({ XINBOX_WEBHOOK_EVENTS: 'message.sent', XINBOX_WEBHOOK_RETRY_BASE_MS: '100', XINBOX_WEBHOOK_RETRY_MAX_MS: '250' }),
  config: (o) => ({ ...o.w1, warmupS: o.warmupS }),
  async run(s: TargetSession): Promise<TargetOutcome> {
    if (s.name !== 'xinbox') return skipped('webhooks are a Xinbox feature');
    const sinkUrl = s.sinkStatsUrl;
    if (!sinkUrl) return skipped('needs the bench\'s own server and sink (not --external)');
    const cfg = s.opts.w1;
    const setup = await setupPairs(s, cfg.users, cfg.senders);
    if ('status' in setup) return setup;
    await warmUp(s, { ratePerSec: Math.round(cfg.rate / 4), senders: setup.senders, fanout: 1, trackPerMessage: false });
    if (!(await drained(s, DRAIN_LIMIT_MS))) return failed('the warm-up\'s webhooks did not drain');

    const live = await phase(s, setup, sinkUrl, false);
    const backlog = await phase(s, setup, sinkUrl, true);
    const notes = [...measurementNotes(live.m, 'live '), ...measurementNotes(backlog.m, 'backlog '), ...live.notes, ...backlog.notes];
    return {
      status: 'ok',
      metrics: { ...live.metrics, ...backlog.metrics, ...measurementMetrics(live.m, 'w1_') },
      detail: { live: live.detail, backlog: backlog.detail },
      notes,
    };
  },
};

async function phase(s: TargetSession, setup: PairSetup, sinkUrl: string, receiverDown: boolean):
  Promise<{ m: Measurement; metrics: Record<string, Metric>; notes: string[]; detail: unknown }> {
  const cfg = s.opts.w1;
  const name = receiverDown ? 'backlog' : 'live';
  const before = await serverCounters(s);
  await sink(sinkUrl, receiverDown ? 'reset=1&pause=1' : 'reset=1');
  const m = await measure(s, { ratePerSec: cfg.rate, durationS: cfg.durationS, warmupS: s.opts.warmupS, senders: setup.senders, fanout: 1, trackPerMessage: false });
  const loadEnd = Date.now();
  if (receiverDown) await sink(sinkUrl, 'reset=1&resume=1');
  const resumedAt = Date.now();
  const isDrained = await drained(s, DRAIN_LIMIT_MS);
  const drainS = (Date.now() - loadEnd) / 1000;
  const after = await serverCounters(s);
  const stats = await sink(sinkUrl, '');
  const w = stats.window;
  const emitted = (after.emitted ?? 0) - (before.emitted ?? 0);
  const spanS = Math.max(0.001, (w.lastAt - (receiverDown ? resumedAt : w.firstAt)) / 1000);
  s.log(`${name}: ${describeMeasurement(m)}; webhooks: ${w.events} events received of ${emitted} emitted in ${spanS.toFixed(2)} s, drained ${drainS.toFixed(1)} s after the load`);
  const notes: string[] = [];
  if (!isDrained) notes.push(`${name}: the outbox had not drained ${DRAIN_LIMIT_MS / 1000} s after the load stopped`);
  if (stats.badSignatures > 0) notes.push(`${stats.badSignatures} requests failed signature verification`);
  const metrics: Record<string, Metric> = {
    [`${name}_eventsPerSec`]: { value: Math.round(w.events / spanS), unit: 'events/s', better: 'higher' },
    [`${name}_eventsReceived`]: { value: w.events, unit: 'events', better: 'none' },
    [`${name}_eventsMissing`]: { value: Math.max(0, emitted - w.events), unit: 'events', better: 'lower' },
    [`${name}_drainS`]: { value: Math.round(drainS * 10) / 10, unit: 's', better: 'lower', noise: 0.5 },
    [`${name}_lagMeanMs`]: { value: w.events ? Math.round(w.lagSumMs / w.events) : -1, unit: 'ms', better: 'lower', noise: 5 },
    [`${name}_lagMaxMs`]: { value: w.lagMaxMs, unit: 'ms', better: 'lower', noise: 10 },
    [`${name}_failedAttempts`]: { value: (after.failedAttempts ?? 0) - (before.failedAttempts ?? 0), unit: 'attempts', better: 'none' },
    badSignatures: { value: stats.badSignatures, unit: 'requests', better: 'lower' },
  };
  return { m, metrics, notes, detail: { measurement: m, sink: stats, before, after } };
}

async function serverCounters(s: TargetSession): Promise<WebhookCounters> {
  const res = await fetch(`${s.server.httpBase}/v1/metrics`, { headers: adminHeaders() });
  return ((await res.json()) as { webhooks?: WebhookCounters }).webhooks ?? {};
}

async function sink(url: string, query: string): Promise<SinkStats> {
  return (await (await fetch(query ? `${url}?${query}` : url)).json()) as SinkStats;
}

/** Waits until every emitted event was delivered (or `limitMs` passed). */
async function drained(s: TargetSession, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const c = await serverCounters(s);
    if ((c.buffered ?? 0) === 0 && (c.delivered ?? 0) >= (c.emitted ?? 0) - (c.dropped ?? 0)) return true;
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}
