import type { UserId } from '../../core/model.js';

/**
 * Per-user sync heads (the last sync seq handed out), cached so that
 * allocating a sync seq on the append hot path costs no query. A head is
 * loaded lazily from the database the first time a user needs one.
 *
 * Allocation happens inside the append transaction; `begin` starts an undo
 * log and `rollback` puts back every head the failed transaction advanced,
 * so a rolled-back batch consumes no sync seqs.
 */
export class SyncHeadCache {
  private readonly heads = new Map<UserId, number>();
  private undo: Map<UserId, number | undefined> | null = null;

  /**
   * @param loadHead reads a user's committed head from the database.
   * @param maxUsers above this many cached users the cache starts over, bounding memory.
   */
  constructor(
    private readonly loadHead: (userId: UserId) => number,
    private readonly maxUsers = 500_000,
  ) {}

  begin(): void {
    if (this.heads.size > this.maxUsers) this.heads.clear();
    this.undo = new Map();
  }

  /** The next sync seq of `userId`; only valid between begin and commit/rollback. */
  next(userId: UserId): number {
    const cached = this.heads.get(userId);
    const head = cached ?? this.loadHead(userId);
    if (this.undo && !this.undo.has(userId)) this.undo.set(userId, cached);
    this.heads.set(userId, head + 1);
    return head + 1;
  }

  commit(): void {
    this.undo = null;
  }

  rollback(): void {
    for (const [userId, head] of this.undo ?? []) {
      if (head === undefined) this.heads.delete(userId);
      else this.heads.set(userId, head);
    }
    this.undo = null;
  }

  /** Forget everything, e.g. after another connection wrote timelines. */
  clear(): void {
    this.heads.clear();
    this.undo?.clear();
  }
}
