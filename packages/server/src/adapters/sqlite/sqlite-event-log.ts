import type Database from 'better-sqlite3';
import { openSideDatabase } from './side-database.js';
import type { EventLogStore, EventQuery, NewUserEvent, UserEvent, UserEventType } from '../../core/ports/event-log.js';

const SCHEMA_VERSION = 1;
const SCHEMA = `
  CREATE TABLE user_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id   INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    type      TEXT NOT NULL,
    at        INTEGER NOT NULL,
    platform  TEXT NOT NULL,
    ip        TEXT NOT NULL,
    node_id   TEXT NOT NULL,
    detail    TEXT NOT NULL
  );
  CREATE INDEX user_events_by_user ON user_events (user_id, id);
  CREATE INDEX user_events_by_time ON user_events (at);
`;

interface Row { id: number; user_id: number; device_id: string; type: UserEventType; at: number; platform: string; ip: string; node_id: string; detail: string }

/**
 * EventLogStore on SQLite, in a file of its own (`event-log.db` next to
 * xinbox.db) so the log's writes and retention deletes never hold the
 * message database's writer; served by the storage worker thread.
 * AUTOINCREMENT: ids are never reused after a prune, so cursors stay valid.
 */
export class SqliteEventLog implements EventLogStore {
  private readonly db: Database.Database;
  private readonly appendTx;
  private readonly pruneStmt;

  constructor(path: string, synchronous: 'normal' | 'full' = 'normal') {
    const db = (this.db = openSideDatabase(path, synchronous, { sql: SCHEMA, version: SCHEMA_VERSION, what: 'event log' }));
    const insert = db.prepare<[number, string, string, number, string, string, string, string]>(
      'INSERT INTO user_events (user_id, device_id, type, at, platform, ip, node_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.appendTx = db.transaction((events: readonly NewUserEvent[]) => {
      for (const e of events) insert.run(e.userId, e.deviceId, e.type, e.at, e.platform, e.ip, e.nodeId, e.detail);
    });
    this.pruneStmt = db.prepare<[number, number]>('DELETE FROM user_events WHERE id IN (SELECT id FROM user_events WHERE at < ? ORDER BY at LIMIT ?)');
  }

  async append(events: readonly NewUserEvent[]): Promise<void> {
    if (events.length > 0) this.appendTx(events);
  }

  async query(q: EventQuery): Promise<UserEvent[]> {
    const where: string[] = ['id > ?'];
    const args: Array<string | number> = [q.afterId ? Number(q.afterId) : 0];
    const add = (clause: string, ...values: Array<string | number>) => {
      where.push(clause);
      args.push(...values);
    };
    if (q.userId !== undefined) add('user_id = ?', q.userId);
    if (q.deviceId !== undefined) add('device_id = ?', q.deviceId);
    if (q.types && q.types.length > 0) add(`type IN (${q.types.map(() => '?').join(', ')})`, ...q.types);
    if (q.fromTime) add('at >= ?', q.fromTime);
    if (q.toTime) add('at < ?', q.toTime);
    args.push(q.limit);
    const rows = this.db.prepare<Array<string | number>, Row>(`SELECT * FROM user_events WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`).all(...args);
    return rows.map(toEvent);
  }

  async prune(before: number, limit: number): Promise<number> {
    return this.pruneStmt.run(before, limit).changes;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

function toEvent(r: Row): UserEvent {
  return { id: String(r.id), userId: r.user_id, deviceId: r.device_id, type: r.type, at: r.at, platform: r.platform, ip: r.ip, nodeId: r.node_id, detail: r.detail };
}
