import type { W4Config } from './w4-config.js';
import type { RoomMeasurement } from './w4-measure.js';
import type { RoomSetup } from './w4-setup.js';
import type { Metric, TargetSession } from './types.js';

/** W4 figures for the tables and `compare`, and the notes that qualify them. */

const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;

export function roomMetrics(m: RoomMeasurement, setup: RoomSetup): Record<string, Metric> {
  const out: Record<string, Metric> = {
    audience: { value: m.audience, unit: 'conns', better: 'higher' },
    closedDuringRun: { value: m.audience - m.openAtEnd, unit: 'conns', better: 'lower', noise: 0 },
    joinsPerSec: { value: setup.joinMs > 0 ? Math.round((m.audience / setup.joinMs) * 10000) / 10 : 0, unit: '/s', better: 'higher' },
  };
  for (const [name, p] of Object.entries(m.phases)) {
    out[`${name}.offeredPerSec`] = { value: p.offeredPerSec, unit: 'msg/s', better: 'none' };
    out[`${name}.deliveredPerSec`] = { value: p.deliveredPerSec, unit: 'deliveries/s', better: 'higher' };
    out[`${name}.p50Ms`] = { value: p.latency.p50Ms, unit: 'ms', better: 'lower', noise: 2 };
    out[`${name}.p99Ms`] = { value: p.latency.p99Ms, unit: 'ms', better: 'lower', noise: 5 };
    out[`${name}.p999Ms`] = { value: p.latency.p999Ms, unit: 'ms', better: 'lower', noise: 10 };
    out[`${name}.ordinaryDeliveredPct`] = { value: p.deliveredPct, unit: '%', better: 'none' };
    out[`${name}.serverCpuPct`] = { value: p.server.serverCpuPct, unit: '%', better: 'lower', noise: 3 };
    // Server cost per delivery: comparable across targets even when the load generator is the bottleneck.
    out[`${name}.serverCpuUsPerDelivery`] = {
      value: p.deliveredPerSec > 0 ? Math.round((p.server.serverCpuPct * 1e4 / p.deliveredPerSec) * 100) / 100 : 0, unit: 'us', better: 'lower', noise: 0.2,
    };
  }
  const rooms = m.serverRooms;
  Object.assign(out, {
    ordinaryOffered: { value: m.ordinary.offered, unit: 'deliveries', better: 'none' },
    ordinaryDelivered: { value: m.ordinary.delivered, unit: 'deliveries', better: 'none' },
    ordinaryMissing: { value: m.ordinary.missing, unit: 'deliveries', better: 'none' },
    serverOrdinaryDropped: { value: rooms?.ordinaryDropped ?? -1, unit: 'msgs', better: 'none' },
    reliableSent: { value: m.reliable.sent, unit: 'msgs', better: 'none' },
    reliableLost: { value: m.reliable.lost, unit: 'deliveries', better: 'lower', noise: 0 },
    reliableConnsMissing: { value: m.reliable.connsMissing, unit: 'conns', better: 'lower', noise: 0 },
    reliableP99Ms: { value: m.reliable.latency.p99Ms, unit: 'ms', better: 'lower', noise: 5 },
    reliableAckP99Ms: { value: m.reliable.ackLatency.p99Ms, unit: 'ms', better: 'lower', noise: 5 },
    sendErrors: { value: Object.values(m.sendErrors).reduce((a, b) => a + b, 0) + m.unacked, unit: 'msgs', better: 'lower', noise: 0 },
    rssPerConnKb: { value: m.audience > 0 ? Math.round(((setup.rssJoinedBytes - setup.rssBeforeBytes) / m.audience / 1024) * 100) / 100 : 0, unit: 'KB', better: 'lower', noise: 1 },
    serverRssMb: { value: mb(m.server.serverRssMaxBytes), unit: 'MB', better: 'lower', noise: 5 },
    serverCpuPct: { value: m.server.serverCpuPct, unit: '%', better: 'lower', noise: 3 },
    loadCpuPct: { value: m.generator.cpuPct, unit: '%', better: 'none' },
    foreignCpuPct: { value: m.server.foreignCpuPct, unit: '%', better: 'none' },
    serverRunWaitPct: { value: m.server.serverRunWaitPct, unit: '%', better: 'none' },
  } satisfies Record<string, Metric>);
  return out;
}

