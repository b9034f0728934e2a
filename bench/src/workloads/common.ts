import { Errors, type Frame } from '@xinbox/protocol';
import type { BenchUser } from '../client/user-pool.js';
import type { ConnSpec } from '../load/messages.js';
import { sourceAddress } from '../loopback.js';
import { mergeEncoded, newLatencyHistogram, summarize, type LatencySummary } from '../metrics/histogram.js';
import type { WindowStats } from '../metrics/sampler.js';
import { nowMs, sleep, waitUntil } from '../time.js';
import type { TargetSession } from './types.js';

/** Steps shared by the messaging workloads: log in, connect, run one paced measurement. */

const CONNECT_CONCURRENCY = 100;
const CONNECT_TIMEOUT_MS = 15_000;

/** Log the users in with `deviceId` and connect one client each; returns their global connection indices. */
export async function connectUsers(s: TargetSession, users: readonly BenchUser[], deviceId: string): Promise<{ conns: number[]; failed: number; errors: Record<string, number>; ms: number }> {
  await s.pool.login(users, deviceId);
  const base = s.fleet.connectionCount;
  const urls = s.server.wsUrls;
  const tcp = s.opts.transport === 'tcp' ? s.server.tcpAddrs : undefined;
  if (s.opts.transport === 'tcp' && !tcp?.length) throw new Error(`--transport tcp: target ${s.server.name} has no TCP listener`);
  const specs: ConnSpec[] = users.map((u, k) => ({
    userId: u.userId,
    token: u.tokens.get(deviceId) ?? 'missing-token',
    url: urls[(base + k) % urls.length]!,
    localAddress: sourceAddress(base + k, s.sourceAddrs),
    deflate: s.opts.wsDeflate,
    ...(tcp ? { tcp: tcp[(base + k) % tcp.length]! } : {}),
  }));
  const out = await s.fleet.connect(specs, CONNECT_CONCURRENCY, CONNECT_TIMEOUT_MS);
  return { conns: specs.map((_, k) => base + k), failed: specs.length - out.okCount, errors: out.errors, ms: out.ms };
}

export function errorName(f: Frame | Error): string | undefined {
  if (f instanceof Error) return f.message;
  return f.body.case === 'error' ? f.body.value.name || String(f.body.value.code) : undefined;
}

export function isUnknownOperation(f: Frame | Error): boolean {
  return !(f instanceof Error) && f.body.case === 'error' && f.body.value.code === Errors.UNKNOWN_OPERATION.code;
}

export interface MeasureSpec {
  readonly ratePerSec: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly senders: readonly { conn: number; conversationId: string; senderIdx: number }[];
  /** Recipients per message (1 for direct chats, members - 1 for groups). */
  readonly fanout: number;
  readonly trackPerMessage: boolean;
}

export interface Measurement {
  readonly offeredPerSec: number;
  readonly durationS: number;
  readonly sent: number;
  readonly acked: number;
  readonly sendErrors: Record<string, number>;
  readonly unacked: number;
  readonly expected: number;
  readonly received: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly stale: number;
  /** False when the drain timed out: `lost` then counts messages still in flight at the cut-off. */
  readonly drained: boolean;
  readonly deliveredPerSec: number;
  readonly latency: LatencySummary;
  readonly ackLatency: LatencySummary;
  /** Slowest recipient per message (fan-out completion), when tracked. */
  readonly completion: LatencySummary | undefined;
  readonly server: WindowStats;
  readonly generator: { scheduleLagMaxMs: number; loopDelayMaxMs: number; loopDelayP99Ms: number; cpuPct: number; saturated: boolean };
}

