import type { EventLogStore, EventQuery, NewUserEvent, UserEvent, UserEventType } from '../../core/ports/event-log.js';
import type { Sql } from './client.js';

interface Row { id: string; user_id: number; device_id: string; type: UserEventType; at: number; platform: string; ip: string; node_id: string; detail: string }

/** EventLogStore on PostgreSQL (schema: migration 8 in migrations.ts); ids from a bigserial. */
export class PostgresEventLog implements EventLogStore {
  constructor(private readonly sql: Sql) {}

  async append(events: readonly NewUserEvent[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((e) => ({ user_id: e.userId, device_id: e.deviceId, type: e.type, at: e.at, platform: e.platform, ip: e.ip, node_id: e.nodeId, detail: e.detail }));
    await this.sql`INSERT INTO user_events ${this.sql(rows, 'user_id', 'device_id', 'type', 'at', 'platform', 'ip', 'node_id', 'detail')}`;
  }

  async query(q: EventQuery): Promise<UserEvent[]> {
    // One statement text for every filter combination (absent filters are NULL / 0).
    const rows = await this.sql<Row[]>`
      SELECT id::text AS id, user_id, device_id, type, at, platform, ip, node_id, detail FROM user_events
      WHERE id > ${q.afterId || '0'}::bigint
        AND (${q.userId ?? null}::bigint IS NULL OR user_id = ${q.userId ?? null}::bigint)
        AND (${q.deviceId ?? null}::text IS NULL OR device_id = ${q.deviceId ?? null}::text)
        AND (${q.types && q.types.length > 0 ? q.types.join(',') : null}::text IS NULL OR type = ANY(string_to_array(${q.types && q.types.length > 0 ? q.types.join(',') : null}::text, ',')))
        AND at >= ${q.fromTime ?? 0}::bigint
        AND (${q.toTime ?? 0}::bigint = 0 OR at < ${q.toTime ?? 0}::bigint)
      ORDER BY user_events.id LIMIT ${q.limit}`; // the column, not the text alias
    return rows.map((r) => ({ id: r.id, userId: Number(r.user_id), deviceId: r.device_id, type: r.type, at: Number(r.at), platform: r.platform, ip: r.ip, nodeId: r.node_id, detail: r.detail }));
  }

  async prune(before: number, limit: number): Promise<number> {
    const r = await this.sql`DELETE FROM user_events WHERE id IN (SELECT id FROM user_events WHERE at < ${before} ORDER BY at LIMIT ${limit})`;
    return r.count;
  }
}
