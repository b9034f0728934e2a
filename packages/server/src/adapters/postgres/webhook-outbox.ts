import { NO_APP_PATTERN, appFilter, deliveryEvents, deliveryFromRow, idPattern, typePattern, type DeliveryRow } from '../webhook-delivery-rows.js';
import {
  WEBHOOK_DELIVERY_LOG_SIZE, WEBHOOK_LANES, webhookLaneOf,
  type NewWebhookEvent, type WebhookDeliveryQuery, type WebhookDeliveryRecord, type StoredWebhookEvent, type WebhookBatch, type WebhookLaneState, type WebhookOutbox,
} from '../../core/ports/webhook-outbox.js';
import type { Sql, TransactionSql as Tx } from './client.js';
import { int8Array } from './array-literal.js';
import { DEFAULT_APP_ID } from '../../core/ports/app-store.js';

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

/**
 * WebhookOutbox on PostgreSQL (schema: migration 3 in migrations.ts), shared
 * by every node of a cluster. A claim locks the chosen lane row with
 * FOR UPDATE SKIP LOCKED, so concurrent claimers on other nodes pick other
 * lanes instead of waiting, and one lane has one holder at a time.
 *
 * Order within a lane is the identity position. A position is taken
 * before commit, so two concurrent appends (the emitter's and a message
 * append's, or two nodes') could commit out of position order. Events of
 * one order key are never appended concurrently (`conversation:` events
 * only by the conversation's owner, one append batch at a time; `user:` and
 * `room:` events only by a node's emitter, one batch at a time), and
 * `complete` deletes exactly the delivered positions, so an event of another
 * key that commits late behind a delivered batch is delivered next, not lost.
 */
export class PostgresWebhookOutbox implements WebhookOutbox {
  constructor(private readonly sql: Sql) {}

