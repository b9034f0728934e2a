/**
 * Migration 12: per-user conversation settings (issue 14 item 2): pin, mute,
 * archive, mark-unread and draft, one row per (user, conversation) that has
 * any; and delete-for-me (hidden_messages). Changes are announced on the user's relation_feed (kind 'conversation').
 */
export const CONVERSATION_SETTINGS_MIGRATION = `
  CREATE TABLE conversation_settings (
    user_id               INTEGER NOT NULL,
    conversation_id       INTEGER NOT NULL,
    pinned_at             INTEGER NOT NULL,
    muted                 INTEGER NOT NULL,
    muted_counts_in_badge INTEGER NOT NULL,
    archived              INTEGER NOT NULL,
    marked_unread         INTEGER NOT NULL,
    draft                 TEXT NOT NULL,
    draft_at              INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
  ) WITHOUT ROWID;

  -- Delete-for-me: messages one user hid from themselves.
  CREATE TABLE hidden_messages (
    user_id         INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    PRIMARY KEY (user_id, conversation_id, seq)
  ) WITHOUT ROWID;
`;
