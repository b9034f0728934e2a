import type {
  ConversationId, ConversationKind, ConversationRecord, ConversationView, GroupRecord, GroupRole, JoinPolicy,
  MemberRecord, UserId,
} from '../../core/model.js';
import type { ConversationStore, GroupPatch, MemberPatch, NewGroup } from '../../core/ports/conversation-store.js';
import { ALL_MEMBERS } from '../memory/mention-targets.js';
import { int8Array, textArray } from './array-literal.js';
import { type Sql, type TransactionSql } from './client.js';
import { explainForeignKey } from './errors.js';
import { messageIdFromSql } from './message-id.js';
import { messageColumns, messageFromRow, type MessageRow } from './message-row.js';

interface ConversationRow {
  id: number; kind: ConversationKind; created_at: number; last_seq: number; last_message_id: string | null;
  updated_at: number; member_count: number; large: boolean;
}
interface MemberRow {
  conversation_id: number; user_id: number; role: GroupRole; read_seq: number; first_seq: number;
  joined_at: number; muted_until: number; dnd: boolean;
}
interface GroupRow {
  conversation_id: number; name: string; avatar_url: string; announcement: string; owner_id: number;
  join_policy: JoinPolicy; muted_all: boolean; dissolved: boolean;
}

const CONVERSATION = 'c.id, c.kind, c.created_at, c.last_seq, c.last_message_id::text AS last_message_id, c.updated_at, c.member_count, c.large';
const MEMBER = 'mb.conversation_id, mb.user_id, mb.role, mb.read_seq, mb.first_seq, mb.joined_at, mb.muted_until, mb.dnd';
const GROUP = 'g.conversation_id, g.name, g.avatar_url, g.announcement, g.owner_id, g.join_policy, g.muted_all, g.dissolved';

const conversationOf = (r: ConversationRow): ConversationRecord => ({
  id: r.id, kind: r.kind, createdAt: r.created_at, lastSeq: r.last_seq,
  lastMessageId: r.last_message_id === null ? null : messageIdFromSql(r.last_message_id),
  updatedAt: r.updated_at, memberCount: r.member_count, large: r.large,
});
const memberOf = (r: MemberRow): MemberRecord => ({
  conversationId: r.conversation_id, userId: r.user_id, role: r.role, readSeq: r.read_seq, firstSeq: r.first_seq,
  joinedAt: r.joined_at, mutedUntil: r.muted_until, doNotDisturb: r.dnd,
});
const groupOf = (r: GroupRow): GroupRecord => ({
  conversationId: r.conversation_id, name: r.name, avatarUrl: r.avatar_url, announcement: r.announcement,
  ownerId: r.owner_id, joinPolicy: r.join_policy, mutedAll: r.muted_all, dissolved: r.dissolved,
});

/** Rolls a transaction back without it being an error. */
class Rollback extends Error {}

/**
 * ConversationStore on PostgreSQL. Multi-row changes run in one
 * transaction that locks the conversation row before member rows (the
 * order appends use too), which also keeps member_count equal to the
 * number of member rows. Reads that must agree (unread counts) are single
 * statements, so they see one snapshot.
 *
 * A member added with firstSeq F starts with readSeq F - 1: history before
 * the join point is neither readable nor unread.
 */
export class PostgresConversationStore implements ConversationStore {
  constructor(private readonly sql: Sql) {}

  async getOrCreateDirect(a: UserId, b: UserId, now: number): Promise<{ conversation: ConversationRecord; created: boolean }> {
    const [lo, hi] = a < b ? [a, b] : [b, a];
    const existing = await this.findDirect(lo, hi);
    if (existing) return { conversation: existing, created: false };
    try {
      const conversation = await this.sql.begin(async (tx) => {
        const [row] = await tx<Array<{ id: number }>>`
          INSERT INTO conversations (kind, created_at, updated_at) VALUES ('direct', ${now}, ${now}) RETURNING id`;
        const id = row!.id;
        // A concurrent creator of the same pair makes this wait for it, then do nothing.
        const paired = await tx`
          INSERT INTO direct_pairs (user_lo, user_hi, conversation_id) VALUES (${lo}, ${hi}, ${id})
          ON CONFLICT (user_lo, user_hi) DO NOTHING RETURNING 1`;
        if (paired.length === 0) throw new Rollback();
        return this.insertMembers(tx, id, [...new Set([lo, hi])].map((userId) => ({ userId, role: 'member' as const })), 1, now);
      });
      return { conversation: conversation!, created: true };
    } catch (error) {
      if (!(error instanceof Rollback)) throw explainForeignKey(error);
      const winner = await this.findDirect(lo, hi);
      if (!winner) throw new Error(`direct conversation ${lo}:${hi} vanished`, { cause: error });
      return { conversation: winner, created: false };
    }
  }

