import type Database from 'better-sqlite3';
import { ROOMS_MIGRATION } from './migration-rooms.js';
import { SOCIAL_MIGRATION } from './migration-social.js';
import { MODERATION_MIGRATION } from './migration-moderation.js';
import { SEARCH_MIGRATION } from './migration-search.js';
import { MEDIA_MIGRATION } from './migration-media.js';
import { COMMERCE_MIGRATION } from './migration-commerce.js';
import { MESSAGE_OPS_MIGRATION } from './migration-message-ops.js';
import { PINS_MIGRATION } from './migration-pins.js';
import { SEARCH_BACKFILL_MIGRATION } from './migration-search-backfill.js';
import { CONVERSATION_SETTINGS_MIGRATION } from './migration-conversation-settings.js';
import { APPS_MIGRATION, USERS_APP_MIGRATION } from './migration-apps.js';
import { WEBHOOK_OUTBOX_MIGRATION } from './migration-webhook-outbox.js';
import { SUMMARY_WATERMARK_MIGRATION } from './migration-summary-watermark.js';

/**
 * Schema migrations, applied in order at open; PRAGMA user_version records
 * the last one applied. Never edit a released migration: append a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: initial schema.
  `
  CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: ids are never reused
    username      TEXT NOT NULL UNIQUE,              -- BINARY collation: case-sensitive
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
  );

  CREATE TABLE devices (
    user_id   INTEGER NOT NULL REFERENCES users(id),
    device_id TEXT NOT NULL,
    platform  TEXT NOT NULL,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (user_id, device_id)
  ) WITHOUT ROWID;

  CREATE TABLE sessions (
    id                 TEXT PRIMARY KEY,
    user_id            INTEGER NOT NULL REFERENCES users(id),
    device_id          TEXT NOT NULL,
    platform           TEXT NOT NULL,
    refresh_hash       TEXT NOT NULL,
    refresh_expires_at INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    revoked            INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX sessions_by_device ON sessions(user_id, device_id);

  CREATE TABLE conversations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
    created_at      INTEGER NOT NULL,
    last_seq        INTEGER NOT NULL DEFAULT 0,
    last_message_id INTEGER,
    updated_at      INTEGER NOT NULL,
    member_count    INTEGER NOT NULL DEFAULT 0,
    large           INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE direct_pairs (
    user_lo         INTEGER NOT NULL,
    user_hi         INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL UNIQUE REFERENCES conversations(id),
    PRIMARY KEY (user_lo, user_hi)
  ) WITHOUT ROWID;

  CREATE TABLE groups (
    conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id),
    name            TEXT NOT NULL,
    avatar_url      TEXT NOT NULL,
    announcement    TEXT NOT NULL,
    owner_id        INTEGER NOT NULL,
    join_policy     TEXT NOT NULL,
    muted_all       INTEGER NOT NULL DEFAULT 0,
    dissolved       INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE members (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    user_id         INTEGER NOT NULL REFERENCES users(id),
    role            TEXT NOT NULL,
    read_seq        INTEGER NOT NULL DEFAULT 0,
    first_seq       INTEGER NOT NULL DEFAULT 1,
    joined_at       INTEGER NOT NULL,
    muted_until     INTEGER NOT NULL DEFAULT 0,
    dnd             INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, user_id)
  ) WITHOUT ROWID;
  CREATE INDEX members_by_user ON members(user_id);

  -- The rowid is the snowflake id (signed 64-bit), so rows are stored in time
  -- order: appends go to the end of the table b-tree and getById is a rowid hit.
  CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    seq             INTEGER NOT NULL,
    sender_id       INTEGER NOT NULL,
    client_msg_id   TEXT NOT NULL,
    server_time     INTEGER NOT NULL,
    content         BLOB NOT NULL,
    mentions        TEXT,             -- JSON array, NULL when empty
    mention_all     INTEGER NOT NULL DEFAULT 0,
    visible_to      TEXT              -- JSON array, NULL when empty (everyone)
  );
  CREATE UNIQUE INDEX messages_by_seq ON messages(conversation_id, seq);
  CREATE UNIQUE INDEX messages_by_client_msg_id ON messages(sender_id, client_msg_id);

  -- No foreign keys: rows are written in the same transaction as their
  -- message, and the checks would cost the fan-out hot path.
  CREATE TABLE timeline (
    user_id         INTEGER NOT NULL,
    sync_seq        INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    PRIMARY KEY (user_id, sync_seq)
  ) WITHOUT ROWID;

  -- A user's sync head as of the last trim, so trimming every entry never
  -- lets a sync seq be issued twice.
  CREATE TABLE timeline_heads (
    user_id INTEGER PRIMARY KEY,
    head    INTEGER NOT NULL
  );

  -- user_id 0 means @all (every member except sender_id).
  CREATE TABLE mentions (
    conversation_id INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    sender_id       INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id, seq)
  ) WITHOUT ROWID;

  CREATE TABLE join_requests (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    user_id         INTEGER NOT NULL REFERENCES users(id),
    requested_at    INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
  ) WITHOUT ROWID;

  CREATE TABLE id_blocks (
    name    TEXT PRIMARY KEY,
    next_id INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE node_leases (
    node_number INTEGER PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
  );
  `,
  // 2: live rooms (issue #7), see migration-rooms.ts.
  ROOMS_MIGRATION,
  // 3: profiles, privacy, relationships (issue #15), see migration-social.ts.
  SOCIAL_MIGRATION,
  // 4: reports, restrictions, moderation audit log (issue #15), see migration-moderation.ts.
  MODERATION_MIGRATION,
  // 5: media catalog (issue #13), see migration-media.ts.
  MEDIA_MIGRATION,
  // 6: customer service and item conversations (issue #15), see migration-commerce.ts.
  COMMERCE_MIGRATION,
  // 7: timed bans (operator `xinbox user ban --minutes`): 0 = until unbanned.
  'ALTER TABLE restrictions ADD COLUMN banned_until INTEGER NOT NULL DEFAULT 0;',
  // 8: full-text search (issue #14), see migration-search.ts.
  SEARCH_MIGRATION,
  // 9: message operations (issue #14), see migration-message-ops.ts.
  MESSAGE_OPS_MIGRATION,
  // 10: the conversations' current pins (issue #14), see migration-pins.ts.
  PINS_MIGRATION,
  // 11: the search index backfill's cursor (issue #14), see migration-search-backfill.ts.
  SEARCH_BACKFILL_MIGRATION,
  // 12: per-user conversation settings (issue #14), see migration-conversation-settings.ts.
  CONVERSATION_SETTINGS_MIGRATION,
  // 13: apps (ADR 0013), see migration-apps.ts.
  APPS_MIGRATION,
  // 14: users.app_id, usernames unique per app (ADR 0013), see migration-apps.ts.
  USERS_APP_MIGRATION,
  // 15: the webhook outbox in xinbox.db, written with the messages (issue #16), see migration-webhook-outbox.ts.
  WEBHOOK_OUTBOX_MIGRATION,
  // 16: conversation-summary write-behind's watermark (ADR 0016), see migration-summary-watermark.ts.
  SUMMARY_WATERMARK_MIGRATION,
];

/**
 * Brings the schema to the latest version in one IMMEDIATE transaction, so
 * two processes opening a fresh file at once do not both migrate.
 *
 * Foreign keys are off while migrating (a table rebuild, SQLite's documented
 * way to change a constraint, drops and renames a parent table) and checked
 * in full before the transaction commits, so a migration cannot leave a
 * dangling reference behind.
 */
export function migrate(db: Database.Database): void {
  const run = db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new Error(`database schema version ${current} is newer than this server (${MIGRATIONS.length})`);
    }
    if (current === MIGRATIONS.length) return;
    for (let version = current + 1; version <= MIGRATIONS.length; version++) {
      db.exec(MIGRATIONS[version - 1]!);
      db.pragma(`user_version = ${version}`);
    }
    const dangling = db.pragma('foreign_key_check') as unknown[];
    if (dangling.length > 0) throw new Error(`migration left ${dangling.length} dangling foreign key(s): ${JSON.stringify(dangling.slice(0, 3))}`);
  });
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    run.immediate();
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
}
