import type { StoredMessage, TimelineEntry } from '../../core/model.js';

/**
 * One user's sync timeline. `head` is kept apart from the entries so that
 * trimming every entry never lets a sync seq be handed out twice.
 */
export class SyncTimeline {
  head = 0;
  private entries: TimelineEntry[] = [];

  append(message: StoredMessage): number {
    this.head += 1;
    this.entries.push({ syncSeq: this.head, message });
    return this.head;
  }

  read(after: number, limit: number): TimelineEntry[] {
    const start = this.firstIndexAbove(after);
    return this.entries.slice(start, start + Math.max(0, limit));
  }

  oldest(): number {
    return this.entries[0]?.syncSeq ?? 0;
  }

  trim(upTo: number): void {
    const keepFrom = this.firstIndexAbove(upTo);
    if (keepFrom > 0) this.entries = this.entries.slice(keepFrom);
  }

  private firstIndexAbove(syncSeq: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.syncSeq <= syncSeq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
