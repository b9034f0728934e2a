/**
 * Migration 3: profiles and privacy, the relationship chain, friend requests
 * and the per-user relationship change feed (issue #15).
 */
export const SOCIAL_MIGRATION = `
  CREATE TABLE profiles (
    user_id             INTEGER PRIMARY KEY REFERENCES users(id),
    display_name        TEXT NOT NULL,
    avatar_url          TEXT NOT NULL,
    bio                 TEXT NOT NULL,
    message_from        TEXT NOT NULL,
    group_invite_from   TEXT NOT NULL,
    presence_to         TEXT NOT NULL,
    friend_request_from TEXT NOT NULL,
    updated_at          INTEGER NOT NULL
  );

  CREATE TABLE relations (
    owner_id   INTEGER NOT NULL REFERENCES users(id),
    peer_id    INTEGER NOT NULL REFERENCES users(id),
    friend     INTEGER NOT NULL DEFAULT 0,
    following  INTEGER NOT NULL DEFAULT 0,
    blocked    INTEGER NOT NULL DEFAULT 0,
    remark     TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (owner_id, peer_id)
  ) WITHOUT ROWID;
  CREATE INDEX relations_inbound ON relations(peer_id) WHERE following = 1 OR friend = 1;

  CREATE TABLE friend_requests (
    id         TEXT PRIMARY KEY,
    from_id    INTEGER NOT NULL REFERENCES users(id),
    to_id      INTEGER NOT NULL REFERENCES users(id),
    note       TEXT NOT NULL,
    status     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  -- At most one pending request per (sender, recipient): the insert guard.
  CREATE UNIQUE INDEX friend_requests_pending ON friend_requests(from_id, to_id) WHERE status = 'pending';
  CREATE INDEX friend_requests_to ON friend_requests(to_id) WHERE status = 'pending';

  CREATE TABLE relation_feed_heads (
    user_id INTEGER PRIMARY KEY,
    head    INTEGER NOT NULL
  );
  CREATE TABLE relation_feed (
    user_id INTEGER NOT NULL,
    seq     INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    key     TEXT NOT NULL,
    PRIMARY KEY (user_id, seq)
  ) WITHOUT ROWID;
`;
