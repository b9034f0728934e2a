import { frame, frameFromJson, frameToJson, type Frame, type FrameInit } from '@xinbox/protocol';
import { WorkerHandle } from './worker-handle.js';
import type { ConnSpec, ConnectReply, LiveStats, RoomLiveStats, RoomRunResult, RoomRunSpec, RpcReply, RunResult, StatusReply } from './messages.js';

/**
 * The set of load processes. Connections get global indices; the fleet maps
 * them to (process, local index) and keeps every process under its
 * connection budget (the per-process open-file limit minus headroom).
 */

export interface FleetOptions {
  /** CPU list for taskset, or undefined for no pinning. */
  readonly cpu: string | undefined;
  readonly maxConnsPerProcess: number;
  readonly minProcesses: number;
  readonly heapMb: number;
  /** Runs send Text content instead of Custom (RunSpec.textPayload). */
  readonly textPayload: boolean;
}

export interface ConnectOutcome {
  readonly ok: boolean[];
  readonly okCount: number;
  readonly ms: number;
  readonly errors: Record<string, number>;
  readonly pingIntervalMs: number;
}

export interface FleetRun {
  readonly runId: number;
  readonly startAt: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  /** Total offered rate across all senders. */
  readonly ratePerSec: number;
  readonly senders: readonly { readonly conn: number; readonly conversationId: string; readonly senderIdx: number }[];
  readonly trackPerMessage: boolean;
}

export class LoadFleet {
  readonly workers: WorkerHandle[] = [];
  private map: { w: number; local: number }[] = [];

  constructor(private readonly opts: FleetOptions) {}

  async ensureProcesses(n: number): Promise<void> {
    const want = Math.max(n, this.opts.minProcesses);
    const starting: Promise<WorkerHandle>[] = [];
    for (let i = this.workers.length; i < want; i++) starting.push(WorkerHandle.start(i, this.opts.cpu, this.opts.heapMb));
    this.workers.push(...(await Promise.all(starting)));
  }

  pids(): number[] {
    return this.workers.filter((w) => w.alive).map((w) => w.pid);
  }

  get connectionCount(): number {
    return this.map.length;
  }

  async connect(specs: readonly ConnSpec[], concurrencyPerProcess: number, timeoutMs: number): Promise<ConnectOutcome> {
    const cap = this.opts.maxConnsPerProcess;
    const held = this.workers.reduce((n, w) => n + w.connections, 0);
    await this.ensureProcesses(Math.ceil((held + specs.length) / cap));
    const perWorker = this.workers.map(() => [] as number[]);
    let rr = this.map.length;
    for (let k = 0; k < specs.length; k++) {
      let w = -1;
      for (let tries = 0; tries < this.workers.length; tries++, rr++) {
        const cand = rr % this.workers.length;
        if (this.workers[cand]!.connections + perWorker[cand]!.length < cap) {
          w = cand;
          rr++;
          break;
        }
      }
      if (w < 0) throw new Error('no load process has connection budget left');
      perWorker[w]!.push(k);
    }
    const ok = new Array<boolean>(specs.length).fill(false);
    const errors: Record<string, number> = {};
    let pingIntervalMs = 0;
    let ms = 0;
    const base = this.map.length;
    const slots = new Array<{ w: number; local: number }>(specs.length);
    await Promise.all(perWorker.map(async (ks, w) => {
      if (ks.length === 0) return;
      const worker = this.workers[w]!;
      const reply = await worker.call<ConnectReply>(
        { kind: 'connect', conns: ks.map((k) => specs[k]!), concurrency: concurrencyPerProcess, timeoutMs },
        timeoutMs * (Math.ceil(ks.length / concurrencyPerProcess) + 2),
      );
      ks.forEach((k, i) => {
        slots[k] = { w, local: reply.firstLocal + i };
        ok[k] = reply.status[i] === '1';
      });
      worker.connections += [...reply.status].filter((s) => s === '1').length;
      for (const [e, n] of Object.entries(reply.errors)) errors[e] = (errors[e] ?? 0) + n;
      pingIntervalMs ||= reply.pingIntervalMs;
      ms = Math.max(ms, reply.ms);
    }));
    this.map.push(...slots);
    if (this.map.length !== base + specs.length) throw new Error('connection map out of step');
    return { ok, okCount: ok.filter(Boolean).length, ms, errors, pingIntervalMs };
  }

