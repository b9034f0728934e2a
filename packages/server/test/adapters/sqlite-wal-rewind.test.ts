/**
 * The WAL rewinds under sustained writes (BackgroundCheckpointer): without
 * the writer's catch-up, commits landing while each background checkpoint
 * runs keep the WAL from ever starting over, and it grows by every page
 * written (1.4 GB for a 15 MB database in a 20-s W1 run). Real threads, a
 * real file: the writer commits back to back, yielding to its event loop
 * between transactions as the storage thread does between batches.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackgroundCheckpointer } from '../../src/adapters/sqlite/background-checkpointer.js';
import { openSqliteDatabase } from '../../src/adapters/sqlite/index.js';

const MB = 1024 * 1024;

/** Commits `transactions` transactions of scattered 1 KB rows; returns the largest WAL file seen. */
async function writeSustained(rewindFrames: number, transactions: number): Promise<{ maxWal: number; dbSize: number; rewinds: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'xinbox-wal-rewind-'));
  const path = join(dir, 'x.db');
  const db = openSqliteDatabase({ path });
  const checkpointer = new BackgroundCheckpointer(db, path, 20, 0, rewindFrames);
  try {
    db.exec('CREATE TABLE blobs (k INTEGER PRIMARY KEY, v BLOB NOT NULL)');
    const put = db.prepare('INSERT OR REPLACE INTO blobs (k, v) VALUES (?, ?)');
    const value = Buffer.alloc(1000, 7);
    // Rewrites keep the database small (4,000 rows x 1 KB) while every commit dirties ~20 pages.
    const commit = db.transaction((t: number) => {
      for (let i = 0; i < 20; i++) put.run((t * 7919 + i * 104_729) % 4000, value);
    });
    checkpointer.start();
    let maxWal = 0;
    for (let t = 0; t < transactions; t++) {
      commit.immediate(t);
      if (t % 50 === 0) maxWal = Math.max(maxWal, statSync(`${path}-wal`).size);
      await new Promise((r) => setImmediate(r));
    }
    maxWal = Math.max(maxWal, statSync(`${path}-wal`).size);
    return { maxWal, dbSize: statSync(path).size, rewinds: checkpointer.rewinds };
  } finally {
    await checkpointer.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('WAL rewind under sustained writes', () => {
  it('keeps the WAL near rewindFrames pages however long the writes last', async () => {
    // 8,000 commits x ~20 pages x 4 KB: the WAL reached ~660 MB without the catch-up (rewindFrames 0).
    const { maxWal, dbSize, rewinds } = await writeSustained(256, 8000);
    expect(rewinds).toBeGreaterThan(0);
    expect(dbSize).toBeLessThan(8 * MB);
    // 256 frames is 1 MB; what the writer adds while a checkpoint runs comes on top (~35 MB here, the writer
    // commits ~500 MB/s), more if the checkpoint thread waits for a core. Not the ~660 MB of a WAL that never rewinds.
    expect(maxWal).toBeLessThan(160 * MB);
  }, 120_000);
});
