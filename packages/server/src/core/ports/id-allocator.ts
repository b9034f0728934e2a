/**
 * Global id allocation in segment mode (seed 003, Meituan Leaf): a caller
 * reserves a block of ids in one durable step and hands them out from memory.
 *
 * Contract: blocks returned for the same name never overlap, across calls,
 * processes and restarts; ids are positive. Ids of an unused block are lost
 * (monotonic, not continuous).
 */
export interface IdAllocator {
  /** Reserve `count` ids; returns the first (the block is [first, first+count)). */
  reserve(name: string, count: number): Promise<number>;
}

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