  private async findDirect(lo: UserId, hi: UserId): Promise<ConversationRecord | null> {
    const [row] = await this.sql.unsafe<ConversationRow[]>(
      `SELECT ${CONVERSATION} FROM direct_pairs p JOIN conversations c ON c.id = p.conversation_id WHERE p.user_lo = $1 AND p.user_hi = $2`,
      [lo, hi], { prepare: true },
    );
    return row ? conversationOf(row) : null;
  }

  /** Inserts members (the conversation is new or locked by the caller), sets member_count, returns the record. */
  private async insertMembers(
    tx: TransactionSql, id: ConversationId, members: ReadonlyArray<{ userId: UserId; role: GroupRole }>, firstSeq: number, now: number,
  ): Promise<ConversationRecord> {
    await tx`
      INSERT INTO members (conversation_id, user_id, role, read_seq, first_seq, joined_at)
      SELECT ${id}, u.id, u.role, ${Math.max(0, firstSeq - 1)}, ${firstSeq}, ${now}
      FROM unnest(${int8Array(members.map((m) => m.userId))}::int8[], ${textArray(members.map((m) => m.role))}::text[]) AS u(id, role)`;
    const [row] = await tx.unsafe<ConversationRow[]>(
      `UPDATE conversations c SET member_count = (SELECT count(*) FROM members WHERE conversation_id = $1) WHERE c.id = $1 RETURNING ${CONVERSATION}`,
      [id],
    );
    return conversationOf(row!);
  }

  async getConversation(id: ConversationId): Promise<ConversationRecord | null> {
    const [row] = await this.sql.unsafe<ConversationRow[]>(`SELECT ${CONVERSATION} FROM conversations c WHERE c.id = $1`, [id], { prepare: true });
    return row ? conversationOf(row) : null;
  }

  async getMember(id: ConversationId, userId: UserId): Promise<MemberRecord | null> {
    const [row] = await this.sql.unsafe<MemberRow[]>(
      `SELECT ${MEMBER} FROM members mb WHERE mb.conversation_id = $1 AND mb.user_id = $2`, [id, userId], { prepare: true },
    );
    return row ? memberOf(row) : null;
  }

  async listMembers(id: ConversationId, afterUserId: UserId, limit: number): Promise<MemberRecord[]> {
    if (limit <= 0) return [];
    const rows = await this.sql.unsafe<MemberRow[]>(
      `SELECT ${MEMBER} FROM members mb WHERE mb.conversation_id = $1 AND mb.user_id > $2 ORDER BY mb.user_id LIMIT $3`,
      [id, afterUserId, limit], { prepare: true },
    );
    return rows.map(memberOf);
  }

  async memberIds(id: ConversationId): Promise<UserId[]> {
    const rows = await this.sql<Array<{ user_id: number }>>`SELECT user_id FROM members WHERE conversation_id = ${id} ORDER BY user_id`;
    return rows.map((r) => r.user_id);
  }

  async directPeer(id: ConversationId, userId: UserId): Promise<UserId | null> {
    const [row] = await this.sql<Array<{ peer: number }>>`
      SELECT CASE WHEN user_lo = ${userId} THEN user_hi ELSE user_lo END AS peer
      FROM direct_pairs WHERE conversation_id = ${id} AND (user_lo = ${userId} OR user_hi = ${userId})`;
    return row ? row.peer : null;
  }

