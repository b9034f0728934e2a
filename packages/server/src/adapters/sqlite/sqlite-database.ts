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
   * Page size in bytes for a NEW database file (a power of two, 512–65536). SQLite fixes the page size when the file
   * is first written; an existing file keeps its own (docs/operations.md says how to convert one offline).
   * Default SQLITE_PAGE_SIZE.
   */
  readonly pageSize?: number;
  /** The connection's page cache in MiB (PRAGMA cache_size, per connection). Default SQLITE_CACHE_MIB. */
  readonly cacheMiB?: number;
  /**
   * Storage thread only (openSqliteWorkerAdapters): how long conversation summaries may stay in memory
   * before they are written (ADR 0016). Default DEFAULT_SUMMARY_FLUSH_MS (500 ms).
   */
  readonly summaryFlushMs?: number;
}

/**
 * Default page size of a new database file (see SqliteOpenOptions.pageSize; config `sqlitePageSize`). 2 KiB rather
 * than SQLite's 4 KiB: a W1 message dirties ~7 scattered B-tree pages and each goes whole into the WAL (checksummed,
 * written, later checkpointed), so half-size pages halve those bytes for slightly deeper trees: the storage and
 * checkpoint threads spent ≈ 10 % less per message in the storage-thread bench, the storage thread's system time
 * fell by a quarter in W1 (docs/benchmarks.md, "SQLite page size and page cache"). 1 KiB cost more user time than
 * it saved.
 */
export const SQLITE_PAGE_SIZE = 2048;
/**
 * Default page cache of the writer's connection, MiB (config `sqliteCacheMb`). Small on purpose: SQLite scans the
 * whole page-cache hash at the first commit after most page splits (balance_nonroot renumbers pages through the
 * pending-byte page, leaving the cache's largest key there, and the commit's truncate then walks every slot), so
 * that scan grows with the cache: 9.4 % of the storage thread's samples at 64 MiB, 4.5 % at 16 MiB, once the
 * database outgrew the cache. Pages outside the cache are read from the memory-mapped file without a system call
 * (or from the WAL while they are in it: below ≈ 8 MiB those reads cost more system time than the walk saves).
 */
export const SQLITE_CACHE_MIB = 16;
/** WAL size (bytes) after which a checkpoint runs: 32 MiB whatever the page size (the pragma counts pages). */
export const WAL_CHECKPOINT_BYTES = 32 * 1024 * 1024;

/** `wal_autocheckpoint` (and the checkpointer's rewind threshold) in pages of this database. */
export function walCheckpointPages(db: Database.Database): number {
  return Math.max(1, Math.round(WAL_CHECKPOINT_BYTES / (db.pragma('page_size', { simple: true }) as number)));
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
 * for the write lock instead of failing; page size (new files) and page cache
 * per SqliteOpenOptions; 256 MiB mmap;
 * temp tables in memory. One process should own the file (single-node mode); a second
 * connection is still safe, because write transactions are IMMEDIATE and the
 * message store notices other connections' commits.
 */
export function openSqliteDatabase(options: SqliteOpenOptions): Database.Database {
  if (options.walCoalescingLibrary) loadWalCoalescing(options.walCoalescingLibrary);
  const db = new Database(options.path);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    // Only takes effect on a file nothing has been written to yet (before journal_mode=WAL writes the header);
    // an existing database keeps its page size, and every page-counted setting below is scaled by the real one.
    db.pragma(`page_size = ${validPageSize(options.pageSize ?? SQLITE_PAGE_SIZE)}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
    if (mode !== 'wal' && options.path !== ':memory:') throw new Error(`could not enable WAL (journal_mode=${mode})`);
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma(`cache_size = -${Math.max(1, Math.round((options.cacheMiB ?? SQLITE_CACHE_MIB) * 1024))}`);
    db.pragma('temp_store = MEMORY');
    db.pragma('mmap_size = 268435456');
    // Checkpoint every 32 MiB of WAL (8192 pages of 4 KiB) instead of 1000 pages: an append batch
    // dirties a few hundred scattered pages, so the default would checkpoint
    // (and, under NORMAL, fsync) every few batches. Measured ~1.5x append throughput.
    // openSqliteAdapters moves checkpoints off the event loop (BackgroundCheckpointer).
    db.pragma(`wal_autocheckpoint = ${walCheckpointPages(db)}`);
    // Truncate the WAL back to this size (bytes) after a checkpoint.
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

function validPageSize(bytes: number): number {
  if (!Number.isInteger(bytes) || bytes < 512 || bytes > 65536 || (bytes & (bytes - 1)) !== 0) {
    throw new Error(`SQLite page size must be a power of two from 512 to 65536, got ${bytes}`);
  }
  return bytes;
}
