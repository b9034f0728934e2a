import { adminHeaders } from '../servers/admin-token.js';
import { nowMs, sleep } from '../time.js';
import { connectUsers, describeMeasurement, errorName, measure, measurementNotes, warmUp, type Measurement } from './common.js';
import { failed, skipped, type Metric, type TargetOutcome, type TargetSession, type Workload } from './types.js';

interface PushWindow { notifications: number; messages: number; firstAt: number; lastAt: number; stamped: number; p50Ms: number; p99Ms: number; maxMs: number }
interface PushSinkStats { apns: number; fcm: number; unstamped: number; window: PushWindow }

type Sender = { conn: number; conversationId: string; senderIdx: number };

/** Alternations of the two phases (push, plain, push, plain ...). */
const ROUNDS = 2;
/** At most this long after a push phase's sends stopped for its notifications to be sent. */
const SETTLE_LIMIT_MS = 60_000;

/**
 * The cost of offline push notifications (issue 16). Pairs as in W1, but
 * the receivers are never connected (offline): in half of the pairs the
 * receiver registered a push token (alternately APNs and FCM, pointing at
 * the test suite's stand-ins in a process on the load CPU, bench/src/servers/push-sink.ts),
 * in the other half it has none. Two phases alternate on one server, ROUNDS
 * times each: push (the senders of token-holding receivers send) and plain
 * (the others send; the server stores and finds no token). Coalescing is
 * off (XINBOX_NOTIFY_COALESCE_MS=0): only messages to one user committed in
 * the same batch share a notification (`<n> new messages`), so nearly every
 * message is one: the worst case, and the cost per notification.
 */
