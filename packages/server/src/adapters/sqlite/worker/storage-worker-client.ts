import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AppendItem, AppendResult } from '../../../core/ports/message-store.js';
import type { SqliteOpenOptions } from '../sqlite-database.js';
import { packAppend, packedBuffer, unpackAppendResults } from './append-codec.js';
import {
  APPEND_PACKED, CLOSE, errorFromWire, type CallMessage, type ReplyMessage, type StartMessage, type StorageWorkerData, type StoreName,
} from './wire.js';

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The event loop's side of the storage thread: turns a store method call into
 * one message and its reply into the settled promise. The worker keeps the
 * process alive only while calls are outstanding, so an idle node exits as
 * before. If the thread dies, every outstanding and later call fails, and
 * `onFailure` (default: throw, crashing the process so a supervisor restarts
 * it with the durable state intact) is told once.
 */
export class StorageWorkerClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;
  private closing = false;

  private constructor(private readonly worker: Worker, private readonly onFailure: (error: Error) => void) {
    worker.on('message', (reply: ReplyMessage) => this.settle(reply));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`storage worker exited (code ${code})`)));
    worker.unref();
  }

  /** Starts the thread and waits until it has opened (and migrated) the database. */
  static async start(options: SqliteOpenOptions, onFailure?: (error: Error) => void): Promise<StorageWorkerClient> {
    const worker = spawnStorageWorker({ options });
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`storage worker exited (code ${code}) while opening ${options.path}`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (m: StartMessage) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if (m.started) resolve();
        else reject(errorFromWire(m.error));
      });
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    return new StorageWorkerClient(worker, onFailure ?? ((e) => setImmediate(() => { throw e; })));
  }

  /** `transfer`: buffers inside `args` handed to the worker instead of copied (unusable here afterwards). */
  call(store: StoreName, method: string, args: unknown[], transfer?: ArrayBuffer[]): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage([id, store, method, args] satisfies CallMessage, transfer);
    });
  }

  /** messages.append, packed into columns and transferred (append-codec). */
  async append(batch: readonly AppendItem[]): Promise<AppendResult[]> {
    if (batch.length === 0) return [];
    const packed = packAppend(batch);
    const flat = await this.call('messages', APPEND_PACKED, [packed], [packedBuffer(packed)]);
    return unpackAppendResults(batch, flat as Float64Array);
  }

  /** A port implementation whose every method is a call on the worker's store of that name. */
  port<T extends object>(store: StoreName, own: Partial<T> = {}): T {
    const methods = new Map<string, (...args: unknown[]) => Promise<unknown>>(Object.entries(own) as Array<[string, (...args: unknown[]) => Promise<unknown>]>);
    return new Proxy({} as T, {
      get: (_target, name) => {
        // Not a thenable and not inspectable as one: only string method names are calls.
        if (typeof name !== 'string' || name === 'then') return undefined;
        let fn = methods.get(name);
        if (!fn) {
          fn = (...args: unknown[]) => this.call(store, name, args);
          methods.set(name, fn);
        }
        return fn;
      },
    });
  }

  /** Calls sent and not yet answered (for metrics). */
  get outstanding(): number {
    return this.pending.size;
  }

  /** Waits for outstanding calls, closes the database (final checkpoint) and ends the thread. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.failure) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.ref();
    this.worker.postMessage(CLOSE);
    const timer = setTimeout(() => void this.worker.terminate(), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private settle(reply: ReplyMessage): void {
    const p = this.pending.get(reply[0]);
    if (!p) return;
    this.pending.delete(reply[0]);
    if (this.pending.size === 0 && !this.closing) this.worker.unref();
    if (reply[1]) p.resolve(reply[2]);
    else p.reject(errorFromWire(reply[2]));
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
    if (!this.closing) this.onFailure(error);
  }
}

/**
 * Under tsx (development, tests) the worker's module is TypeScript, which a
 * fresh thread cannot load by itself: it registers tsx's loader first. A
 * compiled build loads the .js module directly.
 */
function spawnStorageWorker(workerData: StorageWorkerData): Worker {
  const typescript = import.meta.url.endsWith('.ts');
  const entry = new URL(`./storage-worker.${typescript ? 'ts' : 'js'}`, import.meta.url);
  if (!typescript) return new Worker(entry, { workerData });
  const tsxApi = pathToFileURL(tsxEsmApiPath()).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

/** tsx's ESM loader API (its `import` export; the require one cannot register ESM hooks in a fresh thread). */
function tsxEsmApiPath(): string {
  const pkgJson = createRequire(import.meta.url).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return join(dirname(pkgJson), pkg.exports['./esm/api']!.import.default);
}
