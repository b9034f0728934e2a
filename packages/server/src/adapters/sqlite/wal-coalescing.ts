import Database from 'better-sqlite3';
import { fileURLToPath } from 'node:url';

/**
 * The WAL write-coalescing extension (packages/server/native/walbuf.c, ADR
 * 0015): a SQLite VFS shim that hands each commit's WAL frames to the file in
 * one write instead of two per page. Durability is unchanged (the commit
 * frame is written before SQLite publishes the commit).
 *
 * The library is compiled by `npm run build` / the test setup
 * (scripts/native-build.mjs) next to this package's sources; the same path
 * works from src/ and dist/.
 */
export const WAL_COALESCING_LIBRARY = fileURLToPath(
  new URL(`../../../native/dist/walbuf.${process.platform === 'darwin' ? 'dylib' : 'so'}`, import.meta.url),
);

/**
 * Registers the shim as the process's default VFS, so every database opened
 * afterwards in this process (any thread) uses it; files other than WALs go
 * straight to the real VFS. SQLite's VFS list is process-global by design;
 * loading again is a no-op.
 */
export function loadWalCoalescing(library = WAL_COALESCING_LIBRARY): void {
  const boot = new Database(':memory:');
  try {
    boot.loadExtension(library); // entry point sqlite3_walbuf_init, from the file name
  } finally {
    boot.close();
  }
}

/** Process-wide counters of the shim (tests): buffer writes to the file, and frame parts buffered. */
export function walCoalescingStats(db: Database.Database, library = WAL_COALESCING_LIBRARY): { flushes: number; bufferedWrites: number } {
  db.loadExtension(library); // defines walbuf_stats() on this connection
  const text = db.prepare('SELECT walbuf_stats()').pluck().get() as string;
  const [flushes, bufferedWrites] = text.split(' ').map(Number);
  return { flushes: flushes!, bufferedWrites: bufferedWrites! };
}
