import type { RoomLiveStats, RoomRunResult } from '../load/messages.js';
import { mergeEncoded, summarize, type LatencySummary } from '../metrics/histogram.js';
import type { WindowStats } from '../metrics/sampler.js';
import { nowMs, sleep } from '../time.js';
import type { W4Config } from './w4-config.js';
import { assignSenders, buildSchedule, type SenderRoles } from './w4-plan.js';
import type { RoomSetup } from './w4-setup.js';
import type { TargetSession } from './types.js';
import { adminHeaders } from '../servers/admin-token.js';

/**
 * One W4 run: start every load process on the same schedule, wait out the
 * send window, drain, collect and merge. Deliveries are counted per
 * connection, so a RoomPush frame with k messages counts k deliveries.
 *
 * Drained means: every send answered, every connection has every acked
 * reliable message, and the ordinary deliveries reached what the server
 * accepted minus what it reports as thinned (rooms.ordinaryDropped in
 * /v1/metrics); without those counters, no change for a second. A backlog
 * (a saturated generator can take many seconds to read a burst sent to
 * every connection) is waited for as long as deliveries keep arriving:
 * until nothing arrived for --drain seconds, at most DRAIN_CAP_S.
 */

export interface RoomPhaseMeasurement {
  readonly durationS: number;
  /** Ordinary messages offered to the room per second (sends scheduled in the phase). */
  readonly offeredPerSec: number;
  readonly ordinarySent: number;
  readonly ordinaryAcked: number;
  /** Acked ordinary messages x audience. */
  readonly ordinaryOffered: number;
  readonly ordinaryDelivered: number;
  readonly deliveredPct: number;
  /** Deliveries (both classes) that arrived within the phase, per second. */
  readonly deliveredPerSec: number;
  readonly latency: LatencySummary;
  readonly server: WindowStats;
}

export interface RoomMeasurement {
  readonly runId: number;
  readonly audience: number;
  /** Joined connections still open at the end (reliable completeness is checked on these). */
  readonly openAtEnd: number;
  readonly bursts: number;
  readonly roles: { steady: number; burst: number; gift: number; shared: boolean };
  readonly phases: Record<string, RoomPhaseMeasurement>;
  readonly sent: number;
  readonly acked: number;
  readonly sendErrors: Record<string, number>;
  readonly unacked: number;
  readonly ordinary: { offered: number; delivered: number; missing: number; perConnMin: number; perConnMax: number };
  readonly reliable: {
    readonly sent: number;
    readonly acked: number;
    readonly expected: number;
    readonly received: number;
    readonly lost: number;
    readonly connsMissing: number;
    readonly duplicates: number;
    readonly perConn: Record<string, number>;
    readonly latency: LatencySummary;
    readonly ackLatency: LatencySummary;
  };
  readonly stale: number;
  readonly roomEvents: number;
  readonly drained: boolean;
  readonly drainMs: number;
  /** Server room counters over the run (deltas); undefined when /v1/metrics has no `rooms`. */
  readonly serverRooms: Record<string, number> | undefined;
  readonly server: WindowStats;
  readonly generator: { scheduleLagMaxMs: number; loopDelayMaxMs: number; loopDelayP99Ms: number; cpuPct: number; saturated: boolean };
}

const DRAIN_CAP_S = { quick: 5, full: 60 };

/** Room counters summed over the server processes (each gateway counts what it admitted, thinned and stored). */
export async function serverRoomStats(s: TargetSession): Promise<Record<string, number> | undefined> {
  const bodies = await Promise.all(s.server.httpBases.map(async (base) => {
    try {
      const res = await fetch(`${base}/v1/metrics`, { signal: AbortSignal.timeout(5000), headers: adminHeaders() });
      return res.ok ? ((await res.json()) as { rooms?: Record<string, unknown> | null }) : undefined;
    } catch {
      return undefined;
    }
  }));
  let out: Record<string, number> | undefined;
  for (const body of bodies) {
    if (!body?.rooms || typeof body.rooms !== 'object') continue;
    out ??= {};
    for (const [k, v] of Object.entries(body.rooms)) if (typeof v === 'number') out[k] = (out[k] ?? 0) + v;
  }
  return out;
}

function delta(after: Record<string, number> | undefined, before: Record<string, number> | undefined): Record<string, number> | undefined {
  if (!after) return undefined;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) out[k] = v - (before?.[k] ?? 0);
  return out;
}

