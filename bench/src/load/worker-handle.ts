import { fork, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Command, FromWorker, LiveStats, ToWorker } from './messages.js';
import { sleep } from '../time.js';

/** Parent-side handle of one load process: request/reply over IPC, latest live stats. */
export class WorkerHandle {
  latest: LiveStats | undefined;
  connections = 0;
  private nextReq = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  private exited = false;

  private constructor(readonly id: number, private readonly child: ChildProcess) {
    child.on('message', (m: FromWorker) => this.onMessage(m));
    child.on('exit', (code) => {
      this.exited = true;
      for (const [, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error(`load process ${id} exited (${code})`));
      }
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** Start a load process, pinned to `cpu` with taskset when given; resolves once it is ready. */
  static async start(id: number, cpu: string | undefined, heapMb: number): Promise<WorkerHandle> {
    const script = fileURLToPath(new URL('./worker.ts', import.meta.url));
    // BENCH_LOAD_NODE_ARGS: extra node flags for load processes (e.g. --cpu-prof when profiling the generator).
    const extra = (process.env.BENCH_LOAD_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const nodeArgs = [`--max-old-space-size=${heapMb}`, ...extra, '--conditions=@xinbox/source', '--import', 'tsx'];
    const child = cpu
      ? spawn('taskset', ['-c', cpu, process.execPath, ...nodeArgs, script], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      : fork(script, [], { execArgv: nodeArgs, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const handle = new WorkerHandle(id, child);
    const ready = await Promise.race([
      new Promise<boolean>((resolve) => child.once('message', (m: FromWorker) => resolve(m.type === 'ready'))),
      new Promise<boolean>((resolve) => child.once('exit', () => resolve(false))),
      sleep(30_000).then(() => false),
    ]);
    if (!ready) {
      child.kill('SIGKILL');
      throw new Error(`load process ${id} did not start`);
    }
    return handle;
  }

  call<T>(cmd: Command, timeoutMs: number): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`load process ${this.id} is gone`));
    const reqId = this.nextReq++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(reqId);
        reject(new Error(`load process ${this.id}: ${cmd.kind} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(reqId, { resolve: resolve as (v: unknown) => void, reject, timer });
      const msg: ToWorker = { reqId, cmd };
      this.child.send(msg);
    });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    this.child.disconnect();
    const gone = await Promise.race([new Promise<boolean>((r) => this.child.once('exit', () => r(true))), sleep(5000).then(() => false)]);
    if (!gone) this.child.kill('SIGKILL');
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'stats') {
      this.latest = m.stats;
      return;
    }
    if (m.type !== 'reply') return;
    const p = this.pending.get(m.reqId);
    if (!p) return;
    this.pending.delete(m.reqId);
    clearTimeout(p.timer);
    if (m.ok) p.resolve(m.body);
    else p.reject(new Error(m.error));
  }
}
