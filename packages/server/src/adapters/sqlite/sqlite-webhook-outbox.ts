import type Database from 'better-sqlite3';
import { DEFAULT_APP_ID } from '../../core/ports/app-store.js';
import { NO_APP_PATTERN, appFilter, deliveryEvents, deliveryFromRow, idPattern, typePattern, type DeliveryRow } from '../webhook-delivery-rows.js';
import {
  WEBHOOK_DELIVERY_LOG_SIZE, WEBHOOK_LANES, webhookLaneOf,
  type NewWebhookEvent, type WebhookDeliveryQuery, type WebhookDeliveryRecord, type StoredWebhookEvent, type WebhookBatch, type WebhookLaneState, type WebhookOutbox,
} from '../../core/ports/webhook-outbox.js';

interface EventRow {
  position: number;
  lane: number;
  id: string;
  type: string;
  order_key: string;
  json: string;
  created_at: number;
  app_id: string;
}

const INSERT_EVENT = 'INSERT INTO webhook_events (lane, id, type, order_key, json, created_at, app_id) VALUES (?, ?, ?, ?, ?, ?, ?)';

/**
 * Appends events inside the caller's transaction: SqliteMessageStore writes
 * a message's webhook events (AppendItem.webhookEvents) in its append
 * transaction with it, so they commit together. Each event goes to its
 * app's lane set (webhookLaneOf); another app's lane rows are made by the
 * first append that uses them.
 */
export function webhookEventWriter(db: Database.Database): (events: readonly NewWebhookEvent[]) => void {
  const insert = db.prepare<[number, string, string, string, string, number, string]>(INSERT_EVENT);
  const addLane = db.prepare<[number]>('INSERT OR IGNORE INTO webhook_lanes (lane) VALUES (?)');
  return (events) => {
    for (const e of events) {
      const lane = webhookLaneOf(e.appId, e.orderKey);
      if (lane >= WEBHOOK_LANES) addLane.run(lane);
      insert.run(lane, e.id, e.type, e.orderKey, e.json, e.createdAt, e.appId ?? DEFAULT_APP_ID);
    }
  };
}

/**
 * WebhookOutbox on SQLite (single node), in xinbox.db (migration 15; tables
 * in migration-webhook-outbox.ts) so that messages and their events commit
 * together. Write transactions are IMMEDIATE, so a second connection is safe.
 */
export class SqliteWebhookOutbox implements WebhookOutbox {
  private readonly appendTx;
  private readonly claimTx;
  private readonly completeTx;
  private readonly retryTx;
  private readonly lanesStmt;
  private readonly deliveriesStmt;

