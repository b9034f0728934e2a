/**
 * The delivery log's row shape shared by the SQLite and PostgreSQL outboxes:
 * a batch's events as a JSON column, and its event types as
 * `,type,type,` so "attempts carrying type X" is one LIKE.
 */
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
  const events = batch.events.map((e) => ({ id: e.id, type: e.type, orderKey: e.orderKey }));
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

export function deliveryFromRow(r: DeliveryRow): WebhookDeliveryRecord {
  return {
    seq: Number(r.seq), lane: r.lane, at: Number(r.at), status: r.status === 'delivered' ? 'delivered' : 'failed', attempt: r.attempt,
    events: JSON.parse(r.events) as WebhookDeliveryRecord['events'], error: r.error, nextAttemptAt: Number(r.next_attempt_at),
  };
}