/** One open-loop run: start all processes at a common time, wait, drain, collect and merge. */
export async function measure(s: TargetSession, spec: MeasureSpec): Promise<Measurement> {
  const runId = s.nextRunId();
  const durationMs = Math.round(spec.durationS * 1000);
  const startAt = nowMs() + 500;
  await s.fleet.startRun({
    runId, startAt, durationMs, warmupMs: Math.round(spec.warmupS * 1000), ratePerSec: spec.ratePerSec,
    senders: spec.senders, trackPerMessage: spec.trackPerMessage,
  });
  await sleep(startAt - nowMs());
  await s.sampler.sampleOnce();
  await sleep(startAt + durationMs - nowMs());
  await s.sampler.sampleOnce();
  const endAt = nowMs();
  const drained = await waitUntil(() => {
    const l = s.fleet.live(runId);
    // Only a snapshot taken after every process finished its schedule has final send counts; once all
    // sends are settled `acked` cannot grow, so received >= acked x fanout means everything arrived.
    return l.done && l.acked + l.failed >= l.sent && l.received >= l.acked * spec.fanout;
  }, s.opts.drainS * 1000, 100);
  const parts = await s.fleet.collect(runId);
  const sum = (f: (p: (typeof parts)[number]) => number): number => parts.reduce((n, p) => n + f(p), 0);
  const sendErrors: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.sendErrors)) sendErrors[k] = (sendErrors[k] ?? 0) + v;
  const latency = mergeEncoded(parts.map((p) => p.latency));
  const ackLatency = mergeEncoded(parts.map((p) => p.ackLatency));
  const completion = spec.trackPerMessage ? slowestPerMessage(parts.map((p) => p.perMessage)) : undefined;
  const acked = sum((p) => p.acked);
  const received = sum((p) => p.received);
  const expected = acked * spec.fanout;
  const server = s.sampler.window(startAt, endAt);
  const generator = {
    scheduleLagMaxMs: Math.max(...parts.map((p) => p.scheduleLagMaxMs)),
    loopDelayMaxMs: Math.max(...parts.map((p) => p.loopDelayMaxMs)),
    loopDelayP99Ms: Math.max(...parts.map((p) => p.loopDelayP99Ms)),
    cpuPct: server.loadCpuPct,
    saturated: server.loadCpuPct >= 95,
  };
  const m: Measurement = {
    offeredPerSec: spec.ratePerSec,
    durationS: spec.durationS,
    sent: sum((p) => p.sent),
    acked,
    sendErrors,
    unacked: sum((p) => p.unacked),
    expected,
    received,
    lost: Math.max(0, expected - received),
    duplicates: sum((p) => p.duplicates),
    stale: sum((p) => p.stale),
    drained,
    deliveredPerSec: Math.round(sum((p) => p.receivedInWindow) / spec.durationS),
    latency: summarize(latency),
    ackLatency: summarize(ackLatency),
    completion,
    server,
    generator,
  };
  latency.destroy();
  ackLatency.destroy();
  return m;
}

function slowestPerMessage(parts: readonly (readonly (readonly [number, number])[])[]): LatencySummary {
  const slowest = new Map<number, number>();
  for (const part of parts) for (const [k, us] of part) if ((slowest.get(k) ?? -1) < us) slowest.set(k, us);
  const h = newLatencyHistogram();
  for (const us of slowest.values()) h.recordValue(Math.max(1, us));
  const out = summarize(h);
  h.destroy();
  return out;
}

/**
 * An unrecorded run before the measured ones, so a freshly started server's
 * JIT warm-up and first-use allocations do not land in the first figures.
 */
export async function warmUp(s: TargetSession, spec: Omit<MeasureSpec, 'durationS' | 'warmupS'>): Promise<void> {
  const m = await measure(s, { ...spec, durationS: s.opts.quick ? 0.5 : 3, warmupS: 0 });
  s.log(`warm-up (not recorded): ${describeMeasurement(m)}`);
  await sleep(s.opts.quick ? 200 : 1000);
}

/** A run is good when nothing was lost and p99 stays under the limit. */
export function isGood(m: Measurement, p99LimitMs: number): boolean {
  return m.lost === 0 && m.unacked === 0 && Object.keys(m.sendErrors).length === 0 && m.latency.count > 0 && m.latency.p99Ms < p99LimitMs;
}

const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;

