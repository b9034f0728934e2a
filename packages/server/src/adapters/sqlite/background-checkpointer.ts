import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * Runs WAL checkpoints on a worker thread with its own connection, so the
 * copy back into the database file (and, under synchronous=NORMAL, its fsync)
 * never stalls the event loop that serves connections. PASSIVE checkpoints do
 * not take the write lock: commits continue while one runs, and once a
 * checkpoint has caught up the next commit rewinds the WAL. If the worker
 * cannot start, the connection keeps SQLite's own auto-checkpoint.
 */
export class BackgroundCheckpointer {
  private worker: Worker | null = null;

  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
    private readonly intervalMs = 250,
    /** Nice steps below the caller's thread (see thread-priority.ts). */
    private readonly nice = 0,
  ) {}

  start(): void {
    if (this.path === ':memory:') return;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    try {
      this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, nice: this.nice, path: this.path, intervalMs: this.intervalMs } });
    } catch {
      return;
    }
    this.worker.unref();
    this.worker.on('error', () => this.fallBack());
    this.worker.on('exit', (code) => {
      if (code !== 0) this.fallBack();
    });
    this.db.pragma('wal_autocheckpoint = 0');
  }

  async stop(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (!w) return;
    await new Promise<void>((resolve) => {
      w.once('exit', () => resolve());
      w.postMessage('stop');
      setTimeout(() => void w.terminate().then(() => resolve()), 5_000).unref();
    });
  }

  private fallBack(): void {
    this.worker = null;
    if (this.db.open) this.db.pragma('wal_autocheckpoint = 8192');
  }
}

// CommonJS source for an eval worker: no TypeScript loader is needed inside it.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
if (workerData.nice > 0) {
  // Same as thread-priority.ts (kept inline: this source is not compiled): relative to the event loop's
  // nice (the main thread's, tid = pid), not to the inherited nice of the storage thread that started this one.
  try {
    const os = require('node:os');
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    os.setPriority(tid, Math.min(19, os.getPriority(process.pid) + workerData.nice));
  } catch (e) { /* not Linux: the default priority */ }
}
const db = new Database(workerData.path);
db.pragma('busy_timeout = 2000');
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (e) { /* busy: try again next tick */ }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  process.exit(0);
});
`;