export const pushCost: Workload = {
  id: 'push-cost',
  title: 'Offline push notifications: throughput, server CPU per message with and without push, latency',
  description:
    'W1-style pairs whose receivers are offline; half of them registered an APNs or FCM token (local stand-ins of the ' +
    'providers that verify the provider JWT / OAuth token on every request, in a process on the load CPU), the other half none. ' +
    'Phases alternate on one server (push, plain, push, plain), each half of --duration at the offered rate. ' +
    'Coalescing is off (XINBOX_NOTIFY_COALESCE_MS=0): only messages to one receiver committed in one batch share a notification. notificationsPerSec = ' +
    'notifications received by the stand-ins / push phase time; cpuMsPerMsg = server CPU ms per acked message, from the phase\'s ' +
    'start until its last notification arrived; ' +
    'pushCpuMsPerNotification = (push - plain) CPU per message, per notification; latency = stand-in receipt - the ' +
    'send stamp in the notification text (needs --payload text; the message text is the preview).',
  headline: 'notificationsPerSec',
  sink: { push: true },
  serverEnv: () => ({ XINBOX_NOTIFY_COALESCE_MS: '0' }),
  config: (o) => ({ users: o.w1.users, durationS: o.w1.durationS, rate: o.push.rate, payload: o.payload, warmupS: o.warmupS }),
  async run(s: TargetSession): Promise<TargetOutcome> {
    if (s.name !== 'xinbox') return skipped('push notifications are a Xinbox feature');
    const sinkUrl = s.pushStatsUrl;
    if (!sinkUrl) return skipped('needs the bench\'s own server and push stand-ins (not --external)');
    const cfg = { ...s.opts.w1, rate: s.opts.push.rate };
    const setup = await setupOfflinePairs(s, cfg.users);
    if ('status' in setup) return setup;
    const phaseS = Math.max(1, cfg.durationS / 2);
    await warmUp(s, { ratePerSec: Math.round(cfg.rate / 4), senders: setup.push, fanout: 0, trackPerMessage: false });
    // The warm-up's notifications go out before the first phase starts (its counters still for 2 s).
    for (let last = '', stillSince = Date.now(), deadline = Date.now() + SETTLE_LIMIT_MS; Date.now() - stillSince < 2_000 && Date.now() < deadline; await sleep(200)) {
      const now = JSON.stringify(await pushCounters(s));
      if (now !== last) [last, stillSince] = [now, Date.now()];
    }

    const push: Array<{ m: Measurement; sink: PushWindow; cpuMs: number }> = [];
    const plain: Array<{ m: Measurement; cpuMs: number }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      await sinkStats(sinkUrl, true);
      const before = await pushCounters(s);
      const t0 = await mark(s);
      const m = await measure(s, { ratePerSec: cfg.rate, durationS: phaseS, warmupS: 0, senders: setup.push, fanout: 0, trackPerMessage: false });
      const sink = await settled(sinkUrl, m.acked);
      // The phase's server CPU includes the notifications sent after its last send.
      const cpuMs = await cpuMsSince(s, t0);
      const after = await pushCounters(s);
      const server = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v !== 0));
      s.log(`push ${round + 1}: ${describeMeasurement(m)}; ${m.acked} acked, ${sink.notifications} notifications for ${sink.messages} messages (server: ${JSON.stringify(server)}), latency p50 ${sink.p50Ms} ms p99 ${sink.p99Ms} ms`);
      push.push({ m, sink, cpuMs });
      const p0 = await mark(s);
      const p = await measure(s, { ratePerSec: cfg.rate, durationS: phaseS, warmupS: 0, senders: setup.plain, fanout: 0, trackPerMessage: false });
      const pCpuMs = await cpuMsSince(s, p0);
      s.log(`plain ${round + 1}: ${describeMeasurement(p)}; ${p.acked} acked`);
      plain.push({ m: p, cpuMs: pCpuMs });
      await sleep(1000);
    }
    const totals = await sinkStats(sinkUrl, false);

    const cpuMsPerMsg = (phases: ReadonlyArray<{ m: Measurement; cpuMs: number }>): number => {
      const acked = phases.reduce((n, x) => n + x.m.acked, 0);
      return acked > 0 ? phases.reduce((n, x) => n + x.cpuMs, 0) / acked : -1;
    };
    const pushMs = push.map((x) => x.m);
    const plainMs = plain.map((x) => x.m);
    const notifications = push.reduce((n, x) => n + x.sink.notifications, 0);
    const covered = push.reduce((n, x) => n + x.sink.messages, 0);
    const ackedPush = pushMs.reduce((n, m) => n + m.acked, 0);
    const withPush = cpuMsPerMsg(push);
    const without = cpuMsPerMsg(plain);
    const perNotification = notifications > 0 ? ((withPush - without) * ackedPush) / notifications : -1;
    const round3 = (v: number): number => Math.round(v * 1000) / 1000;
    const metrics: Record<string, Metric> = {
      notificationsPerSec: { value: Math.round(notifications / (phaseS * ROUNDS)), unit: 'notifications/s', better: 'higher' },
      // Messages to one user in one conversation committed in one batch become one notification ("3 new messages · ...").
      messagesPerNotification: { value: notifications > 0 ? Math.round((covered / notifications) * 100) / 100 : -1, unit: 'msgs', better: 'none' },
      messagesNotNotified: { value: Math.max(0, ackedPush - covered), unit: 'msgs', better: 'lower', noise: 0 },
      cpuMsPerMsg_push: { value: round3(withPush), unit: 'ms', better: 'lower', noise: 0.01 },
      cpuMsPerMsg_plain: { value: round3(without), unit: 'ms', better: 'lower', noise: 0.01 },
      pushCpuMsPerNotification: { value: round3(perNotification), unit: 'ms', better: 'lower', noise: 0.01 },
      latencyP50Ms: { value: median(push.map((x) => x.sink.p50Ms)), unit: 'ms', better: 'lower', noise: 2 },
      latencyP99Ms: { value: Math.max(...push.map((x) => x.sink.p99Ms)), unit: 'ms', better: 'lower', noise: 5 },
      offeredPerSec: { value: cfg.rate, unit: 'msg/s', better: 'none' },
      serverCpuPct_push: { value: Math.round(avg(pushMs.map((m) => m.server.serverCpuPct))), unit: '%', better: 'none' },
      serverCpuPct_plain: { value: Math.round(avg(plainMs.map((m) => m.server.serverCpuPct))), unit: '%', better: 'none' },
      foreignCpuPct: { value: Math.round(avg([...pushMs, ...plainMs].map((m) => m.server.foreignCpuPct))), unit: '%', better: 'none' },
    };
    const notes = [...pushMs.flatMap((m, i) => measurementNotes(m, `push ${i + 1} `)), ...plainMs.flatMap((m, i) => measurementNotes(m, `plain ${i + 1} `))]
      .filter((n) => !n.includes('acked messages undelivered'));
    if (totals.unstamped > 0 && s.opts.payload !== 'text') notes.push('latency needs --payload text (the notification preview carries the send stamp); not measured');
    return { status: 'ok', metrics, detail: { push, plain, totals }, notes };
  },
};

