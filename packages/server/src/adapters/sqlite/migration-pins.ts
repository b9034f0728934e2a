/**
 * The conversation's current pins (issue #14): one row per pinned message,
 * kept in the append transaction from PinChange events (core/ports/
 * message-effects): pin upserts, unpin and a recall of the target delete.
 * MessageStore.listPins pages it by pin_seq.
 *
 * Pins committed before this migration are derived from message_ops: the
 * latest pin event per target decides, and the server encodes a PinChange
 * canonically (Content field 11 = {target_seq = 1, pinned = 2}), so its
 * content ends with the bytes 10 01 exactly when pinned is true. Recalled
 * targets (content replaced by a Recalled placeholder, field 12: first byte
 * 0x62) are left out.
 */
export const PINS_MIGRATION = `
  CREATE TABLE pins (
    conversation_id INTEGER NOT NULL,
    target_seq      INTEGER NOT NULL,
    pin_seq         INTEGER NOT NULL,
    pinned_by       INTEGER NOT NULL,
    pinned_at       INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, target_seq)
  ) WITHOUT ROWID;
  CREATE INDEX pins_order ON pins (conversation_id, pin_seq);
  INSERT INTO pins (conversation_id, target_seq, pin_seq, pinned_by, pinned_at)
  SELECT o.conversation_id, o.target_seq, o.seq, p.sender_id, p.server_time
  FROM message_ops o
  JOIN messages p ON p.conversation_id = o.conversation_id AND p.seq = o.seq
  JOIN messages t ON t.conversation_id = o.conversation_id AND t.seq = o.target_seq
  WHERE o.kind = 'pin'
    AND o.seq = (SELECT max(l.seq) FROM message_ops l WHERE l.conversation_id = o.conversation_id AND l.target_seq = o.target_seq AND l.kind = 'pin')
    AND substr(p.content, -2) = x'1001'
    AND substr(t.content, 1, 1) <> x'62';
`;
