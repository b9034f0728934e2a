/**
 * Schema for live rooms (issue #7), appended to MIGRATIONS as one version.
 * Never edit it once released: append a new migration instead.
 *
 * Only durable room state lives here: the room, its reliable messages and the
 * host's restrictions. Audience membership stays in gateway memory and
 * ordinary messages are never stored. No foreign keys to users: the core
 * only writes ids of authenticated callers, and room rows must not block
 * anything that happens to users.
 */
export const ROOMS_MIGRATION = `
  CREATE TABLE rooms (
    id         TEXT PRIMARY KEY,
    host_id    INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_seq   INTEGER NOT NULL DEFAULT 0,
    pinned_seq INTEGER NOT NULL DEFAULT 0,
    closed     INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;

  -- Keyed by (room, seq) so range reads are one b-tree walk. id is the
  -- snowflake stored as signed 64-bit (see snowflake-column.ts).
  CREATE TABLE room_messages (
    room_id       TEXT NOT NULL REFERENCES rooms(id),
    seq           INTEGER NOT NULL,
    id            INTEGER NOT NULL,
    sender_id     INTEGER NOT NULL,
    client_msg_id TEXT NOT NULL,
    server_time   INTEGER NOT NULL,
    content       BLOB NOT NULL,
    PRIMARY KEY (room_id, seq)
  ) WITHOUT ROWID;
  -- Dedupe of retried reliable sends; empty client ids are never deduplicated.
  CREATE UNIQUE INDEX room_messages_by_client_msg_id ON room_messages(room_id, sender_id, client_msg_id) WHERE client_msg_id <> '';

  CREATE TABLE room_restrictions (
    room_id TEXT NOT NULL REFERENCES rooms(id),
    user_id INTEGER NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('mute', 'kick')),
    until   INTEGER NOT NULL, -- ms since the epoch; 0 = for the life of the room
    PRIMARY KEY (room_id, user_id, kind)
  ) WITHOUT ROWID;
`;