  /** `db`: the migrated xinbox.db connection (openSqliteDatabase); the outbox does not own it. */
  constructor(db: Database.Database) {
    const logInsert = db.prepare<[number, number, string, number, string, string, string, number]>(
      'INSERT INTO webhook_deliveries (lane, at, status, attempt, events, types, error, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const logTrim = db.prepare<[number]>('DELETE FROM webhook_deliveries WHERE seq <= ?');
    const record = (batch: WebhookBatch, at: number, status: string, error: string, next: number): void => {
      const { events, types } = deliveryEvents(batch);
      const seq = Number(logInsert.run(batch.lane, at, status, batch.attempts + 1, events, types, error, next).lastInsertRowid);
      if (seq > WEBHOOK_DELIVERY_LOG_SIZE) logTrim.run(seq - WEBHOOK_DELIVERY_LOG_SIZE);
    };

    this.appendTx = db.transaction(webhookEventWriter(db));

    const due = db.prepare<[number, number], { lane: number; attempts: number }>(
      `SELECT lane, attempts FROM webhook_lanes l
        WHERE next_attempt_at <= ? AND lease_until <= ? AND EXISTS (SELECT 1 FROM webhook_events e WHERE e.lane = l.lane)
        ORDER BY next_attempt_at, claimed_at LIMIT 1`,
    );
    const lease = db.prepare<[string, number, number, number]>('UPDATE webhook_lanes SET holder = ?, lease_until = ?, claimed_at = ? WHERE lane = ?');
    const head = db.prepare<[number, number], EventRow>(
      'SELECT position, lane, id, type, order_key, json, created_at, app_id FROM webhook_events WHERE lane = ? ORDER BY position LIMIT ?',
    );
    let claims = 0;
    this.claimTx = db.transaction((holder: string, now: number, leaseMs: number, limit: number): WebhookBatch | null => {
      const row = due.get(now, now);
      if (!row) return null;
      lease.run(holder, now + leaseMs, now * 1000 + (++claims % 1000), row.lane);
      return { lane: row.lane, attempts: row.attempts, events: head.all(row.lane, limit).map(fromRow) };
    });

    const release = db.prepare<[number, string]>(
      "UPDATE webhook_lanes SET holder = '', lease_until = 0, attempts = 0, next_attempt_at = 0, last_error = '' WHERE lane = ? AND holder = ?",
    );
    const remove = db.prepare<[number, number]>('DELETE FROM webhook_events WHERE lane = ? AND position <= ?');
    this.completeTx = db.transaction((batch: WebhookBatch, holder: string, at: number): boolean => {
      if (release.run(batch.lane, holder).changes === 0) return false;
      remove.run(batch.lane, batch.events.at(-1)?.position ?? 0);
      record(batch, at, 'delivered', '', 0);
      return true;
    });
    const retry = db.prepare<[number, string, number, string]>(
      "UPDATE webhook_lanes SET holder = '', lease_until = 0, attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE lane = ? AND holder = ?",
    );
    this.retryTx = db.transaction((batch: WebhookBatch, holder: string, next: number, error: string, at: number): boolean => {
      if (retry.run(next, error, batch.lane, holder).changes !== 1) return false;
      record(batch, at, 'failed', error, next);
      return true;
    });
    this.deliveriesStmt = db.prepare<[number, number, string, string, string, number, string, number], DeliveryRow>(
      `SELECT seq, lane, at, status, attempt, events, error, next_attempt_at FROM webhook_deliveries
        WHERE (? < 0 OR lane = ?) AND types LIKE ? ESCAPE '\\' AND events LIKE ? ESCAPE '\\'
          AND (events LIKE ? ESCAPE '\\' OR (? = 1 AND events NOT LIKE ?))
        ORDER BY seq DESC LIMIT ?`,
    );
    this.lanesStmt = db.prepare<[], { lane: number; pending: number; attempts: number; next_attempt_at: number; last_error: string }>(
      `SELECT l.lane, count(*) AS pending, l.attempts, l.next_attempt_at, l.last_error
         FROM webhook_lanes l JOIN webhook_events e ON e.lane = l.lane GROUP BY l.lane ORDER BY l.lane`,
    );
  }

  async append(events: readonly NewWebhookEvent[]): Promise<void> {
    if (events.length > 0) this.appendTx.immediate(events);
  }

  async claim(holder: string, now: number, leaseMs: number, limit: number): Promise<WebhookBatch | null> {
    return this.claimTx.immediate(holder, now, leaseMs, limit);
  }

  async complete(batch: WebhookBatch, holder: string, at = Date.now()): Promise<boolean> {
    return this.completeTx.immediate(batch, holder, at);
  }

  async retryLater(batch: WebhookBatch, holder: string, nextAttemptAt: number, error: string, at = Date.now()): Promise<boolean> {
    return this.retryTx.immediate(batch, holder, nextAttemptAt, error.slice(0, 500), at);
  }

  async deliveries(query: WebhookDeliveryQuery): Promise<WebhookDeliveryRecord[]> {
    const lane = query.lane ?? -1;
    const types = query.eventType === undefined ? '%' : typePattern(query.eventType);
    const ids = query.eventId === undefined ? '%' : idPattern(query.eventId);
    const app = appFilter(query.app);
    return this.deliveriesStmt.all(lane, lane, types, ids, app.pattern, app.legacy, NO_APP_PATTERN, query.limit).map(deliveryFromRow);
  }

  async lanes(): Promise<WebhookLaneState[]> {
    return this.lanesStmt.all().map((r) => ({ lane: r.lane, pending: r.pending, attempts: r.attempts, nextAttemptAt: r.next_attempt_at, lastError: r.last_error }));
  }

  /** The connection belongs to the SQLite adapters; they close it. */
  async close(): Promise<void> {}
}

function fromRow(r: EventRow): StoredWebhookEvent {
  return { position: r.position, lane: r.lane, id: r.id, type: r.type, orderKey: r.order_key, json: r.json, createdAt: r.created_at, appId: r.app_id };
}