  async append(events: readonly NewWebhookEvent[]): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((e) => ({
      lane: webhookLaneOf(e.appId, e.orderKey), id: e.id, type: e.type, order_key: e.orderKey, json: e.json, created_at: e.createdAt, app_id: e.appId ?? DEFAULT_APP_ID,
    }));
    // Another app's lane set: its lane rows first (before its events can be claimed), made by the first append that uses them.
    const extra = [...new Set(rows.map((r) => r.lane).filter((l) => l >= WEBHOOK_LANES))];
    if (extra.length > 0) await this.sql`INSERT INTO webhook_lanes (lane) SELECT unnest(${int8Array(extra)}::int8[]) ON CONFLICT (lane) DO NOTHING`;
    // One multi-row INSERT: rows get positions in list order.
    await this.sql`INSERT INTO webhook_events ${this.sql(rows, 'lane', 'id', 'type', 'order_key', 'json', 'created_at', 'app_id')}`;
  }

  async claim(holder: string, now: number, leaseMs: number, limit: number): Promise<WebhookBatch | null> {
    return this.sql.begin(async (tx) => {
      const [lane] = await tx<Array<{ lane: number; attempts: number }>>`
        UPDATE webhook_lanes SET holder = ${holder}, lease_until = ${now + leaseMs}, claimed_at = clock_timestamp()
         WHERE lane = (
           SELECT l.lane FROM webhook_lanes l
            WHERE l.next_attempt_at <= ${now} AND l.lease_until <= ${now}
              AND EXISTS (SELECT 1 FROM webhook_events e WHERE e.lane = l.lane)
            ORDER BY l.next_attempt_at, l.claimed_at LIMIT 1
            FOR UPDATE SKIP LOCKED)
        RETURNING lane, attempts`;
      if (!lane) return null;
      const rows = await tx<EventRow[]>`
        SELECT position, lane, id, type, order_key, json, created_at, app_id FROM webhook_events
         WHERE lane = ${lane.lane} ORDER BY position LIMIT ${limit}`;
      return { lane: lane.lane, attempts: lane.attempts, events: rows.map(fromRow) };
    }) as Promise<WebhookBatch | null>;
  }

  async complete(batch: WebhookBatch, holder: string, at = Date.now()): Promise<boolean> {
    const positions = batch.events.map((e) => e.position);
    return this.sql.begin(async (tx) => {
      const released = await tx`
        UPDATE webhook_lanes SET holder = '', lease_until = 0, attempts = 0, next_attempt_at = 0, last_error = ''
         WHERE lane = ${batch.lane} AND holder = ${holder}`;
      if (released.count === 0) return false;
      await tx`DELETE FROM webhook_events WHERE lane = ${batch.lane} AND position = ANY(${int8Array(positions)}::int8[])`;
      await record(tx, batch, at, 'delivered', '', 0);
      return true;
    }) as Promise<boolean>;
  }

  async retryLater(batch: WebhookBatch, holder: string, nextAttemptAt: number, error: string, at = Date.now()): Promise<boolean> {
    const message = error.slice(0, 500);
    return this.sql.begin(async (tx) => {
      const r = await tx`
        UPDATE webhook_lanes SET holder = '', lease_until = 0, attempts = attempts + 1, next_attempt_at = ${nextAttemptAt}, last_error = ${message}
         WHERE lane = ${batch.lane} AND holder = ${holder}`;
      if (r.count !== 1) return false;
      await record(tx, batch, at, 'failed', message, nextAttemptAt);
      return true;
    }) as Promise<boolean>;
  }

  async deliveries(query: WebhookDeliveryQuery): Promise<WebhookDeliveryRecord[]> {
    const lane = query.lane ?? -1;
    const types = query.eventType === undefined ? '%' : typePattern(query.eventType);
    const ids = query.eventId === undefined ? '%' : idPattern(query.eventId);
    const app = appFilter(query.app);
    const rows = await this.sql<DeliveryRow[]>`
      SELECT seq, lane, at, status, attempt, events, error, next_attempt_at FROM webhook_deliveries
       WHERE (${lane}::int < 0 OR lane = ${lane}) AND types LIKE ${types} AND events LIKE ${ids}
         AND (events LIKE ${app.pattern} OR (${app.legacy}::int = 1 AND events NOT LIKE ${NO_APP_PATTERN}))
       ORDER BY seq DESC LIMIT ${query.limit}`;
    return rows.map(deliveryFromRow);
  }

  async lanes(): Promise<WebhookLaneState[]> {
    const rows = await this.sql<Array<{ lane: number; pending: number; attempts: number; next_attempt_at: number; last_error: string }>>`
      SELECT l.lane, count(*)::int8 AS pending, l.attempts, l.next_attempt_at, l.last_error
        FROM webhook_lanes l JOIN webhook_events e ON e.lane = l.lane
       GROUP BY l.lane ORDER BY l.lane`;
    return rows.map((r) => ({ lane: r.lane, pending: r.pending, attempts: r.attempts, nextAttemptAt: r.next_attempt_at, lastError: r.last_error }));
  }

  /** The pool belongs to the PostgreSQL adapters; they close it. */
  async close(): Promise<void> {}
}

/** One attempt in the delivery log, in the caller's transaction, then the log trimmed to its bound. */
async function record(tx: Tx, batch: WebhookBatch, at: number, status: string, error: string, next: number): Promise<void> {
  const { events, types } = deliveryEvents(batch);
  const [row] = await tx<Array<{ seq: number }>>`
    INSERT INTO webhook_deliveries (lane, at, status, attempt, events, types, error, next_attempt_at)
    VALUES (${batch.lane}, ${at}, ${status}, ${batch.attempts + 1}, ${events}, ${types}, ${error}, ${next}) RETURNING seq`;
  const seq = Number(row!.seq);
  if (seq > WEBHOOK_DELIVERY_LOG_SIZE) await tx`DELETE FROM webhook_deliveries WHERE seq <= ${seq - WEBHOOK_DELIVERY_LOG_SIZE}`;
}

function fromRow(r: EventRow): StoredWebhookEvent {
  return { position: r.position, lane: r.lane, id: r.id, type: r.type, orderKey: r.order_key, json: r.json, createdAt: r.created_at, appId: r.app_id };
}
