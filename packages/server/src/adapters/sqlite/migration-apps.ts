/**
 * Apps (ADR 0013), appended to MIGRATIONS as one version. Never edit it once
 * released: append a new migration instead.
 *
 * Only the apps an operator creates are stored; the built-in `default` app
 * comes from the config. Secrets are SHA-256 digests in a table of their own,
 * so "which app holds this digest" is one primary-key read and a digest can
 * belong to one app only. webhook / push / limits are small JSON documents
 * read whole with the app.
 */
export const APPS_MIGRATION = `
  CREATE TABLE apps (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    webhook    TEXT,              -- JSON AppWebhook, NULL when the app has none
    push       TEXT NOT NULL,     -- JSON AppPushCredentials (paths and public ids only)
    limits     TEXT NOT NULL,     -- JSON AppLimits
    version    INTEGER NOT NULL
  ) WITHOUT ROWID;

  -- rowid order is the order secrets were added (oldest first).
  CREATE TABLE app_secrets (
    digest TEXT NOT NULL UNIQUE,
    app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE
  );
  CREATE INDEX app_secrets_by_app ON app_secrets(app_id);
`;

/**
 * Users belong to one app (ADR 0013 §3): users.app_id, and usernames unique
 * per app instead of globally. SQLite cannot drop the inline UNIQUE of
 * migration 1, so the table is rebuilt (the documented procedure: migrate()
 * runs with foreign keys off and checks them before committing). Every
 * existing user lands in the `default` app; ids are kept, so nothing keyed
 * by user id changes.
 */
export const USERS_APP_MIGRATION = `
  CREATE TABLE users_with_app (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id        TEXT NOT NULL DEFAULT 'default',
    username      TEXT NOT NULL,                     -- BINARY collation: case-sensitive
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
  );
  INSERT INTO users_with_app (id, app_id, username, password_hash, created_at)
    SELECT id, 'default', username, password_hash, created_at FROM users;
  -- Keep AUTOINCREMENT's high-water mark (ids are never reused).
  UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM sqlite_sequence WHERE name IN ('users', 'users_with_app'))
    WHERE name = 'users_with_app';
  DROP TABLE users;
  ALTER TABLE users_with_app RENAME TO users;
  CREATE UNIQUE INDEX users_by_app_username ON users(app_id, username);
`;
