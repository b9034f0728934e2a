import type { EventQuery, UserEvent } from '../core/ports/event-log.js';

/** The EventQuery filters except paging, for stores that filter in code. */
export function matchesEventQuery(e: UserEvent, q: EventQuery): boolean {
  if (q.userId !== undefined && e.userId !== q.userId) return false;
  if (q.deviceId !== undefined && e.deviceId !== q.deviceId) return false;
  if (q.types && q.types.length > 0 && !q.types.includes(e.type)) return false;
  if (q.fromTime && e.at < q.fromTime) return false;
  if (q.toTime && e.at >= q.toTime) return false;
  return true;
}
