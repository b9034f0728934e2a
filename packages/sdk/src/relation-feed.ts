import type { RelationChange, RelationSyncResult } from '@xinbox/protocol';

export interface RelationFeedHooks {
  /** Each change exactly once, in seq order. */
  deliver(change: RelationChange): void;
  error(err: unknown): void;
}

/**
 * The client side of the user's relationship change feed: entries are
 * numbered 1, 2, 3, ... per user. Pushed entries are delivered when they are
 * the next one; a push that skips ahead, and every (re)connect, pulls from
 * the cursor instead (RelationSync), so each change reaches the application
 * exactly once and in order on every device.
 */
export class RelationFeed {
  private cursor = 0;
  private pull: ((cursor: number) => Promise<RelationSyncResult>) | null = null;
  private pulling: Promise<void> | null = null;
  private again = false;

  constructor(private readonly hooks: RelationFeedHooks) {}

  /** Highest seq delivered. */
  get position(): number {
    return this.cursor;
  }

  attach(pull: (cursor: number) => Promise<RelationSyncResult>): Promise<void> {
    this.pull = pull;
    return this.catchUp();
  }

  detach(): void {
    this.pull = null;
  }

  onPush(change: RelationChange): void {
    if (change.seq <= this.cursor) return;
    if (change.seq === this.cursor + 1 && !this.pulling) {
      this.cursor = change.seq;
      this.hooks.deliver(change);
      return;
    }
    void this.catchUp();
  }

  private catchUp(): Promise<void> {
    if (this.pulling) {
      this.again = true;
      return this.pulling;
    }
    this.pulling = this.run().finally(() => {
      this.pulling = null;
      if (this.again) {
        this.again = false;
        void this.catchUp();
      }
    });
    return this.pulling;
  }

  private async run(): Promise<void> {
    try {
      for (;;) {
        const pull = this.pull;
        if (!pull) return;
        const page = await pull(this.cursor);
        for (const c of page.changes) {
          if (c.seq <= this.cursor) continue;
          this.cursor = c.seq;
          this.hooks.deliver(c);
        }
        if (!page.hasMore || page.changes.length === 0) return;
      }
    } catch (err) {
      this.hooks.error(err);
    }
  }
}