  async shareConversation(a: UserId, b: UserId): Promise<boolean> {
    const [row] = await this.sql<Array<{ shared: boolean }>>`
      SELECT EXISTS (
        SELECT 1 FROM members x JOIN members y ON y.conversation_id = x.conversation_id AND y.user_id = ${b}
        WHERE x.user_id = ${a}
      ) AS shared`;
    return row!.shared;
  }

  async listUserConversations(userId: UserId, limit: number, beforeTime: number): Promise<ConversationView[]> {
    if (limit <= 0) return [];
    type Row = ConversationRow & MemberRow & Partial<MessageRow> & {
      g_conversation_id: number | null; g_name: string; g_avatar_url: string; g_announcement: string; g_owner_id: number;
      g_join_policy: JoinPolicy; g_muted_all: boolean; g_dissolved: boolean; peer_id: number | null; mention_count: number; ops_unread: number;
      has_last: boolean;
    };
    const rows = await this.sql.unsafe<Row[]>(
      `SELECT ${CONVERSATION},
              mb.conversation_id, mb.user_id, mb.role, mb.read_seq, mb.first_seq, mb.joined_at, mb.muted_until, mb.dnd,
              g.conversation_id AS g_conversation_id, g.name AS g_name, g.avatar_url AS g_avatar_url,
              g.announcement AS g_announcement, g.owner_id AS g_owner_id, g.join_policy AS g_join_policy,
              g.muted_all AS g_muted_all, g.dissolved AS g_dissolved,
              CASE WHEN p.user_lo = $1 THEN p.user_hi WHEN p.user_hi = $1 THEN p.user_lo END AS peer_id,
              (SELECT count(DISTINCT x.seq) FROM mentions x
                WHERE x.conversation_id = c.id AND x.seq > mb.read_seq
                  AND (x.user_id = $1 OR (x.user_id = ${ALL_MEMBERS} AND x.sender_id <> $1)))::int8 AS mention_count,
              (SELECT count(*) FROM message_ops o WHERE o.conversation_id = c.id AND o.seq > mb.read_seq)::int8 AS ops_unread,
              m.id IS NOT NULL AS has_last, ${messageColumns('m')}
       FROM members mb
       JOIN conversations c ON c.id = mb.conversation_id
       LEFT JOIN groups g ON g.conversation_id = c.id
       LEFT JOIN direct_pairs p ON p.conversation_id = c.id
       LEFT JOIN messages m ON m.id = c.last_message_id
       WHERE mb.user_id = $1 AND ($2::int8 = 0 OR c.updated_at < $2::int8)
       ORDER BY c.updated_at DESC, c.id DESC
       LIMIT $3`,
      [userId, beforeTime, limit], { prepare: true },
    );
    return rows.map((r) => ({
      conversation: conversationOf(r),
      member: memberOf(r),
      lastMessage: r.has_last ? messageFromRow(r as unknown as MessageRow) : null,
      group: r.g_conversation_id === null ? null : groupOf({
        conversation_id: r.g_conversation_id, name: r.g_name, avatar_url: r.g_avatar_url, announcement: r.g_announcement,
        owner_id: r.g_owner_id, join_policy: r.g_join_policy, muted_all: r.g_muted_all, dissolved: r.g_dissolved,
      }),
      peerId: r.peer_id,
      mentions: r.mention_count,
      opsUnread: r.ops_unread,
    }));
  }

  async totalUnread(userId: UserId): Promise<number> {
    const [row] = await this.sql<Array<{ total: number }>>`
      SELECT COALESCE(sum(GREATEST(0, c.last_seq - mb.read_seq - (SELECT count(*) FROM message_ops o WHERE o.conversation_id = c.id AND o.seq > mb.read_seq))), 0)::int8 AS total
      FROM members mb JOIN conversations c ON c.id = mb.conversation_id WHERE mb.user_id = ${userId}`;
    return row!.total;
  }

