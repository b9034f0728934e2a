/**
 * Conversation-summary write-behind (ADR 0016, conversation-summaries.ts).
 * summary_watermark: one row; every message with id <= message_id has its
 * summary effects (conversations.last_seq / last_message_id / updated_at,
 * the sender's members.read_seq) written. Ids compare as the messages table's
 * rowid does (signed 64-bit). Existing rows were written by the
 * per-batch UPDATEs, so the watermark starts at the newest message.
 * summary_system_sends: the ids of messages above the watermark whose append
 * did not move the sender's read position (system sends), so recovery at
 * open can tell them apart; emptied at every flush.
 */
export const SUMMARY_WATERMARK_MIGRATION = `
  CREATE TABLE summary_watermark (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    message_id INTEGER NOT NULL,
    opens      INTEGER NOT NULL DEFAULT 0 -- bumped by every connection's open, so a write-behind store sees another connection arrive
  );
  INSERT INTO summary_watermark (singleton, message_id)
    VALUES (1, COALESCE((SELECT MAX(id) FROM messages), -9223372036854775808));
  CREATE TABLE summary_system_sends (message_id INTEGER PRIMARY KEY);
`;
