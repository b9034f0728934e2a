import type Database from 'better-sqlite3';

/**
 * The app of each outbox event (ADR 0013): existing rows belong to
 * `default`. The outbox file (webhook-outbox.db) has no migration steps of
 * its own, so the column is added when missing, once, at open. Kept apart so
 * it ports as-is to a numbered migration when the outbox tables move into
 * xinbox.db (the statement below is that migration).
 */
export const OUTBOX_APP_COLUMN_SQL = `ALTER TABLE webhook_events ADD COLUMN app_id TEXT NOT NULL DEFAULT 'default'`;

export function addOutboxAppColumn(db: Database.Database): void {
  const columns = db.prepare<[], { name: string }>('PRAGMA table_info(webhook_events)').all();
  if (!columns.some((c) => c.name === 'app_id')) db.exec(OUTBOX_APP_COLUMN_SQL);
}
