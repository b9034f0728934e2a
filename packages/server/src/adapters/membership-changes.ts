/**
 * Shared by the membership adapters (memory, Redis): calls `cb` when `next`
 * differs from the last set it reported (sets are sorted); the first set is
 * always reported. Both implementations also guarantee, beyond the port:
 * heartbeats every ttlMs / 3; join and leave are pushed to watchers at once;
 * an expiry is noticed by a watcher's poll within ttlMs / 3; `join()` may be
 * called again after `leave()`; `close()` leaves if joined.
 */
export function changeReporter(cb: (members: readonly string[]) => void): (next: readonly string[]) => void {
  let last: string | null = null;
  return (next) => {
    const key = next.join('\u0000');
    if (key === last) return;
    last = key;
    cb(next);
  };
}
