/**
 * The delivery log's row shape shared by the SQLite and PostgreSQL outboxes:
 * a batch's events as a JSON column, and its event types as
 * `,type,type,` so "attempts carrying type X" is one LIKE. Each event in the
 * JSON carries its app (`"app":"<id>"`; rows written before apps have none
 * and are `default`'s), so "attempts of app X" is one LIKE too, with no
 * column to migrate: a batch is always one app's.
 */
import { DEFAULT_APP_ID, type AppId } from '../core/ports/app-store.js';
import type { WebhookBatch, WebhookDeliveryRecord } from '../core/ports/webhook-outbox.js';

export interface DeliveryRow {
  seq: number | string;
  lane: number;
  at: number | string;
  status: string;
  attempt: number;
  events: string;
  error: string;
  next_attempt_at: number | string;
}

export function deliveryEvents(batch: WebhookBatch): { events: string; types: string } {
  const events = batch.events.map((e) => ({ id: e.id, type: e.type, orderKey: e.orderKey, app: e.appId ?? DEFAULT_APP_ID }));
  return { events: JSON.stringify(events), types: `,${[...new Set(events.map((e) => e.type))].join(',')},` };
}

/** The LIKE pattern matching rows whose batch carried `eventType` (wildcards in the type escaped with \\). */
export function typePattern(eventType: string): string {
  return `%,${eventType.replace(/[\\%_]/g, (c) => `\\${c}`)},%`;
}

/** The LIKE pattern matching rows whose events JSON carries the event `id` (as JSON.stringify wrote it). */
export function idPattern(eventId: string): string {
  return `%${JSON.stringify({ id: eventId }).slice(1, -1).replace(/[\\%_]/g, (c) => `\\${c}`)},%`;
}

/**
 * The app filter of a delivery-log query: a LIKE pattern over the events JSON, and whether rows without an app
 * (recorded before apps) match too (they are `default`'s). No app: every row.
 */
export function appFilter(app: AppId | undefined): { pattern: string; legacy: 0 | 1 } {
  if (app === undefined) return { pattern: '%', legacy: 0 };
  return { pattern: `%${JSON.stringify({ app }).slice(1, -1).replace(/[\\%_]/g, (c) => `\\${c}`)}%`, legacy: app === DEFAULT_APP_ID ? 1 : 0 };
}

/** Matches the events JSON of a row recorded before apps (no `"app":`). */
export const NO_APP_PATTERN = '%"app":%';

export function deliveryFromRow(r: DeliveryRow): WebhookDeliveryRecord {
  const events = JSON.parse(r.events) as Array<{ id: string; type: string; orderKey: string; app?: AppId }>;
  return {
    seq: Number(r.seq), lane: r.lane, app: events[0]?.app ?? DEFAULT_APP_ID, at: Number(r.at), status: r.status === 'delivered' ? 'delivered' : 'failed',
    attempt: r.attempt, events: events.map((e) => ({ id: e.id, type: e.type, orderKey: e.orderKey })), error: r.error, nextAttemptAt: Number(r.next_attempt_at),
  };
}
