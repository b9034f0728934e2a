/**
 * Leases a node number for the snowflake generator so two live nodes never
 * share one. Contract: while a lease is live and renewed before expiry, no
 * other holder obtains the same number; an expired lease may be taken over.
 */
export interface NodeLeaseStore {
  /** Take a free (or expired) number in [0, max); null when all are taken. */
  acquire(holder: string, max: number, ttlMs: number, now: number): Promise<number | null>;
  /** Renew; false if the lease was lost (then the node must stop issuing ids). */
  renew(holder: string, nodeNumber: number, ttlMs: number, now: number): Promise<boolean>;
  release(holder: string, nodeNumber: number): Promise<void>;
}