export async function measureRoom(s: TargetSession, cfg: W4Config, setup: RoomSetup, steadyS: number, burstS: number, warmupS: number): Promise<RoomMeasurement> {
  const roles: SenderRoles = assignSenders(cfg, setup.conns);
  const runId = s.nextRunId();
  // Time for the schedule to reach every load process before the first send is due.
  const startAt = nowMs() + (s.opts.quick ? 300 : 1000);
  const plan = buildSchedule(cfg, roles, startAt, steadyS, burstS);
  const audience = setup.conns.length;
  const roomsBefore = await serverRoomStats(s);
  await s.fleet.startRoomRun({ runId, roomId: setup.roomId, startAt, warmupMs: Math.round(warmupS * 1000), phases: plan.phases, sends: plan.sends });
  await sleep(startAt - nowMs());
  await s.sampler.sampleOnce();
  for (const p of plan.phases) {
    await sleep(p.to - nowMs());
    await s.sampler.sampleOnce();
  }
  const endAt = nowMs();

  let drained = false;
  let lastTotal = -1;
  let stableSince = nowMs();
  const drainFrom = nowMs();
  const capMs = Math.max(cfg.drainS, s.opts.quick ? DRAIN_CAP_S.quick : DRAIN_CAP_S.full) * 1000;
  while (nowMs() - drainFrom < capMs && nowMs() - stableSince < cfg.drainS * 1000) {
    // A load process busy reading a backlog may answer late: try again.
    const live = await s.fleet.roomLive(runId).catch(() => undefined);
    if (!live) {
      stableSince = nowMs(); // busy reading is progress
      continue;
    }
    const sum = (f: (l: RoomLiveStats) => number): number => live.reduce((n, l) => n + f(l), 0);
    const rooms = delta(await serverRoomStats(s), roomsBefore);
    const repliesIn = sum((l) => l.acked + l.failed) >= sum((l) => l.sent);
    const reliableIn = sum((l) => l.reliableReceived) >= sum((l) => l.reliableAcked) * audience;
    const ordinaryAcked = sum((l) => l.acked - l.reliableAcked);
    const total = sum((l) => l.ordinaryReceived + l.reliableReceived);
    if (total !== lastTotal) {
      lastTotal = total;
      stableSince = nowMs();
    }
    const ordinaryIn = rooms && rooms.ordinaryDropped !== undefined
      ? sum((l) => l.ordinaryReceived) >= (ordinaryAcked - rooms.ordinaryDropped) * audience
      : nowMs() - stableSince >= 1000;
    if (repliesIn && reliableIn && ordinaryIn) {
      drained = true;
      break;
    }
    await sleep(200);
  }
  const drainMs = Math.round(nowMs() - drainFrom);
  const parts: RoomRunResult[] = await s.fleet.collectRoomRun(runId);
  const serverRooms = delta(await serverRoomStats(s), roomsBefore);
  return summarizeRun(s, { runId, audience, bursts: plan.bursts, roles, parts, startAt, endAt, drained, drainMs, serverRooms, phases: plan.phases });
}

interface Collected {
  readonly runId: number;
  readonly audience: number;
  readonly bursts: number;
  readonly roles: SenderRoles;
  readonly parts: readonly RoomRunResult[];
  readonly startAt: number;
  readonly endAt: number;
  readonly drained: boolean;
  readonly drainMs: number;
  readonly serverRooms: Record<string, number> | undefined;
  readonly phases: readonly { name: string; from: number; to: number }[];
}

