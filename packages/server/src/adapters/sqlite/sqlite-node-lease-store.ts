import type Database from 'better-sqlite3';
import type { NodeLeaseStore } from '../../core/ports/node-lease-store.js';

interface LeaseRow {
  node_number: number;
  holder: string;
  expires_at: number;
}

/**
 * NodeLeaseStore on SQLite. A lease is live while now < expires_at.
 * `acquire` runs in an IMMEDIATE transaction, so two processes cannot pick
 * the same free number. Acquiring again as the holder of a live lease returns
 * (and extends) that number. Renewing succeeds while the holder still owns
 * the number, even just after expiry: nobody else took it, so nobody else
 * issued ids with it.
 */
export class SqliteNodeLeaseStore implements NodeLeaseStore {
  private readonly listStmt;
  private readonly upsertStmt;
  private readonly renewStmt;
  private readonly releaseStmt;
  private readonly acquireTx;

  constructor(db: Database.Database) {
    this.listStmt = db.prepare<[number], LeaseRow>(
      'SELECT node_number, holder, expires_at FROM node_leases WHERE node_number >= 0 AND node_number < ? ORDER BY node_number',
    );
    this.upsertStmt = db.prepare<[number, string, number]>(
      `INSERT INTO node_leases (node_number, holder, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (node_number) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at`,
    );
    this.renewStmt = db.prepare<[number, number, string]>(
      'UPDATE node_leases SET expires_at = ? WHERE node_number = ? AND holder = ?',
    );
    this.releaseStmt = db.prepare<[number, string]>('DELETE FROM node_leases WHERE node_number = ? AND holder = ?');
    this.acquireTx = db.transaction((holder: string, max: number, ttlMs: number, now: number): number | null => {
      const leases = new Map(this.listStmt.all(max).map((row) => [row.node_number, row]));
      let free: number | null = null;
      for (let n = 0; n < max; n++) {
        const lease = leases.get(n);
        if (lease && lease.holder === holder && lease.expires_at > now) {
          free = n;
          break;
        }
        if (free === null && (!lease || lease.expires_at <= now)) free = n;
      }
      if (free !== null) this.upsertStmt.run(free, holder, now + ttlMs);
      return free;
    });
  }

  async acquire(holder: string, max: number, ttlMs: number, now: number): Promise<number | null> {
    return this.acquireTx.immediate(holder, max, ttlMs, now);
  }

  async renew(holder: string, nodeNumber: number, ttlMs: number, now: number): Promise<boolean> {
    return this.renewStmt.run(now + ttlMs, nodeNumber, holder).changes === 1;
  }

  async release(holder: string, nodeNumber: number): Promise<void> {
    this.releaseStmt.run(nodeNumber, holder);
  }
}
