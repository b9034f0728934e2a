import { monitorEventLoopDelay } from 'node:perf_hooks';
import { encodeFrame, frameFromJson, frameToJson } from '@xinbox/protocol';
import { BenchConnection, type ConnectionEvents } from './connection.js';
import { RunState } from './run-state.js';
import { RoomRun } from './room-run.js';
import type { Command, ConnectReply, FromWorker, RpcReply, StatusReply, ToWorker } from './messages.js';
import { mapLimit, nowMs } from '../time.js';

/**
 * A load process: holds many client connections (bounded by its file
 * descriptor budget, enforced by the parent) and executes the parent's
 * commands. It exits when the parent goes away or after BENCH_MAX_LIFETIME_MS.
 */

const conns: BenchConnection[] = [];
let run: RunState | undefined;
let roomRun: RoomRun | undefined;
let roomTimer: NodeJS.Timeout | undefined;
let runTimer: NodeJS.Timeout | undefined;
let statsTimer: NodeJS.Timeout | undefined;
let pingOverrideMs: number | null = null;
const closeCodes: Record<string, number> = {};
let closedCount = 0;
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

const dirtyAcks = new Set<BenchConnection>();
let ackFlushScheduled = false;
const flushAcks = (): void => {
  ackFlushScheduled = false;
  const batch = [...dirtyAcks];
  dirtyAcks.clear();
  for (const c of batch) c.flushAcks();
};

const events: ConnectionEvents = {
  onPush: (c, push) => run?.onPush(c, push),
  onSendResult: (_c, scheduledAt, errorName) => run?.onSendResult(scheduledAt, errorName),
  onRoomMessages: (c, messages) => roomRun?.onMessages(c, messages),
  onRoomSendResult: (_c, scheduledAt, reliable, errorName) => roomRun?.onSendResult(scheduledAt, reliable, errorName),
  onClose: (_c, code) => {
    closedCount++;
    closeCodes[code] = (closeCodes[code] ?? 0) + 1;
  },
  onAckDirty: (c) => {
    dirtyAcks.add(c);
    if (!ackFlushScheduled) {
      ackFlushScheduled = true;
      setImmediate(flushAcks);
    }
  },
};

function send(msg: FromWorker): void {
  if (process.connected) process.send!(msg);
}

// Heartbeats: one sweep per second pings every connection whose interval passed.
const PING_SWEEP_MS = 1000;
setInterval(() => {
  const now = nowMs();
  for (const c of conns) {
    if (c.state !== 'open' || now < c.nextPingAt) continue;
    c.ping();
    c.nextPingAt = now + pingEvery(c);
  }
}, PING_SWEEP_MS).unref();

function pingEvery(c: BenchConnection): number {
  const advertised = c.authOk?.pingIntervalMs || 25_000;
  return pingOverrideMs ?? Math.max(1000, advertised * 0.9);
}

async function connect(cmd: Extract<Command, { kind: 'connect' }>): Promise<ConnectReply> {
  const t0 = nowMs();
  const firstLocal = conns.length;
  const batch = cmd.conns.map((spec, k) => new BenchConnection(firstLocal + k, spec, events));
  conns.push(...batch);
  const errors: Record<string, number> = {};
  let pingIntervalMs = 0;
  const ok = await mapLimit(batch, cmd.concurrency, async (c) => {
    try {
      const authOk = await c.connect(cmd.timeoutMs);
      pingIntervalMs ||= authOk.pingIntervalMs;
      c.nextPingAt = nowMs() + pingEvery(c);
      return '1';
    } catch (e) {
      const key = (e as Error).message.slice(0, 120);
      errors[key] = (errors[key] ?? 0) + 1;
      c.terminate();
      return '0';
    }
  });
  return { status: ok.join(''), firstLocal, ms: Math.round(nowMs() - t0), errors, pingIntervalMs };
}

async function rpc(cmd: Extract<Command, { kind: 'rpc' }>): Promise<RpcReply> {
  const frames: (string | null)[] = [];
  const errors: (string | null)[] = [];
  await mapLimit(cmd.calls, cmd.concurrency, async (call, i) => {
    const c = conns[call.conn];
    try {
      if (!c) throw new Error(`no connection ${call.conn}`);
      const f = frameFromJson(call.frameJson);
      encodeFrame(f); // validate before sending
      const reply = await c.request(f, cmd.timeoutMs);
      frames[i] = frameToJson(reply);
      errors[i] = null;
    } catch (e) {
      frames[i] = null;
      errors[i] = (e as Error).message;
    }
  });
  return { frames, errors };
}

