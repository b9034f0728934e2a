/** Migration 4: reports, account restrictions and the moderation audit log (issue #15). */
export const MODERATION_MIGRATION = `
  CREATE TABLE reports (
    id              TEXT PRIMARY KEY,
    message_id      TEXT NOT NULL,
    conversation_id INTEGER NOT NULL,
    sender_id       INTEGER NOT NULL,
    reporter_id     INTEGER NOT NULL,
    reason          TEXT NOT NULL,
    excerpt         TEXT NOT NULL,
    status          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    resolved_by     INTEGER NOT NULL DEFAULT 0,
    resolution      TEXT NOT NULL DEFAULT '',
    resolved_at     INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX reports_by_status ON reports(status, created_at);

  CREATE TABLE restrictions (
    user_id     INTEGER PRIMARY KEY,
    muted_until INTEGER NOT NULL,
    banned      INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  );

  CREATE TABLE moderation_audit (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    at             INTEGER NOT NULL,
    actor_id       INTEGER NOT NULL,
    action         TEXT NOT NULL,
    target_user_id INTEGER NOT NULL,
    report_id      TEXT NOT NULL,
    detail         TEXT NOT NULL
  );
`;