export function roomNotes(s: TargetSession, cfg: W4Config, m: RoomMeasurement, setup: RoomSetup): string[] {
  const notes: string[] = [];
  if (m.audience < cfg.conns) {
    notes.push(`audience ${m.audience} of ${cfg.conns} planned: ${setup.connectFailed} connects failed ${JSON.stringify(setup.connectErrors)}, join errors ${JSON.stringify(setup.joinErrors)}`);
  }
  if (s.server.wsUrls.length === 1 && !s.opts.quick) {
    notes.push(`one server process: the audience is bounded by its 20k open files (~${cfg.connsPerGateway} connections); --gateways N runs N processes per target (a Xinbox cluster on PostgreSQL + Redis, linked relays)`);
  }
  if (m.openAtEnd < m.audience) notes.push(`${m.audience - m.openAtEnd} connections closed during the run (slow consumers are disconnected by Xinbox)`);
  if (m.reliable.lost > 0) notes.push(`RELIABLE LOSS: ${m.reliable.lost} deliveries missing on ${m.reliable.connsMissing} connections (per-connection counts ${JSON.stringify(m.reliable.perConn)})`);
  if (!m.drained) notes.push(`did not drain: deliveries stopped arriving for ${cfg.drainS} s or the cap was reached after ${Math.round(m.drainMs / 100) / 10} s; what had not arrived is counted as missing`);
  else if (m.drainMs > cfg.drainS * 1000) notes.push(`the backlog took ${Math.round(m.drainMs / 100) / 10} s after the send window to arrive (late, not lost; the latency figures include it)`);
  const errs = Object.keys(m.sendErrors).length;
  if (errs > 0 || m.unacked > 0) notes.push(`send errors ${JSON.stringify(m.sendErrors)}, unanswered ${m.unacked}`);
  if (m.roles.shared) notes.push('fewer connections than sender slots: some users send for two roles and may hit the per-user rate limit');
  const dropped = m.serverRooms?.ordinaryDropped;
  if (dropped !== undefined && m.audience > 0) {
    const unexplained = m.ordinary.missing - dropped * m.audience;
    notes.push(`ordinary: ${m.ordinary.delivered} of ${m.ordinary.offered} offered deliveries arrived; the server thinned ${dropped} messages (${dropped * m.audience} deliveries)${unexplained !== 0 ? `, ${unexplained} deliveries missing beyond that` : ''}`);
  } else {
    notes.push(`ordinary: ${m.ordinary.delivered} of ${m.ordinary.offered} offered deliveries arrived; the server reports no room counters`);
  }
  if (m.generator.saturated) notes.push(`load generator CPU ${m.generator.cpuPct}%: figures may be client-bound`);
  if (m.generator.loopDelayMaxMs > 1000) {
    notes.push(`the load processes' event loop stalled up to ${Math.round(m.generator.loopDelayMaxMs / 100) / 10} s reading what arrived (one core reads every connection): latency and deliveries/s are client-bound`);
  }
  if ((m.sendErrors.RATE_LIMITED ?? 0) > 0 && m.generator.scheduleLagMaxMs > 1000) {
    notes.push(`RATE_LIMITED: the generator fell up to ${Math.round(m.generator.scheduleLagMaxMs / 100) / 10} s behind its schedule and then sent the overdue messages of a sender together, above Xinbox's per-user burst (a client-side artifact of the stall)`);
  }
  if (m.server.foreignCpuPct > 10) notes.push(`other processes used ${m.server.foreignCpuPct}% CPU during the run: figures are noisy`);
  if (m.server.serverRunWaitPct > 5) notes.push(`the server waited for its CPU ${m.server.serverRunWaitPct}% of the time (taken by other processes)`);
  return notes;
}
