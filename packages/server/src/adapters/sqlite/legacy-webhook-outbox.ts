import { existsSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import Database from 'better-sqlite3';
import { WEBHOOK_DELIVERY_LOG_SIZE, webhookLane } from '../../core/ports/webhook-outbox.js';

/** The schema version of the old outbox file this step reads (its PRAGMA user_version). */
const LEGACY_VERSION = 1;

interface LegacyEvent { id: string; type: string; order_key: string; json: string; created_at: number }
interface LegacyLane { lane: number; attempts: number; next_attempt_at: number; last_error: string }
interface LegacyDelivery { lane: number; at: number; status: string; attempt: number; events: string; types: string; error: string; next_attempt_at: number }

export interface LegacyImport {
  /** 'imported': the file's events were carried over now; 'removed': they had been before (a crash kept the file); 'none': no file. */
  readonly outcome: 'imported' | 'removed' | 'none';
  readonly events: number;
}

/**
 * Upgrade step (issue 16): before migration 15 the webhook outbox was a
 * file of its own beside xinbox.db (`webhook-outbox.db`). Its pending
 * events, the lanes' retry state and the delivery log are copied into
 * xinbox.db's tables once, in append order (so per-key order holds), in one
 * transaction that also records the import in webhook_outbox_imports; then
 * the old file (and its -wal, -shm) is removed. A crash between the commit
 * and the removal leaves the file behind: the next open sees the record and
 * only removes it, so no event is imported twice.
 *
 * Runs at open, before anything appends or claims.
 */
export function importLegacyWebhookOutbox(db: Database.Database, file: string): LegacyImport {
  if (!existsSync(file)) return { outcome: 'none', events: 0 };
  const name = basename(file);
  const done = db.prepare<[string], { events: number }>('SELECT events FROM webhook_outbox_imports WHERE file = ?').get(name);
  if (done) {
    removeDatabaseFiles(file);
    return { outcome: 'removed', events: done.events };
  }
  const old = new Database(file, { fileMustExist: true });
  let events: LegacyEvent[];
  let lanes: LegacyLane[];
  let deliveries: LegacyDelivery[];
  try {
    const version = old.pragma('user_version', { simple: true }) as number;
    if (version > LEGACY_VERSION) throw new Error(`webhook outbox schema ${version} is newer than this server (${LEGACY_VERSION})`);
    const has = (table: string): boolean => old.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
    events = has('webhook_events')
      ? old.prepare<[], LegacyEvent>('SELECT id, type, order_key, json, created_at FROM webhook_events ORDER BY position').all()
      : [];
    lanes = has('webhook_lanes')
      ? old.prepare<[], LegacyLane>('SELECT lane, attempts, next_attempt_at, last_error FROM webhook_lanes WHERE attempts > 0').all()
      : [];
    deliveries = has('webhook_deliveries')
      ? old.prepare<[number], LegacyDelivery>(
        'SELECT lane, at, status, attempt, events, types, error, next_attempt_at FROM (SELECT * FROM webhook_deliveries ORDER BY seq DESC LIMIT ?) ORDER BY seq',
      ).all(WEBHOOK_DELIVERY_LOG_SIZE)
      : [];
  } finally {
    // The last connection to close checkpoints the WAL into the file and deletes it.
    old.close();
  }

  const insertEvent = db.prepare<[number, string, string, string, string, number]>(
    'INSERT INTO webhook_events (lane, id, type, order_key, json, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const laneState = db.prepare<[number, number, string, number]>(
    'UPDATE webhook_lanes SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE lane = ?',
  );
  const insertDelivery = db.prepare<[number, number, string, number, string, string, string, number]>(
    'INSERT INTO webhook_deliveries (lane, at, status, attempt, events, types, error, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (const e of events) insertEvent.run(webhookLane(e.order_key), e.id, e.type, e.order_key, e.json, e.created_at);
    for (const l of lanes) laneState.run(l.attempts, l.next_attempt_at, l.last_error, l.lane);
    for (const d of deliveries) insertDelivery.run(d.lane, d.at, d.status, d.attempt, d.events, d.types, d.error, d.next_attempt_at);
    db.prepare('INSERT INTO webhook_outbox_imports (file, events, imported_at) VALUES (?, ?, ?)').run(name, events.length, Date.now());
  }).immediate();
  removeDatabaseFiles(file);
  return { outcome: 'imported', events: events.length };
}

function removeDatabaseFiles(file: string): void {
  for (const suffix of ['-wal', '-shm', '']) rmSync(file + suffix, { force: true });
}