  async unreadCounts(userId: UserId, id: ConversationId): Promise<{ unread: number; total: number }> {
    // One statement, one snapshot: the two numbers always agree.
    const [row] = await this.sql<Array<{ unread: number; total: number }>>`
      SELECT COALESCE(sum(GREATEST(0, c.last_seq - mb.read_seq - (SELECT count(*) FROM message_ops o WHERE o.conversation_id = c.id AND o.seq > mb.read_seq))) FILTER (WHERE mb.conversation_id = ${id}), 0)::int8 AS unread,
             COALESCE(sum(GREATEST(0, c.last_seq - mb.read_seq - (SELECT count(*) FROM message_ops o WHERE o.conversation_id = c.id AND o.seq > mb.read_seq))), 0)::int8 AS total
      FROM members mb JOIN conversations c ON c.id = mb.conversation_id WHERE mb.user_id = ${userId}`;
    return { unread: row!.unread, total: row!.total };
  }

  async advanceReadSeq(id: ConversationId, userId: UserId, seq: number): Promise<number> {
    // The member row lock serialises concurrent advances; GREATEST against the
    // latest row keeps the read seq from ever moving back.
    const [row] = await this.sql<Array<{ read_seq: number }>>`
      UPDATE members mb SET read_seq = GREATEST(mb.read_seq, LEAST(${seq}::int8, c.last_seq))
      FROM conversations c
      WHERE c.id = mb.conversation_id AND mb.conversation_id = ${id} AND mb.user_id = ${userId}
      RETURNING mb.read_seq`;
    return row ? row.read_seq : 0;
  }

  async createGroup(group: NewGroup, now: number): Promise<ConversationRecord> {
    const memberIds = [...new Set([group.ownerId, ...group.memberIds])];
    try {
      return await this.sql.begin(async (tx) => {
        const [row] = await tx<Array<{ id: number }>>`
          INSERT INTO conversations (kind, created_at, updated_at, large) VALUES ('group', ${now}, ${now}, ${group.large}) RETURNING id`;
        const id = row!.id;
        await tx`
          INSERT INTO groups (conversation_id, name, avatar_url, announcement, owner_id, join_policy)
          VALUES (${id}, ${group.name}, ${group.avatarUrl}, ${group.announcement}, ${group.ownerId}, ${group.joinPolicy})`;
        const members = memberIds.map((userId) => ({ userId, role: (userId === group.ownerId ? 'owner' : 'member') as GroupRole }));
        return this.insertMembers(tx, id, members, 1, now);
      });
    } catch (error) {
      throw explainForeignKey(error);
    }
  }

  async getGroup(id: ConversationId): Promise<GroupRecord | null> {
    const [row] = await this.sql.unsafe<GroupRow[]>(`SELECT ${GROUP} FROM groups g WHERE g.conversation_id = $1`, [id], { prepare: true });
    return row ? groupOf(row) : null;
  }

  async updateGroup(id: ConversationId, patch: GroupPatch): Promise<void> {
    const columns: Record<string, string | number | boolean> = {};
    if (patch.name !== undefined) columns.name = patch.name;
    if (patch.avatarUrl !== undefined) columns.avatar_url = patch.avatarUrl;
    if (patch.announcement !== undefined) columns.announcement = patch.announcement;
    if (patch.joinPolicy !== undefined) columns.join_policy = patch.joinPolicy;
    if (patch.ownerId !== undefined) columns.owner_id = patch.ownerId;
    if (patch.mutedAll !== undefined) columns.muted_all = patch.mutedAll;
    if (patch.dissolved !== undefined) columns.dissolved = patch.dissolved;
    const large = patch.large;
    if (Object.keys(columns).length === 0 && large === undefined) return;
    await this.sql.begin(async (tx) => {
      // Conversation row first (the common lock order), and only for a group that exists.
      const exists = await tx`SELECT 1 FROM groups WHERE conversation_id = ${id}`;
      if (exists.length === 0) return;
      if (large !== undefined) await tx`UPDATE conversations SET large = ${large} WHERE id = ${id}`;
      if (Object.keys(columns).length > 0) await tx`UPDATE groups SET ${tx(columns)} WHERE conversation_id = ${id}`;
    });
  }

