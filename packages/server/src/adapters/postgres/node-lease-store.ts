import type { NodeLeaseStore } from '../../core/ports/node-lease-store.js';
import type { Sql } from './client.js';

/**
 * Snowflake node-number leases on PostgreSQL (durable: a restart of the
 * database forgets nothing). A lease is live while now < expires_at, judged
 * against the caller's `now` as the port defines.
 *
 * acquire runs in a transaction holding an advisory lock, so concurrent
 * acquirers on any node pick numbers one at a time. Same rules as the
 * memory adapter: the holder's own live lease is returned (and extended);
 * else the lowest free or expired number. renew succeeds while the holder
 * still owns the number, even just after expiry (nobody else took it).
 */
export class PostgresNodeLeaseStore implements NodeLeaseStore {
  constructor(private readonly sql: Sql) {}

  async acquire(holder: string, max: number, ttlMs: number, now: number): Promise<number | null> {
    return this.sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtext('xinbox.node-leases:' || current_schema()))`;
      const leases = await tx<Array<{ node_number: number; holder: string; expires_at: number }>>`
        SELECT node_number, holder, expires_at FROM node_leases WHERE node_number < ${max} ORDER BY node_number`;
      const own = leases.find((l) => l.holder === holder && l.expires_at > now);
      const live = new Set(leases.filter((l) => l.expires_at > now).map((l) => l.node_number));
      let number: number | null = own ? own.node_number : null;
      for (let n = 0; number === null && n < max; n++) if (!live.has(n)) number = n;
      if (number === null) return null;
      await tx`
        INSERT INTO node_leases (node_number, holder, expires_at) VALUES (${number}, ${holder}, ${now + ttlMs})
        ON CONFLICT (node_number) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at`;
      return number;
    });
  }

  async renew(holder: string, nodeNumber: number, ttlMs: number, now: number): Promise<boolean> {
    const rows = await this.sql`
      UPDATE node_leases SET expires_at = ${now + ttlMs} WHERE node_number = ${nodeNumber} AND holder = ${holder} RETURNING 1`;
    return rows.length === 1;
  }

  async release(holder: string, nodeNumber: number): Promise<void> {
    await this.sql`DELETE FROM node_leases WHERE node_number = ${nodeNumber} AND holder = ${holder}`;
  }
}