function summarizeRun(s: TargetSession, c: Collected): RoomMeasurement {
  const { parts, audience } = c;
  const sum = (f: (p: RoomRunResult) => number): number => parts.reduce((n, p) => n + f(p), 0);
  const sendErrors: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.sendErrors)) sendErrors[k] = (sendErrors[k] ?? 0) + v;
  const phases: Record<string, RoomPhaseMeasurement> = {};
  for (const ph of c.phases) {
    const own = parts.map((p) => p.phases[ph.name]!).filter(Boolean);
    const psum = (f: (x: (typeof own)[number]) => number): number => own.reduce((n, x) => n + f(x), 0);
    const durationS = (ph.to - ph.from) / 1000;
    const hist = mergeEncoded(own.map((x) => x.latency));
    const ordinaryAcked = psum((x) => x.ordinaryAcked);
    const ordinaryDelivered = psum((x) => x.ordinaryReceived);
    phases[ph.name] = {
      durationS,
      offeredPerSec: Math.round((psum((x) => x.ordinarySent) / durationS) * 10) / 10,
      ordinarySent: psum((x) => x.ordinarySent),
      ordinaryAcked,
      ordinaryOffered: ordinaryAcked * audience,
      ordinaryDelivered,
      deliveredPct: ordinaryAcked > 0 ? Math.round((ordinaryDelivered / (ordinaryAcked * audience)) * 10000) / 100 : 0,
      deliveredPerSec: Math.round(psum((x) => x.arrivedInWindow) / durationS),
      latency: summarize(hist),
      server: s.sampler.window(ph.from, ph.to),
    };
    hist.destroy();
  }
  const relLatency = mergeEncoded(parts.map((p) => p.reliableLatency));
  const relAck = mergeEncoded(parts.map((p) => p.reliableAckLatency));
  const reliableAcked = sum((p) => p.reliableAcked);
  const reliableSent = sum((p) => Object.values(p.phases).reduce((n, x) => n + x.reliableSent, 0));
  const perConn: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.reliablePerConn)) perConn[k] = (perConn[k] ?? 0) + v;
  const connsMissing = Object.entries(perConn).filter(([k]) => Number(k) < reliableAcked).reduce((n, [, v]) => n + v, 0);
  const openAtEnd = sum((p) => p.joined);
  // Reliable completeness over the connections still open: each must hold every acked reliable message.
  const reliableHeld = Object.entries(perConn).reduce((n, [k, v]) => n + Math.min(Number(k), reliableAcked) * v, 0);
  const reliableReceived = sum((p) => p.reliableReceived);
  const ordinaryOffered = (sum((p) => p.acked) - reliableAcked) * audience;
  const ordinaryDelivered = sum((p) => p.ordinaryReceived);
  const server = s.sampler.window(c.startAt, c.endAt);
  const m: RoomMeasurement = {
    runId: c.runId,
    audience,
    openAtEnd,
    bursts: c.bursts,
    roles: { steady: c.roles.steady.length, burst: c.roles.burst.length, gift: c.roles.gift.length, shared: c.roles.shared },
    phases,
    sent: sum((p) => p.sent),
    acked: sum((p) => p.acked),
    sendErrors,
    unacked: sum((p) => p.unacked),
    ordinary: {
      offered: ordinaryOffered,
      delivered: ordinaryDelivered,
      missing: Math.max(0, ordinaryOffered - ordinaryDelivered),
      perConnMin: openAtEnd > 0 ? Math.min(...parts.filter((p) => p.joined > 0).map((p) => p.ordinaryPerConnMin)) : 0,
      perConnMax: Math.max(0, ...parts.map((p) => p.ordinaryPerConnMax)),
    },
    reliable: {
      sent: reliableSent,
      acked: reliableAcked,
      expected: reliableAcked * openAtEnd,
      received: reliableReceived,
      lost: Math.max(0, reliableAcked * openAtEnd - reliableHeld),
      connsMissing,
      duplicates: sum((p) => p.reliableDuplicates),
      perConn,
      latency: summarize(relLatency),
      ackLatency: summarize(relAck),
    },
    stale: sum((p) => p.stale),
    roomEvents: sum((p) => p.roomEvents),
    drained: c.drained,
    drainMs: c.drainMs,
    serverRooms: c.serverRooms,
    server,
    generator: {
      scheduleLagMaxMs: Math.max(0, ...parts.map((p) => p.scheduleLagMaxMs)),
      loopDelayMaxMs: Math.max(0, ...parts.map((p) => p.loopDelayMaxMs)),
      loopDelayP99Ms: Math.max(0, ...parts.map((p) => p.loopDelayP99Ms)),
      cpuPct: server.loadCpuPct,
      saturated: server.loadCpuPct >= 95,
    },
  };
  relLatency.destroy();
  relAck.destroy();
  return m;
}

export function describeRoom(m: RoomMeasurement): string {
  const ph = Object.entries(m.phases).map(([n, p]) => `${n}: offered ${p.offeredPerSec}/s delivered ${p.deliveredPerSec}/s (${p.deliveredPct}% of ordinary) p50 ${p.latency.p50Ms} p99 ${p.latency.p99Ms} ms`).join('; ');
  return `audience ${m.audience} (open at end ${m.openAtEnd}); ${ph}; reliable ${m.reliable.received}/${m.reliable.expected} (lost ${m.reliable.lost}, conns missing ${m.reliable.connsMissing}, p99 ${m.reliable.latency.p99Ms} ms); ordinary missing ${m.ordinary.missing}, server dropped ${m.serverRooms?.ordinaryDropped ?? 'n/a'}; errors ${JSON.stringify(m.sendErrors)} unacked ${m.unacked}; server cpu ${m.server.serverCpuPct}% load cpu ${m.generator.cpuPct}% drained ${m.drained} in ${m.drainMs} ms`;
}
