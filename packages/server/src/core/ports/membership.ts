/**
 * Which nodes of the cluster are alive.
 *
 * Contract:
 * - After `join()` resolves, this node is in `members()` of every node that
 *   shares the membership store, and stays there while the process lives
 *   (the implementation heartbeats on its own).
 * - A node that stops heartbeating (crash, partition) leaves `members()` once
 *   its TTL has passed since its last heartbeat.
 * - `leave()` removes the node at once and stops its heartbeats.
 * - `members()` returns the live node ids, sorted, without duplicates.
 * - `watch(cb)` calls cb with the sorted live set each time it changes (and
 *   once with the initial set); calls never overlap and arrive in order; never
 *   after the returned stop function was called.
 */
export interface NodeMembership {
  readonly nodeId: string;
  join(): Promise<void>;
  leave(): Promise<void>;
  members(): Promise<string[]>;
  watch(cb: (members: readonly string[]) => void): () => void;
  close(): Promise<void>;
}
