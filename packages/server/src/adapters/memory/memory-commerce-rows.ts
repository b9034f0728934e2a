import type { ConversationId, ConversationKind, UserId } from '../../core/model.js';
import type { MemoryTables } from './memory-tables.js';

/**
 * A conversation with the given members and no direct-pair or group row (a
 * service or item conversation), the way the conversation store creates
 * one: the same allocator, member rows with history from seq 1.
 */
export function insertBareConversation(tables: MemoryTables, kind: ConversationKind, memberIds: readonly UserId[], now: number): ConversationId {
  for (const u of memberIds) if (!tables.users.has(u)) throw new Error(`user ${u} does not exist`);
  const id = tables.nextConversationId++;
  tables.conversations.set(id, { id, kind, createdAt: now, lastSeq: 0, lastMessageId: null, updatedAt: now, memberCount: 0, large: false });
  for (const userId of new Set(memberIds)) {
    tables.insertMember({ conversationId: id, userId, role: 'member', readSeq: 0, firstSeq: 1, joinedAt: now, mutedUntil: 0, doNotDisturb: false });
  }
  return id;
}