  async addMembers(id: ConversationId, userIds: readonly UserId[], role: GroupRole, firstSeq: number, now: number): Promise<UserId[]> {
    const unique = [...new Set(userIds)];
    try {
      const added = await this.sql.begin(async (tx) => {
        const locked = await tx`SELECT 1 FROM conversations WHERE id = ${id} FOR NO KEY UPDATE`;
        if (locked.length === 0) throw new Error(`conversation ${id} does not exist`);
        if (unique.length === 0) return [];
        const rows = await tx<Array<{ user_id: number }>>`
          INSERT INTO members (conversation_id, user_id, role, read_seq, first_seq, joined_at)
          SELECT ${id}, u, ${role}, ${Math.max(0, firstSeq - 1)}, ${firstSeq}, ${now}
          FROM unnest(${int8Array(unique)}::int8[]) AS u
          ON CONFLICT (conversation_id, user_id) DO NOTHING
          RETURNING user_id`;
        if (rows.length > 0) await tx`UPDATE conversations SET member_count = member_count + ${rows.length} WHERE id = ${id}`;
        return rows.map((r) => r.user_id);
      });
      const fresh = new Set(added);
      return unique.filter((u) => fresh.has(u));
    } catch (error) {
      throw explainForeignKey(error);
    }
  }

  async removeMembers(id: ConversationId, userIds: readonly UserId[]): Promise<UserId[]> {
    const unique = [...new Set(userIds)];
    if (unique.length === 0) return [];
    const removed = await this.sql.begin(async (tx) => {
      const locked = await tx`SELECT 1 FROM conversations WHERE id = ${id} FOR NO KEY UPDATE`;
      if (locked.length === 0) return [];
      const rows = await tx<Array<{ user_id: number }>>`
        DELETE FROM members WHERE conversation_id = ${id} AND user_id = ANY(${int8Array(unique)}::int8[]) RETURNING user_id`;
      if (rows.length > 0) await tx`UPDATE conversations SET member_count = member_count - ${rows.length} WHERE id = ${id}`;
      return rows.map((r) => r.user_id);
    });
    const gone = new Set(removed);
    return unique.filter((u) => gone.has(u));
  }

  async updateMember(id: ConversationId, userId: UserId, patch: MemberPatch): Promise<boolean> {
    const columns: Record<string, string | number | boolean> = {};
    if (patch.role !== undefined) columns.role = patch.role;
    if (patch.mutedUntil !== undefined) columns.muted_until = patch.mutedUntil;
    if (patch.doNotDisturb !== undefined) columns.dnd = patch.doNotDisturb;
    const rows = Object.keys(columns).length === 0
      ? await this.sql`SELECT 1 FROM members WHERE conversation_id = ${id} AND user_id = ${userId}`
      : await this.sql`UPDATE members SET ${this.sql(columns)} WHERE conversation_id = ${id} AND user_id = ${userId} RETURNING 1`;
    return rows.length === 1;
  }

  async readPositions(id: ConversationId): Promise<Array<{ userId: UserId; readSeq: number }>> {
    const rows = await this.sql<Array<{ user_id: number; read_seq: number }>>`
      SELECT user_id, read_seq FROM members WHERE conversation_id = ${id} ORDER BY user_id`;
    return rows.map((r) => ({ userId: r.user_id, readSeq: r.read_seq }));
  }

  async countReadAtLeast(id: ConversationId, seq: number): Promise<number> {
    const [row] = await this.sql<Array<{ n: number }>>`
      SELECT count(*)::int8 AS n FROM members WHERE conversation_id = ${id} AND read_seq >= ${seq}`;
    return row!.n;
  }

  async addJoinRequest(id: ConversationId, userId: UserId, now: number): Promise<void> {
    try {
      await this.sql`
        INSERT INTO join_requests (conversation_id, user_id, requested_at) VALUES (${id}, ${userId}, ${now})
        ON CONFLICT (conversation_id, user_id) DO UPDATE SET requested_at = excluded.requested_at`;
    } catch (error) {
      throw explainForeignKey(error);
    }
  }

  async takeJoinRequest(id: ConversationId, userId: UserId): Promise<boolean> {
    const rows = await this.sql`DELETE FROM join_requests WHERE conversation_id = ${id} AND user_id = ${userId} RETURNING 1`;
    return rows.length === 1;
  }
}
