/**
 * Which nodes of the cluster are alive (no port in core/ports yet; the lead
 * will move this interface there).
 *
 * Contract:
 * - After `join()` resolves, this node is in `members()` of every node that
 *   shares the membership store, and stays there while the process lives:
 *   the implementation heartbeats on its own every `ttlMs / 3`.
 * - A node that stops heartbeating (crash, partition) leaves `members()` once
 *   `ttlMs` passed since its last heartbeat.
 * - `leave()` removes the node at once and stops its heartbeats; `join()`
 *   may be called again later.
 * - `members()` returns the live node ids, sorted, without duplicates.
 * - `watch(cb)` calls cb with the sorted live set each time it changes: on
 *   a join or leave promptly (pushed), on an expiry within the poll
 *   interval (at most `ttlMs / 3` after it). Calls for one watcher never
 *   overlap and arrive in order. The first call comes once the watcher has
 *   read the current set (cb sees the initial state). cb is never called
 *   after the returned stop function was called.
 * - `close()` leaves (if joined) and releases timers and subscriptions.
 */
export interface NodeMembership {
  readonly nodeId: string;
  join(): Promise<void>;
  leave(): Promise<void>;
  members(): Promise<string[]>;
  watch(cb: (members: readonly string[]) => void): () => void;
  close(): Promise<void>;
}

/** Calls `cb` when `next` differs from the last set it reported (sets are sorted). */
export function changeReporter(cb: (members: readonly string[]) => void): (next: readonly string[]) => void {
  let last: string | null = null;
  return (next) => {
    const key = next.join('\u0000');
    if (key === last) return;
    last = key;
    cb(next);
  };
}
