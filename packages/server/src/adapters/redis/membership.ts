import type { NodeMembership } from '../../core/ports/membership.js';

/**
 * NodeMembership now lives in core/ports/membership.ts (its contract is
 * there). Re-exported so the Redis and memory implementations in this folder
 * keep one import. Details both implementations guarantee beyond the port:
 * heartbeats every ttlMs / 3; join and leave are pushed to watchers at once;
 * an expiry is noticed by a watcher's poll within ttlMs / 3; `join()` may be
 * called again after `leave()`; `close()` leaves if joined.
 */
export type { NodeMembership };

/** Calls `cb` when `next` differs from the last set it reported (sets are sorted); the first set is always reported. */
export function changeReporter(cb: (members: readonly string[]) => void): (next: readonly string[]) => void {
  let last: string | null = null;
  return (next) => {
    const key = next.join('\u0000');
    if (key === last) return;
    last = key;
    cb(next);
  };
}
