/**
 * Migration 15: the webhook outbox moves into xinbox.db (issue 16). It had
 * a file of its own (webhook-outbox.db); in the message database a message
 * and its after-send events (`message.sent`, `group.*`) commit in one
 * transaction, so a crash can no longer keep one without the other. Same
 * tables as the old file (sqlite-webhook-outbox.ts); an old file's pending
 * events are carried over once at open (legacy-webhook-outbox.ts), and
 * webhook_outbox_imports records that it was, in the import's transaction.
 */
export const WEBHOOK_OUTBOX_MIGRATION = `
  CREATE TABLE webhook_events (
    position   INTEGER PRIMARY KEY AUTOINCREMENT, -- append order; never reused
    lane       INTEGER NOT NULL,
    id         TEXT NOT NULL,
    type       TEXT NOT NULL,
    order_key  TEXT NOT NULL,
    json       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    app_id     TEXT NOT NULL DEFAULT 'default' -- whose receiver gets it (ADR 0013)
  );
  CREATE INDEX webhook_events_by_lane ON webhook_events (lane, position);

  -- One row per lane: the delivery lease and the retry state of its head.
  CREATE TABLE webhook_lanes (
    lane            INTEGER PRIMARY KEY,
    holder          TEXT NOT NULL DEFAULT '',
    lease_until     INTEGER NOT NULL DEFAULT 0,
    claimed_at      INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT ''
  );
  -- The default app's WEBHOOK_LANES = 32; another app's lane rows are made by its first append (webhookLaneOf).
  WITH RECURSIVE n(lane) AS (SELECT 0 UNION ALL SELECT lane + 1 FROM n WHERE lane < 31)
  INSERT INTO webhook_lanes (lane) SELECT lane FROM n;

  -- The delivery log (admin console): one row per attempt, newest WEBHOOK_DELIVERY_LOG_SIZE kept.
  CREATE TABLE webhook_deliveries (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    lane            INTEGER NOT NULL,
    at              INTEGER NOT NULL,
    status          TEXT NOT NULL,
    attempt         INTEGER NOT NULL,
    events          TEXT NOT NULL,
    types           TEXT NOT NULL,
    error           TEXT NOT NULL,
    next_attempt_at INTEGER NOT NULL
  );

  -- Old outbox files already carried over (by file name), so a crash before the file is removed never imports it twice.
  CREATE TABLE webhook_outbox_imports (
    file        TEXT PRIMARY KEY,
    events      INTEGER NOT NULL,
    imported_at INTEGER NOT NULL
  );
`;
