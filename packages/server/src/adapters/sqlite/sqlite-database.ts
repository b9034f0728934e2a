import Database from 'better-sqlite3';
import { migrate } from './migrations.js';
import { loadWalCoalescing } from './wal-coalescing.js';
import { recoverConversationSummaries } from './conversation-summaries.js';

export type SqliteSynchronous = 'normal' | 'full';

export interface SqliteOpenOptions {
  /** Database file; created (with its -wal and -shm companions) if missing. */
  readonly path: string;
  /** Durability policy, see openSqliteDatabase. Default 'normal'. */
  readonly synchronous?: SqliteSynchronous;
  /** How long a writer waits for another connection's lock before SQLITE_BUSY. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** Nice steps the storage and checkpoint threads run below the event loop's thread (Linux; see thread-priority.ts). Default 0. */
  readonly threadNice?: number;
  /**
   * The WAL write-coalescing extension to load before opening (wal-coalescing.ts, ADR 0015): each commit's WAL
   * frames reach the file in one write. Loading it makes it the process's default VFS. Default: not loaded.
   */
  readonly walCoalescingLibrary?: string;
  /**
   * Storage thread only (openSqliteWorkerAdapters): how long conversation summaries may stay in memory
   * before they are written (ADR 0016). Default DEFAULT_SUMMARY_FLUSH_MS (500 ms).
   */
  readonly summaryFlushMs?: number;
}

/**
 * Opens (and migrates) a Xinbox SQLite database.
 *
 * Durability policy. The database runs in WAL mode; a store call resolves
 * only after its transaction has committed.
 * - synchronous = 'normal' (default): a commit is written to the WAL but the
 *   WAL is fsynced only at checkpoints. A committed transaction survives a
 *   crash or SIGKILL of the process (the OS still holds the written pages);
 *   on power loss or an OS crash the transactions since the last checkpoint
 *   (at most ~32 MiB of WAL) may be lost, but the database is never corrupted.
 * - synchronous = 'full': every commit fsyncs the WAL before the call
 *   resolves, so a committed transaction also survives power loss, at the
 *   cost of one fsync per transaction (one per append batch, not per message).
 *
 * Other settings: foreign keys on; busy_timeout so a second connection waits
 * for the write lock instead of failing; 64 MiB page cache; 256 MiB mmap;
 * temp tables in memory. One process should own the file (single-node mode); a second
 * connection is still safe, because write transactions are IMMEDIATE and the
 * message store notices other connections' commits.
 */
export function openSqliteDatabase(options: SqliteOpenOptions): Database.Database {
  if (options.walCoalescingLibrary) loadWalCoalescing(options.walCoalescingLibrary);
  const db = new Database(options.path);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
    if (mode !== 'wal' && options.path !== ':memory:') throw new Error(`could not enable WAL (journal_mode=${mode})`);
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma('cache_size = -65536');
    db.pragma('temp_store = MEMORY');
    db.pragma('mmap_size = 268435456');
    // Checkpoint every 8192 pages (32 MiB) instead of 1000: an append batch
    // dirties a few hundred scattered pages, so the default would checkpoint
    // (and, under NORMAL, fsync) every few batches. Measured ~1.5x append throughput.
    // openSqliteAdapters moves checkpoints off the event loop (BackgroundCheckpointer).
    db.pragma('wal_autocheckpoint = 8192');
    // Truncate the WAL back to this size after a checkpoint.
    db.pragma('journal_size_limit = 67108864');
    migrate(db);
    // Before anything reads: summaries a killed write-behind store still held in memory.
    recoverConversationSummaries(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
