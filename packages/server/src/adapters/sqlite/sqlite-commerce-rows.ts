import type Database from 'better-sqlite3';
import type { ConversationId, ConversationKind, UserId } from '../../core/model.js';

/**
 * Creating a conversation with given members and no direct-pair or group row
 * (service and item conversations), as the conversation store does: same id
 * allocator, member rows with history from seq 1. Call inside a transaction.
 */
export function bareConversationStatements(db: Database.Database): { insert(kind: ConversationKind, memberIds: readonly UserId[], now: number): ConversationId } {
  const conversation = db.prepare<[ConversationKind, number, number, number], number>(
    'INSERT INTO conversations (kind, created_at, updated_at, member_count) VALUES (?, ?, ?, ?) RETURNING id').pluck();
  const member = db.prepare("INSERT INTO members (conversation_id, user_id, role, read_seq, first_seq, joined_at) VALUES (?, ?, 'member', 0, 1, ?)");
  return {
    insert(kind, memberIds, now) {
      const ids = [...new Set(memberIds)];
      const id = conversation.get(kind, now, now, ids.length)!;
      for (const u of ids) member.run(id, u, now);
      return id;
    },
  };
}
