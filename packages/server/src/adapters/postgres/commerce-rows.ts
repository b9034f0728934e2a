import type { ConversationId, ConversationKind, UserId } from '../../core/model.js';
import { int8Array } from './array-literal.js';
import type { TransactionSql } from './client.js';

/**
 * A conversation with the given members and no direct-pair or group row
 * (service and item conversations), as the conversation store creates one:
 * the same identity column, member rows with history from seq 1.
 */
export async function insertBareConversation(tx: TransactionSql, kind: ConversationKind, memberIds: readonly UserId[], now: number): Promise<ConversationId> {
  const ids = [...new Set(memberIds)];
  const [row] = await tx<Array<{ id: number }>>`
    INSERT INTO conversations (kind, created_at, updated_at, member_count) VALUES (${kind}, ${now}, ${now}, ${ids.length}) RETURNING id`;
  await tx`
    INSERT INTO members (conversation_id, user_id, role, read_seq, first_seq, joined_at)
    SELECT ${row!.id}, u.id, 'member', 0, 1, ${now} FROM unnest(${int8Array(ids)}::int8[]) AS u(id)`;
  return row!.id;
}