/** The metrics every messaging measurement reports, for tables and compare. */
export function measurementMetrics(m: Measurement, prefix = ''): Record<string, { value: number; unit: string; better: 'higher' | 'lower' | 'none'; noise?: number }> {
  return {
    [`${prefix}offeredPerSec`]: { value: m.offeredPerSec, unit: 'msg/s', better: 'none' },
    [`${prefix}deliveredPerSec`]: { value: m.deliveredPerSec, unit: 'msg/s', better: 'higher' },
    [`${prefix}p50Ms`]: { value: m.latency.p50Ms, unit: 'ms', better: 'lower', noise: 1 },
    [`${prefix}p99Ms`]: { value: m.latency.p99Ms, unit: 'ms', better: 'lower', noise: 2 },
    [`${prefix}p999Ms`]: { value: m.latency.p999Ms, unit: 'ms', better: 'lower', noise: 5 },
    // lost: acked but never delivered (must be 0); unacked: no ack by the cut-off; refused: answered with an Error.
    [`${prefix}lost`]: { value: m.lost, unit: 'msgs', better: 'lower', noise: 0 },
    [`${prefix}unacked`]: { value: m.unacked, unit: 'msgs', better: 'lower', noise: 0 },
    [`${prefix}refused`]: { value: Object.values(m.sendErrors).reduce((a, n) => a + n, 0), unit: 'msgs', better: 'lower', noise: 0 },
    [`${prefix}serverCpuPct`]: { value: m.server.serverCpuPct, unit: '%', better: 'lower', noise: 3 },
    [`${prefix}serverRssMb`]: { value: mb(m.server.serverRssMaxBytes), unit: 'MB', better: 'lower', noise: 5 },
    [`${prefix}loadCpuPct`]: { value: m.generator.cpuPct, unit: '%', better: 'none' },
    [`${prefix}foreignCpuPct`]: { value: m.server.foreignCpuPct, unit: '%', better: 'none' },
    [`${prefix}serverRunWaitPct`]: { value: m.server.serverRunWaitPct, unit: '%', better: 'none' },
    // Event-loop delay of the thread serving sockets (-1: the target does not report it): worst 1-s p99, longest stall.
    [`${prefix}loopDelayP99Ms`]: { value: m.server.serverLoopDelayP99Ms ?? -1, unit: 'ms', better: 'lower', noise: 2 },
    [`${prefix}loopDelayMaxMs`]: { value: m.server.serverLoopDelayMaxMs ?? -1, unit: 'ms', better: 'lower', noise: 5 },
    // Minor GCs of the server's main thread per 10,000 delivered messages: how much the hot path allocates.
    [`${prefix}gcMinorPer10k`]: { value: per10k(m.server.serverGcMinor, m), unit: 'GCs', better: 'lower', noise: 0.5 },
    [`${prefix}gcPauseMsPer10k`]: { value: per10k(m.server.serverGcPauseMs, m), unit: 'ms', better: 'lower', noise: 1 },
  };
}

function per10k(count: number | undefined, m: Measurement): number {
  const delivered = m.deliveredPerSec * m.durationS;
  return count === undefined || delivered <= 0 ? -1 : Math.round((count / delivered) * 10_000 * 100) / 100;
}

/** Warnings that make a figure less trustworthy: a saturated client, other work on the machine. */
export function measurementNotes(m: Measurement, label = ''): string[] {
  const out: string[] = [];
  if (!m.drained) out.push(`${label}did not drain in time: ${m.lost} acked messages undelivered and ${m.unacked} sends unacked at the cut-off (overloaded: late, not necessarily lost)`);
  if (m.generator.saturated) out.push(`${label}load generator CPU ${m.generator.cpuPct}%: figures may be client-bound`);
  if (m.server.foreignCpuPct > 10) out.push(`${label}other processes used ${m.server.foreignCpuPct}% CPU during the run: figures are noisy`);
  if (m.server.serverRunWaitPct > 5) out.push(`${label}the server waited for its CPU ${m.server.serverRunWaitPct}% of the time (taken by other processes): latency and throughput are understated`);
  return out;
}

export function describeMeasurement(m: Measurement): string {
  return `offered ${m.offeredPerSec}/s delivered ${m.deliveredPerSec}/s p50 ${m.latency.p50Ms} ms p99 ${m.latency.p99Ms} ms p999 ${m.latency.p999Ms} ms lost ${m.lost} unacked ${m.unacked} errors ${JSON.stringify(m.sendErrors)} server cpu ${m.server.serverCpuPct}% load cpu ${m.generator.cpuPct}% foreign cpu ${m.server.foreignCpuPct}% server run-wait ${m.server.serverRunWaitPct}% loop delay p99 ${m.server.serverLoopDelayP99Ms ?? '-'} ms max ${m.server.serverLoopDelayMaxMs ?? '-'} ms gc minor/10k ${per10k(m.server.serverGcMinor, m)}`;
}
