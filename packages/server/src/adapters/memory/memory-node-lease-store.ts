import type { NodeLeaseStore } from '../../core/ports/node-lease-store.js';

interface Lease {
  holder: string;
  expiresAt: number;
}

/**
 * In-memory NodeLeaseStore. A lease is live while now < expiresAt. Acquiring
 * again as the current holder of a live lease returns (and extends) that
 * number, so a retried acquire does not take a second number. Renewing
 * succeeds while the holder still owns the number, even just after expiry:
 * nobody else took it, so no one else issued ids with it.
 */
export class MemoryNodeLeaseStore implements NodeLeaseStore {
  private readonly leases = new Map<number, Lease>();

  async acquire(holder: string, max: number, ttlMs: number, now: number): Promise<number | null> {
    let free: number | null = null;
    for (let n = 0; n < max; n++) {
      const lease = this.leases.get(n);
      if (lease && lease.holder === holder && lease.expiresAt > now) {
        lease.expiresAt = now + ttlMs;
        return n;
      }
      if (free === null && (!lease || lease.expiresAt <= now)) free = n;
    }
    if (free !== null) this.leases.set(free, { holder, expiresAt: now + ttlMs });
    return free;
  }

  async renew(holder: string, nodeNumber: number, ttlMs: number, now: number): Promise<boolean> {
    const lease = this.leases.get(nodeNumber);
    if (!lease || lease.holder !== holder) return false;
    lease.expiresAt = now + ttlMs;
    return true;
  }

  async release(holder: string, nodeNumber: number): Promise<void> {
    if (this.leases.get(nodeNumber)?.holder === holder) this.leases.delete(nodeNumber);
  }
}