/**
 * Users in pairs (2p, 2p+1): the first of each pair connected (the sender),
 * the second logged in on a phone and never connected. Receivers of the
 * first half of the pairs register a push token (APNs and FCM alternately).
 */
async function setupOfflinePairs(s: TargetSession, users: number): Promise<{ push: Sender[]; plain: Sender[] } | TargetOutcome> {
  const pairs = Math.floor(users / 2);
  const pool = await s.pool.ensure(pairs * 2);
  const senders = pool.filter((_, i) => i % 2 === 0);
  const receivers = pool.filter((_, i) => i % 2 === 1);
  const c = await connectUsers(s, senders, 'bench');
  if (c.failed > 0) return failed(`${c.failed} of ${senders.length} connections failed: ${JSON.stringify(c.errors)}`);
  await s.pool.login(receivers, 'phone');
  const withToken = receivers.slice(0, Math.floor(pairs / 2));
  for (let i = 0; i < withToken.length; i += 50) {
    const refused = await Promise.all(withToken.slice(i, i + 50).map(async (u, k) => {
      const apns = (i + k) % 2 === 0;
      const token = apns ? BigInt(u.userId).toString(16).padStart(64, '0') : `fcm-bench-${u.userId}`;
      const res = await fetch(`${s.server.httpBase}/v1/push/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${u.tokens.get('phone')}` },
        body: JSON.stringify({ provider: apns ? 'apns' : 'fcm', token, preview: true }),
      });
      return res.status === 204 ? null : `${res.status} ${await res.text()}`;
    }));
    const bad = refused.find((r) => r !== null);
    if (bad) return failed(`push token registration refused: ${bad}`);
  }
  s.log(`${senders.length} senders connected, ${receivers.length} receivers offline, ${withToken.length} with a push token`);
  const calls = senders.map((_, p) => ({ conn: c.conns[p]!, init: { body: { case: 'openDirect' as const, value: { userId: receivers[p]!.userId } } } }));
  const replies = await s.fleet.rpc(calls, 50, 15_000);
  const all: Sender[] = [];
  for (let p = 0; p < replies.length; p++) {
    const r = replies[p]!;
    const cid = !(r instanceof Error) && r.body.case === 'conversationInfo' ? r.body.value.conversation?.conversationId : undefined;
    if (!cid) return failed(`openDirect failed: ${errorName(r) ?? 'no conversation id'}`);
    all.push({ conn: calls[p]!.conn, conversationId: cid, senderIdx: p });
  }
  return { push: all.slice(0, withToken.length), plain: all.slice(withToken.length) };
}

/** A CPU sample of the server now; returns its time. */
async function mark(s: TargetSession): Promise<number> {
  await s.sampler.sampleOnce();
  return nowMs();
}

/** Server CPU milliseconds since `t0` (a mark). */
async function cpuMsSince(s: TargetSession, t0: number): Promise<number> {
  await s.sampler.sampleOnce();
  const t1 = nowMs();
  return (s.sampler.window(t0, t1).serverCpuPct / 100) * (t1 - t0);
}

async function pushCounters(s: TargetSession): Promise<Record<string, number>> {
  const res = await fetch(`${s.server.httpBase}/v1/metrics`, { headers: adminHeaders() });
  return ((await res.json()) as { push?: Record<string, number> }).push ?? {};
}

async function sinkStats(url: string, reset: boolean): Promise<PushSinkStats> {
  return (await (await fetch(reset ? `${url}?reset=1` : url)).json()) as PushSinkStats;
}

/**
 * The window once the notifications received stand for every acked message
 * (or at SETTLE_LIMIT_MS): the next phase must not pay for this one's notifications.
 */
async function settled(url: string, expected: number): Promise<PushWindow> {
  const deadline = Date.now() + SETTLE_LIMIT_MS;
  for (;;) {
    const w = (await sinkStats(url, false)).window;
    if (w.messages >= expected || Date.now() > deadline) return w;
    await sleep(100);
  }
}

function avg(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : -1;
}
