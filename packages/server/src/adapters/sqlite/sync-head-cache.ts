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
  /** A user's cached head, with what it was before the open batch first moved it. */
  private readonly heads = new Map<UserId, Head>();
  /** Heads the open batch moved, each once (one map lookup per allocation, not one per map). */
  private undo: Head[] | null = null;
  private batch = 0;

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
    this.batch++;
    this.undo = [];
  }

  /** The next sync seq of `userId`; only valid between begin and commit/rollback. */
  next(userId: UserId): number {
    let entry = this.heads.get(userId);
    if (!entry) {
      entry = { userId, head: this.loadHead(userId), batch: 0, before: NOT_CACHED };
      this.heads.set(userId, entry);
    } else if (entry.batch !== this.batch) {
      entry.before = entry.head;
    }
    if (this.undo && entry.batch !== this.batch) {
      entry.batch = this.batch;
      this.undo.push(entry);
    }
    return ++entry.head;
  }

  commit(): void {
    this.undo = null;
  }

  rollback(): void {
    for (const entry of this.undo ?? []) {
      if (entry.before === NOT_CACHED) {
        if (this.heads.get(entry.userId) === entry) this.heads.delete(entry.userId);
      } else {
        entry.head = entry.before;
      }
    }
    this.undo = null;
  }

  /** Forget everything, e.g. after another connection wrote timelines. */
  clear(): void {
    this.heads.clear();
    if (this.undo) this.undo.length = 0;
  }
}

/** `Head.before` of a head the open batch loaded from the database (a rollback forgets it). */
const NOT_CACHED = -1;

interface Head {
  readonly userId: UserId;
  head: number;
  /** The batch that last moved this head. */
  batch: number;
  /** The head before that batch moved it, or NOT_CACHED. */
  before: number;
}
