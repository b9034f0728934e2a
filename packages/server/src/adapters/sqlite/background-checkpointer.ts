import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { walCheckpointPages } from './sqlite-database.js';

/**
 * Runs WAL checkpoints on a worker thread with its own connection, so the
 * copy back into the database file (and, under synchronous=NORMAL, its fsync)
 * never stalls the event loop that serves connections. PASSIVE checkpoints do
 * not take the write lock: commits continue while one runs. If the worker
 * cannot start, the connection keeps SQLite's own auto-checkpoint.
 *
 * Rewinding the WAL: a commit starts the WAL over from its first frame only
 * if, when its transaction began, a checkpoint had copied every frame. Under
 * sustained writes that never happens on its own (commits every few ms land
 * while each background checkpoint runs), and the WAL grew without bound: 1.4
 * GB for a 15 MB database after 20 s of W1 at 4,000 msgs/s, every frame
 * appended to fresh file space (docs/benchmarks.md, "The WAL that never
 * rewound"). So when a background checkpoint leaves the WAL at
 * `rewindFrames` or more, the worker asks the writer to catch up: a PASSIVE
 * checkpoint on the writer's own connection, run between its transactions,
 * copies only the frames committed while the background one ran, and the
 * next commit rewinds. The writer does that on its own thread (the storage
 * thread, never the event loop in a node; ADR 0007).
 */
export class BackgroundCheckpointer {
  private worker: Worker | null = null;

  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
    private readonly intervalMs = 250,
    /** Nice steps below the caller's thread (see thread-priority.ts). */
    private readonly nice = 0,
    /** WAL frames (pages) past which the writer catches up so the WAL rewinds; 0 = never. Default: 32 MiB of pages. */
    private readonly rewindFrames = walCheckpointPages(db),
  ) {}

  /** Catch-ups the writer ran (each followed, unless a reader held the WAL, by a rewind at the next commit). */
  rewinds = 0;

  start(): void {
    if (this.path === ':memory:') return;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    try {
      this.worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { driver, nice: this.nice, path: this.path, intervalMs: this.intervalMs, rewindFrames: this.rewindFrames },
      });
    } catch {
      return;
    }
    this.worker.unref();
    this.worker.on('message', (m) => {
      if (m === 'catch-up') this.catchUp();
    });
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

  /** Copies the frames the background checkpoint left (the writer is between transactions: nothing waits on a lock). */
  private catchUp(): void {
    if (!this.db.open || this.db.inTransaction) return;
    try {
      const [row] = this.db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number }>;
      if (row && row.busy === 0) this.rewinds++;
    } catch {
      // SQLITE_BUSY (a background checkpoint started meanwhile): the next one asks again.
    }
  }

  private fallBack(): void {
    this.worker = null;
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${walCheckpointPages(this.db)}`);
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
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    // Caught up with what it saw, but commits landed meanwhile: the writer copies the rest so the WAL can rewind.
    if (r && r.busy === 0 && workerData.rewindFrames > 0 && r.log >= workerData.rewindFrames) parentPort.postMessage('catch-up');
  } catch (e) { /* busy: try again next tick */ }
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
