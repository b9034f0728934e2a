import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Socket } from 'node:net';
import type { Logger } from '../logger.js';
import type { FromGateway, InitMessage, ToGateway } from './process-messages.js';
import type { GatewayProcessInfo } from '../node-types.js';

export interface GatewaySupervisorOptions {
  readonly count: number;
  /** What each process is told at start; `nodeId` is made unique per process and start. */
  readonly init: (nodeId: string) => InitMessage;
  /** The primary's node id; process i of generation g is `<nodeId>-g<i>.<g>`. */
  readonly nodeId: string;
  readonly log: Logger;
  /** First restart delay after a process died; doubles for a process that keeps dying, up to 5 s. */
  readonly restartDelayMs?: number;
  /** How long a process may take to start (tsx under test, a loaded machine). */
  readonly startTimeoutMs?: number;
}

interface Slot {
  child: ChildProcess | null;
  ready: boolean;
  nodeId: string;
  generation: number;
  restarts: number;
  startedAt: number;
  exited: Promise<void>;
}

/** One gateway process as the primary reports it. */

/**
 * Runs `count` gateway processes for the primary: forks them (the compiled
 * module, or the TypeScript one under tsx in development and tests), hands
 * each accepted connection to the next ready one in turn, restarts one that
 * dies (its clients reconnect through the primary's listener and sync), and
 * drains or stops them all on shutdown. A process exits by itself when the
 * primary dies (its IPC channel closes), so none is left behind.
 */
export class GatewaySupervisor {
  private readonly slots: Slot[] = [];
  private next = 0;
  private stopping = false;
  private readonly restartDelayMs: number;
  handedOff = 0;

  constructor(private readonly o: GatewaySupervisorOptions) {
    this.restartDelayMs = o.restartDelayMs ?? 200;
  }

  /** Starts every process and waits until each is ready; throws (stopping the others) if one cannot start. */
  async start(): Promise<void> {
    for (let i = 0; i < this.o.count; i++) {
      this.slots.push({ child: null, ready: false, nodeId: '', generation: 0, restarts: 0, startedAt: 0, exited: Promise.resolve() });
    }
    try {
      await Promise.all(this.slots.map((_, i) => this.spawn(i)));
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  get processes(): GatewayProcessInfo[] {
    return this.slots.map((s, index) => ({ index, nodeId: s.nodeId, pid: s.child?.pid ?? null, ready: s.ready, restarts: s.restarts }));
  }

  /** Hands an accepted socket to the next ready process; closes it when none is (the client retries). */
  handOff(kind: 'http' | 'tcp', socket: Socket): void {
    for (let tries = 0; tries < this.slots.length; tries++) {
      const slot = this.slots[this.next++ % this.slots.length]!;
      if (!slot.ready || !slot.child?.connected) continue;
      this.handedOff++;
      slot.child.send({ t: 'conn', kind } satisfies ToGateway, socket, { keepOpen: false }, (error) => {
        if (error) socket.destroy();
      });
      return;
    }
    socket.destroy();
  }

  /** Sends a message to every running process. */
  broadcast(m: ToGateway): void {
    for (const s of this.slots) if (s.child?.connected) s.child.send(m);
  }

  /** Tells every process to drain (DRAINING to its clients) and waits for all to exit. */
  async drain(timeoutMs: number): Promise<void> {
    this.stopping = true;
    for (const s of this.slots) if (s.child?.connected) s.child.send({ t: 'drain', timeoutMs } satisfies ToGateway);
    await this.waitAll(timeoutMs + 5_000);
  }

  /** Stops every process at once (their clients get DRAINING and reconnect later). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const s of this.slots) if (s.child?.connected) s.child.send({ t: 'drain', timeoutMs: 0 } satisfies ToGateway);
    await this.waitAll(5_000);
  }

  private async waitAll(timeoutMs: number): Promise<void> {
    const timer = setTimeout(() => {
      for (const s of this.slots) s.child?.kill('SIGKILL');
    }, timeoutMs);
    await Promise.all(this.slots.map((s) => s.exited));
    clearTimeout(timer);
  }

  private spawn(index: number): Promise<void> {
    const slot = this.slots[index]!;
    slot.generation++;
    slot.nodeId = `${this.o.nodeId}-g${index}.${slot.generation}`;
    slot.ready = false;
    slot.startedAt = Date.now();
    const child = forkGatewayProcess();
    slot.child = child;
    slot.exited = new Promise((r) => child.once('exit', () => r()));
    child.send(this.o.init(slot.nodeId) satisfies ToGateway);
    const started = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gateway process ${slot.nodeId} did not start in time`)), this.o.startTimeoutMs ?? 60_000);
      child.on('message', (m: FromGateway) => {
        if (m.t === 'ready') {
          clearTimeout(timer);
          slot.ready = true;
          resolve();
        } else if (m.t === 'failed') {
          clearTimeout(timer);
          reject(new Error(`gateway process ${slot.nodeId} failed to start: ${m.error}`));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`gateway process ${slot.nodeId} exited (${signal ?? code}) while starting`));
      });
    });
    child.once('exit', (code, signal) => {
      const wasReady = slot.ready;
      slot.ready = false;
      if (slot.child === child) slot.child = null;
      if (this.stopping) return;
      this.o.log.warn(`gateway process ${slot.nodeId} exited (${signal ?? code}); restarting it`);
      slot.restarts++;
      // A process that died soon after starting backs off (a crash loop must not spin); one that ran a while restarts at once.
      const ranLong = wasReady && Date.now() - slot.startedAt > 30_000;
      const delay = ranLong ? this.restartDelayMs : Math.min(5_000, this.restartDelayMs * 2 ** Math.min(slot.restarts - 1, 5));
      setTimeout(() => {
        if (!this.stopping) this.spawn(index).catch((e: Error) => this.o.log.error(e.message));
      }, delay).unref();
    });
    return started;
  }
}

/** The gateway process module: compiled next to this file, or TypeScript run through tsx (development, tests). */
function forkGatewayProcess(): ChildProcess {
  const typescript = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(`./gateway-process.${typescript ? 'ts' : 'js'}`, import.meta.url));
  const execArgv = typescript ? ['--conditions=@xinbox/source', '--import', tsxLoaderUrl()] : [];
  return fork(entry, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function tsxLoaderUrl(): string {
  const pkgJson = createRequire(import.meta.url).resolve('tsx/package.json');
  return pathToFileURL(join(dirname(pkgJson), 'dist/loader.mjs')).href;
}
