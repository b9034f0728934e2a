/**
 * The WAL rewinds under sustained writes (BackgroundCheckpointer): without
 * the writer's catch-up, commits landing while each background checkpoint
 * runs keep the WAL from ever starting over, and it grows by every page
 * written (1.4 GB for a 15 MB database in a 20-s W1 run). Real threads, a
 * real file: the writer commits back to back, yielding to its event loop
 * between transactions as the storage thread does between batches.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackgroundCheckpointer } from '../../src/adapters/sqlite/background-checkpointer.js';
import { openSqliteDatabase } from '../../src/adapters/sqlite/index.js';

const MB = 1024 * 1024;

/** The WAL header's checkpoint sequence number: SQLite adds one each time the WAL starts over from its first frame. */
function walRestarts(walPath: string): number {
  const fd = openSync(walPath, 'r');
  try {
    const header = Buffer.alloc(16);
    readSync(fd, header, 0, 16, 0);
    return header.readUInt32BE(12);
  } finally {
    closeSync(fd);
  }
}

/** Commits `transactions` transactions of scattered 1 KB rows; returns the largest WAL file seen. */
async function writeSustained(rewindFrames: number, transactions: number): Promise<{ maxWal: number; dbSize: number; rewinds: number; restarts: number }> {
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
    commit.immediate(-1);
    const firstSequence = walRestarts(`${path}-wal`);
    let maxWal = 0;
    for (let t = 0; t < transactions; t++) {
      commit.immediate(t);
      if (t % 50 === 0) maxWal = Math.max(maxWal, statSync(`${path}-wal`).size);
      await new Promise((r) => setImmediate(r));
    }
    maxWal = Math.max(maxWal, statSync(`${path}-wal`).size);
    return { maxWal, dbSize: statSync(path).size, rewinds: checkpointer.rewinds, restarts: walRestarts(`${path}-wal`) - firstSequence };
  } finally {
    await checkpointer.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('WAL rewind under sustained writes', () => {
  it('starts the WAL over again and again however long the writes last', async () => {
    // 8,000 commits x ~20 pages x 4 KB: the WAL reached ~500-660 MB and never started over without the catch-up
    // (rewindFrames 0: restarts 0). How far it grows between two restarts depends on how often the checkpoint thread
    // gets a core (35 MB alone, 188 MB once under a full test run), so the test counts restarts, not megabytes.
    const { maxWal, dbSize, rewinds, restarts } = await writeSustained(256, 8000);
    expect(rewinds).toBeGreaterThan(0);
    expect(restarts).toBeGreaterThanOrEqual(2);
    expect(dbSize).toBeLessThan(8 * MB);
    expect(maxWal).toBeLessThan(400 * MB);
  }, 120_000);
});