function startRun(cmd: Extract<Command, { kind: 'run' }>): { accepted: true } {
  if (runTimer) clearTimeout(runTimer);
  run = new RunState(cmd.run, conns);
  loopDelay.reset();
  const state = run;
  const step = (): void => {
    runTimer = undefined;
    if (run !== state) return;
    const waitMs = state.tick();
    if (Number.isFinite(waitMs)) runTimer = setTimeout(step, Math.min(50, Math.max(0, waitMs)));
  };
  runTimer = setTimeout(step, Math.max(0, cmd.run.startAt - nowMs()));
  if (statsTimer) clearInterval(statsTimer);
  statsTimer = setInterval(() => send({ type: 'stats', stats: state.live() }), 200);
  return { accepted: true };
}

function startRoomRun(cmd: Extract<Command, { kind: 'roomRun' }>): { accepted: true } {
  if (roomTimer) clearTimeout(roomTimer);
  roomRun = new RoomRun(cmd.run, conns);
  loopDelay.reset();
  const state = roomRun;
  const step = (): void => {
    roomTimer = undefined;
    if (roomRun !== state) return;
    const waitMs = state.tick();
    if (Number.isFinite(waitMs)) roomTimer = setTimeout(step, Math.min(50, Math.max(0, waitMs)));
  };
  roomTimer = setTimeout(step, Math.max(0, cmd.run.startAt - nowMs()));
  return { accepted: true };
}

function roomRunFor(runId: number): RoomRun {
  if (!roomRun || roomRun.spec.runId !== runId) throw new Error(`no room run ${runId}`);
  return roomRun;
}

function roomCollect(runId: number): unknown {
  const state = roomRunFor(runId);
  if (roomTimer) clearTimeout(roomTimer);
  roomTimer = undefined;
  roomRun = undefined;
  return state.result(round(loopDelay.max / 1e6), round(loopDelay.percentile(99) / 1e6));
}

function collect(runId: number): unknown {
  if (!run || run.spec.runId !== runId) throw new Error(`no run ${runId}`);
  if (runTimer) clearTimeout(runTimer);
  if (statsTimer) clearInterval(statsTimer);
  runTimer = statsTimer = undefined;
  const unacked = conns.reduce((n, c) => n + c.takeUnacked(), 0);
  const result = run.result(unacked, round(loopDelay.max / 1e6), round(loopDelay.percentile(99) / 1e6));
  run = undefined;
  return result;
}

function status(): StatusReply {
  let open = 0;
  let pingsSent = 0;
  let pongs = 0;
  for (const c of conns) {
    if (c.state === 'open') open++;
    pingsSent += c.pingsSent;
    pongs += c.pongs;
  }
  return { open, closed: closedCount, closeCodes: { ...closeCodes }, pingsSent, pongs };
}

async function closeAll(): Promise<{ closed: number }> {
  const n = conns.length;
  for (const c of conns) c.close();
  const deadline = nowMs() + 5000;
  while (conns.some((c) => c.state !== 'closed') && nowMs() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const c of conns) if (c.state !== 'closed') c.terminate();
  conns.length = 0;
  closedCount = 0;
  for (const k of Object.keys(closeCodes)) delete closeCodes[k];
  return { closed: n };
}

async function handle(cmd: Command): Promise<unknown> {
  switch (cmd.kind) {
    case 'connect': return connect(cmd);
    case 'rpc': return rpc(cmd);
    case 'run': return startRun(cmd);
    case 'collect': return collect(cmd.runId);
    case 'status': return status();
    case 'setPing': pingOverrideMs = cmd.intervalMs; return { ok: true };
    case 'closeAll': return closeAll();
    case 'roomRun': return startRoomRun(cmd);
    case 'roomLive': return roomRunFor(cmd.runId).live();
    case 'roomCollect': return roomCollect(cmd.runId);
  }
}

process.on('message', (msg: ToWorker) => {
  handle(msg.cmd).then(
    (body) => send({ type: 'reply', reqId: msg.reqId, ok: true, body }),
    (e: unknown) => send({ type: 'reply', reqId: msg.reqId, ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
});
process.on('disconnect', () => process.exit(0));
setTimeout(() => process.exit(3), Number(process.env.BENCH_MAX_LIFETIME_MS ?? 4 * 3600_000)).unref();
send({ type: 'ready' });

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