  /** Send request frames on given connections; each result is the reply Frame or an Error. */
  async rpc(calls: readonly { conn: number; init: FrameInit }[], concurrencyPerProcess: number, timeoutMs: number): Promise<(Frame | Error)[]> {
    const out = new Array<Frame | Error>(calls.length);
    const perWorker = this.workers.map(() => [] as number[]);
    calls.forEach((c, i) => perWorker[this.slot(c.conn).w]!.push(i));
    await Promise.all(perWorker.map(async (idx, w) => {
      if (idx.length === 0) return;
      const reply = await this.workers[w]!.call<RpcReply>(
        { kind: 'rpc', calls: idx.map((i) => ({ conn: this.slot(calls[i]!.conn).local, frameJson: frameToJson(frame(calls[i]!.init)) })), concurrency: concurrencyPerProcess, timeoutMs },
        timeoutMs * (Math.ceil(idx.length / concurrencyPerProcess) + 2),
      );
      idx.forEach((i, k) => {
        const json = reply.frames[k];
        out[i] = json ? frameFromJson(json) : new Error(reply.errors[k] ?? 'rpc failed');
      });
    }));
    return out;
  }

  async startRun(run: FleetRun): Promise<void> {
    const perWorker = this.workers.map(() => [] as { conn: number; conversationId: string; senderIdx: number }[]);
    for (const s of run.senders) {
      const slot = this.slot(s.conn);
      perWorker[slot.w]!.push({ conn: slot.local, conversationId: s.conversationId, senderIdx: s.senderIdx });
    }
    const total = Math.max(1, run.senders.length);
    for (const w of this.workers) w.latest = undefined;
    await Promise.all(this.workers.map((w, i) => w.call({
      kind: 'run',
      run: {
        runId: run.runId, startAt: run.startAt, durationMs: run.durationMs, warmupMs: run.warmupMs,
        ratePerSec: (run.ratePerSec * perWorker[i]!.length) / total, senders: perWorker[i]!, trackPerMessage: run.trackPerMessage,
        textPayload: this.opts.textPayload,
      },
    }, 30_000)));
  }

  /** Sum of the latest live stats of every process for this run. */
  live(runId: number): LiveStats {
    const t = { runId, sent: 0, acked: 0, failed: 0, received: 0, scheduleLagMaxMs: 0, done: true };
    for (const w of this.workers) {
      const s = w.latest;
      if (!s || s.runId !== runId) {
        t.done = false;
        continue;
      }
      t.done &&= s.done;
      t.sent += s.sent;
      t.acked += s.acked;
      t.failed += s.failed;
      t.received += s.received;
      t.scheduleLagMaxMs = Math.max(t.scheduleLagMaxMs, s.scheduleLagMaxMs);
    }
    return t;
  }

  collect(runId: number): Promise<RunResult[]> {
    return Promise.all(this.workers.map((w) => w.call<RunResult>({ kind: 'collect', runId }, 60_000)));
  }

  /** Start a room run (W4) in every process; `sends` name global connection indices. */
  async startRoomRun(run: RoomRunSpec): Promise<void> {
    const perWorker = this.workers.map(() => [] as RoomRunSpec['sends'][number][]);
    for (const s of run.sends) {
      const slot = this.slot(s.conn);
      perWorker[slot.w]!.push({ ...s, conn: slot.local });
    }
    await Promise.all(this.workers.map((w, i) => w.call({ kind: 'roomRun', run: { ...run, sends: perWorker[i]! } }, 30_000)));
  }

  async roomLive(runId: number): Promise<RoomLiveStats[]> {
    return Promise.all(this.workers.map((w) => w.call<RoomLiveStats>({ kind: 'roomLive', runId }, 10_000)));
  }

  collectRoomRun(runId: number): Promise<RoomRunResult[]> {
    return Promise.all(this.workers.map((w) => w.call<RoomRunResult>({ kind: 'roomCollect', runId }, 60_000)));
  }

  async status(): Promise<StatusReply> {
    const all = await Promise.all(this.workers.map((w) => w.call<StatusReply>({ kind: 'status' }, 30_000)));
    const closeCodes: Record<string, number> = {};
    for (const s of all) for (const [k, v] of Object.entries(s.closeCodes)) closeCodes[k] = (closeCodes[k] ?? 0) + v;
    return {
      open: all.reduce((n, s) => n + s.open, 0),
      closed: all.reduce((n, s) => n + s.closed, 0),
      closeCodes,
      pingsSent: all.reduce((n, s) => n + s.pingsSent, 0),
      pongs: all.reduce((n, s) => n + s.pongs, 0),
    };
  }

  async setPing(intervalMs: number | null): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call({ kind: 'setPing', intervalMs }, 10_000)));
  }

  /** Close every connection; load processes that died are dropped (replaced on the next connect). */
  async closeAll(): Promise<void> {
    await Promise.all(this.workers.filter((w) => w.alive).map((w) => w.call({ kind: 'closeAll' }, 60_000)));
    for (const w of this.workers) w.connections = 0;
    this.map = [];
    const alive = this.workers.filter((w) => w.alive);
    this.workers.length = 0;
    this.workers.push(...alive);
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }

  private slot(conn: number): { w: number; local: number } {
    const s = this.map[conn];
    if (!s) throw new Error(`unknown connection ${conn}`);
    return s;
  }
}
