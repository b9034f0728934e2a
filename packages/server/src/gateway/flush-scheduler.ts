import type { Connection, FlushSink } from './connection.js';

/**
 * Collects connections with queued frames and flushes each once, on the next
 * turn of the event loop, so all frames produced in one tick for one socket
 * leave in one write. Also tracks connections with unacked pushes.
 */
export class FlushScheduler implements FlushSink {
  private dirty: Connection[] = [];
  private scheduled = false;
  readonly retrying = new Set<Connection>();

  markDirty(c: Connection): void {
    this.dirty.push(c);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushAll);
    }
  }

  markRetry(c: Connection): void {
    this.retrying.add(c);
  }

  retransmit(now: number): void {
    for (const c of this.retrying) if (!c.retransmitDue(now)) this.retrying.delete(c);
  }

  private readonly flushAll = (): void => {
    this.scheduled = false;
    const list = this.dirty;
    this.dirty = [];
    for (const c of list) c.flush();
  };
}
