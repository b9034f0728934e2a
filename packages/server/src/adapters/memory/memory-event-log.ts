import type { EventLogStore, EventQuery, NewUserEvent, UserEvent } from '../../core/ports/event-log.js';
import { matchesEventQuery } from '../event-log-filter.js';

/** EventLogStore in memory (tests, demos): an append-only array. */
export class MemoryEventLog implements EventLogStore {
  private events: UserEvent[] = [];
  private nextId = 1;

  async append(events: readonly NewUserEvent[]): Promise<void> {
    for (const e of events) this.events.push({ ...e, id: String(this.nextId++) });
  }

  async query(q: EventQuery): Promise<UserEvent[]> {
    const after = q.afterId ? Number(q.afterId) : 0;
    const out: UserEvent[] = [];
    for (const e of this.events) {
      if (Number(e.id) <= after || !matchesEventQuery(e, q)) continue;
      out.push(e);
      if (out.length >= q.limit) break;
    }
    return out;
  }

  async prune(before: number, limit: number): Promise<number> {
    let removed = 0;
    this.events = this.events.filter((e) => {
      if (e.at < before && removed < limit) {
        removed++;
        return false;
      }
      return true;
    });
    return removed;
  }
}
