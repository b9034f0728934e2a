/**
 * Message operations (recall, edit, reaction, pin; issue #14): one row per
 * operation event, written in the append transaction (core/ports/message-effects).
 * Unread subtracts the rows above a member's read seq, so operations never
 * count as unread; a recall finds its target's edits here to redact them.
 */
export const MESSAGE_OPS_MIGRATION = `
  CREATE TABLE message_ops (
    conversation_id INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    target_seq      INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq)
  ) WITHOUT ROWID;
  CREATE INDEX message_ops_target ON message_ops (conversation_id, target_seq);
`;
