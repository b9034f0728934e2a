import type Database from 'better-sqlite3';
import type {
  ConversationId, ConversationKind, ConversationRecord, ConversationView, GroupRecord, GroupRole, MemberRecord, UserId,
} from '../../core/model.js';
import type { ConversationStore, GroupPatch, MemberPatch, NewGroup } from '../../core/ports/conversation-store.js';
import { ALL_MEMBERS } from '../memory/mention-targets.js';
import {
  conversationColumns, conversationFromRow, flag, groupColumns, groupFromRow, memberColumns, memberFromRow,
  type ConversationRow, type GroupRow, type MemberRow,
} from './conversation-rows.js';
import { messageColumns, messageFromRow, type MessageRow } from './message-row.js';

type ViewRow = ConversationRow & MemberRow & Partial<GroupRow> & Partial<MessageRow> & {
  dp_lo: number | null;
  dp_hi: number | null;
  mention_count: number;
  ops_unread: number;
};

/**
 * ConversationStore on SQLite. Read-modify-write calls run in IMMEDIATE
 * transactions (the write lock is taken up front, so two connections cannot
 * both read "absent" and both insert); single-statement updates rely on
 * statement atomicity.
 *
 * A member added with firstSeq F starts with readSeq F - 1: history before
 * the join point is neither readable nor unread. advanceReadSeq of a
 * non-member returns 0.
 */
export class SqliteConversationStore implements ConversationStore {
  private readonly findDirectStmt;
  private readonly insertConversationStmt;
  private readonly insertDirectPairStmt;
  private readonly insertMemberStmt;
  private readonly deleteMemberStmt;
  private readonly adjustMemberCountStmt;
  private readonly getConversationStmt;
  private readonly getMemberStmt;
  private readonly listMembersStmt;
  private readonly memberIdsStmt;
  private readonly directPairStmt;
  private readonly shareStmt;
  private readonly listViewsStmt;
  private readonly totalUnreadStmt;
  private readonly unreadCountsStmt;
  private readonly advanceReadStmt;
  private readonly insertGroupStmt;
  private readonly getGroupStmt;
  private readonly updateGroupStmt;
  private readonly setLargeStmt;
  private readonly updateMemberStmt;
  private readonly readPositionsStmt;
  private readonly countReadStmt;
  private readonly addJoinRequestStmt;
  private readonly takeJoinRequestStmt;
  private readonly getOrCreateDirectTx;
  private readonly createGroupTx;
  private readonly addMembersTx;
  private readonly removeMembersTx;
  private readonly updateGroupTx;

  constructor(db: Database.Database) {
    this.findDirectStmt = db.prepare<[number, number], number>(
      'SELECT conversation_id FROM direct_pairs WHERE user_lo = ? AND user_hi = ?',
    ).pluck();
    this.insertConversationStmt = db.prepare<[ConversationKind, number, number, number], number>(
      `INSERT INTO conversations (kind, created_at, updated_at, large) VALUES (?, ?, ?, ?) RETURNING id`,
    ).pluck();
    this.insertDirectPairStmt = db.prepare<[number, number, number]>(
      'INSERT INTO direct_pairs (user_lo, user_hi, conversation_id) VALUES (?, ?, ?)',
    );
    this.insertMemberStmt = db.prepare<[number, number, GroupRole, number, number, number]>(
      `INSERT INTO members (conversation_id, user_id, role, read_seq, first_seq, joined_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (conversation_id, user_id) DO NOTHING`,
    );
    this.deleteMemberStmt = db.prepare<[number, number]>('DELETE FROM members WHERE conversation_id = ? AND user_id = ?');
    this.adjustMemberCountStmt = db.prepare<[number, number]>(
      'UPDATE conversations SET member_count = member_count + ? WHERE id = ?',
    );
    this.getConversationStmt = db.prepare<[number], ConversationRow>(
      `SELECT ${conversationColumns('c')} FROM conversations c WHERE c.id = ?`,
    );
    this.getMemberStmt = db.prepare<[number, number], MemberRow>(
      `SELECT ${memberColumns('mb')} FROM members mb WHERE mb.conversation_id = ? AND mb.user_id = ?`,
    );
    this.listMembersStmt = db.prepare<[number, number, number], MemberRow>(
      `SELECT ${memberColumns('mb')} FROM members mb
       WHERE mb.conversation_id = ? AND mb.user_id > ? ORDER BY mb.user_id LIMIT ?`,
    );
    this.memberIdsStmt = db.prepare<[number], number>(
      'SELECT user_id FROM members WHERE conversation_id = ? ORDER BY user_id',
    ).pluck();
    this.directPairStmt = db.prepare<[number], { user_lo: number; user_hi: number }>(
      'SELECT user_lo, user_hi FROM direct_pairs WHERE conversation_id = ?',
    );
    this.shareStmt = db.prepare<[number, number], number>(
      `SELECT 1 FROM members a JOIN members b ON b.conversation_id = a.conversation_id AND b.user_id = ?
       WHERE a.user_id = ? LIMIT 1`,
    ).pluck();
    // One statement, so the conversation, member, last message and mention
    // count of every row come from one snapshot. A message counts once even if
    // it mentions the member both by name and by @all.
    this.listViewsStmt = db.prepare<{ user: number; before: number; limit: number }, ViewRow>(
      `SELECT ${conversationColumns('c')}, ${memberColumns('mb')}, ${groupColumns('g')}, ${messageColumns('lm')},
              dp.user_lo AS dp_lo, dp.user_hi AS dp_hi,
              (SELECT COUNT(DISTINCT x.seq) FROM mentions x
               WHERE x.conversation_id = c.id AND x.seq > mb.read_seq
                 AND (x.user_id = mb.user_id OR (x.user_id = ${ALL_MEMBERS} AND x.sender_id <> mb.user_id))) AS mention_count,
              (SELECT COUNT(*) FROM message_ops o WHERE o.conversation_id = c.id AND o.seq > mb.read_seq) AS ops_unread
       FROM members mb
       JOIN conversations c ON c.id = mb.conversation_id
       LEFT JOIN groups g ON g.conversation_id = c.id
       LEFT JOIN direct_pairs dp ON dp.conversation_id = c.id
       LEFT JOIN messages lm ON lm.id = c.last_message_id
       WHERE mb.user_id = @user AND c.updated_at < @before
       ORDER BY c.updated_at DESC, c.id DESC
       LIMIT @limit`,
    );
    this.totalUnreadStmt = db.prepare<[number], number>(
      `SELECT COALESCE(SUM(MAX(0, c.last_seq - mb.read_seq - (SELECT COUNT(*) FROM message_ops o WHERE o.conversation_id = c.id AND o.seq > mb.read_seq))), 0)
       FROM members mb JOIN conversations c ON c.id = mb.conversation_id WHERE mb.user_id = ?`,
    ).pluck();
    this.unreadCountsStmt = db.prepare<{ user: number; conversation: number }, { unread: number; total: number }>(
      `SELECT COALESCE(SUM(CASE WHEN c.id = @conversation THEN MAX(0, c.last_seq - mb.read_seq - (SELECT COUNT(*) FROM message_ops o WHERE o.conversation_id = c.id AND o.seq > mb.read_seq)) ELSE 0 END), 0) AS unread,
              COALESCE(SUM(MAX(0, c.last_seq - mb.read_seq - (SELECT COUNT(*) FROM message_ops o WHERE o.conversation_id = c.id AND o.seq > mb.read_seq))), 0) AS total
       FROM members mb JOIN conversations c ON c.id = mb.conversation_id WHERE mb.user_id = @user`,
    );
    // Forward only (MAX with the old value) and clamped to last_seq, in one statement.
    this.advanceReadStmt = db.prepare<{ conversation: number; user: number; seq: number }, number>(
      `UPDATE members SET read_seq = MAX(read_seq, MIN(@seq, (SELECT last_seq FROM conversations WHERE id = @conversation)))
       WHERE conversation_id = @conversation AND user_id = @user
       RETURNING read_seq`,
    ).pluck();
    this.insertGroupStmt = db.prepare<[number, string, string, string, number, string]>(
      `INSERT INTO groups (conversation_id, name, avatar_url, announcement, owner_id, join_policy) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.getGroupStmt = db.prepare<[number], GroupRow>(`SELECT ${groupColumns('g')} FROM groups g WHERE g.conversation_id = ?`);
    this.updateGroupStmt = db.prepare<Record<string, string | number | null>>(
      `UPDATE groups SET
         name = COALESCE(@name, name),
         avatar_url = COALESCE(@avatarUrl, avatar_url),
         announcement = COALESCE(@announcement, announcement),
         join_policy = COALESCE(@joinPolicy, join_policy),
         owner_id = COALESCE(@ownerId, owner_id),
         muted_all = COALESCE(@mutedAll, muted_all),
         dissolved = COALESCE(@dissolved, dissolved)
       WHERE conversation_id = @conversation`,
    );
    this.setLargeStmt = db.prepare<[number, number]>('UPDATE conversations SET large = ? WHERE id = ?');
    this.updateMemberStmt = db.prepare<{ conversation: number; user: number; role: string | null; mutedUntil: number | null; dnd: number | null }>(
      `UPDATE members SET
         role = COALESCE(@role, role),
         muted_until = COALESCE(@mutedUntil, muted_until),
         dnd = COALESCE(@dnd, dnd)
       WHERE conversation_id = @conversation AND user_id = @user`,
    );
    this.readPositionsStmt = db.prepare<[number], { userId: number; readSeq: number }>(
      'SELECT user_id AS userId, read_seq AS readSeq FROM members WHERE conversation_id = ? ORDER BY user_id',
    );
    this.countReadStmt = db.prepare<[number, number], number>(
      'SELECT COUNT(*) FROM members WHERE conversation_id = ? AND read_seq >= ?',
    ).pluck();
    this.addJoinRequestStmt = db.prepare<[number, number, number]>(
      `INSERT INTO join_requests (conversation_id, user_id, requested_at) VALUES (?, ?, ?)
       ON CONFLICT (conversation_id, user_id) DO UPDATE SET requested_at = excluded.requested_at`,
    );
    this.takeJoinRequestStmt = db.prepare<[number, number]>(
      'DELETE FROM join_requests WHERE conversation_id = ? AND user_id = ?',
    );

    this.getOrCreateDirectTx = db.transaction((a: UserId, b: UserId, now: number) => {
      const [lo, hi] = a < b ? [a, b] : [b, a];
      const existing = this.findDirectStmt.get(lo, hi);
      if (existing !== undefined) return { id: existing, created: false };
      const id = this.insertConversationStmt.get('direct', now, now, 0)!;
      this.insertDirectPairStmt.run(lo, hi, id);
      this.insertMembers(id, lo === hi ? [lo] : [lo, hi], 'member', 1, now);
      return { id, created: true };
    });
    this.createGroupTx = db.transaction((group: NewGroup, now: number) => {
      const id = this.insertConversationStmt.get('group', now, now, group.large ? 1 : 0)!;
      this.insertGroupStmt.run(id, group.name, group.avatarUrl, group.announcement, group.ownerId, group.joinPolicy);
      this.insertMembers(id, [group.ownerId], 'owner', 1, now);
      this.insertMembers(id, group.memberIds, 'member', 1, now);
      return id;
    });
    this.addMembersTx = db.transaction(
      (id: ConversationId, userIds: readonly UserId[], role: GroupRole, firstSeq: number, now: number) =>
        this.insertMembers(id, userIds, role, firstSeq, now),
    );
    this.removeMembersTx = db.transaction((id: ConversationId, userIds: readonly UserId[]) => {
      const removed = [...new Set(userIds)].filter((userId) => this.deleteMemberStmt.run(id, userId).changes > 0);
      if (removed.length > 0) this.adjustMemberCountStmt.run(-removed.length, id);
      return removed;
    });
    this.updateGroupTx = db.transaction((id: ConversationId, patch: GroupPatch) => {
      const changed = this.updateGroupStmt.run({
        conversation: id,
        name: patch.name ?? null,
        avatarUrl: patch.avatarUrl ?? null,
        announcement: patch.announcement ?? null,
        joinPolicy: patch.joinPolicy ?? null,
        ownerId: patch.ownerId ?? null,
        mutedAll: flag(patch.mutedAll),
        dissolved: flag(patch.dissolved),
      }).changes;
      if (changed > 0 && patch.large !== undefined) this.setLargeStmt.run(patch.large ? 1 : 0, id);
    });
  }

  async getOrCreateDirect(a: UserId, b: UserId, now: number): Promise<{ conversation: ConversationRecord; created: boolean }> {
    const { id, created } = this.getOrCreateDirectTx.immediate(a, b, now);
    return { conversation: (await this.getConversation(id))!, created };
  }

  async getConversation(id: ConversationId): Promise<ConversationRecord | null> {
    const row = this.getConversationStmt.get(id);
    return row ? conversationFromRow(row) : null;
  }

  async getMember(id: ConversationId, userId: UserId): Promise<MemberRecord | null> {
    const row = this.getMemberStmt.get(id, userId);
    return row ? memberFromRow(row) : null;
  }

  async listMembers(id: ConversationId, afterUserId: UserId, limit: number): Promise<MemberRecord[]> {
    if (limit <= 0) return [];
    return this.listMembersStmt.all(id, afterUserId, limit).map(memberFromRow);
  }

  async memberIds(id: ConversationId): Promise<UserId[]> {
    return this.memberIdsStmt.all(id);
  }

  async directPeer(id: ConversationId, userId: UserId): Promise<UserId | null> {
    const pair = this.directPairStmt.get(id);
    if (!pair) return null;
    if (pair.user_lo === userId) return pair.user_hi;
    if (pair.user_hi === userId) return pair.user_lo;
    return null;
  }

  async shareConversation(a: UserId, b: UserId): Promise<boolean> {
    return this.shareStmt.get(b, a) !== undefined;
  }

  async listUserConversations(userId: UserId, limit: number, beforeTime: number): Promise<ConversationView[]> {
    if (limit <= 0) return [];
    const before = beforeTime > 0 ? beforeTime : Number.MAX_SAFE_INTEGER;
    return this.listViewsStmt.all({ user: userId, before, limit }).map((row) => ({
      conversation: conversationFromRow(row),
      member: memberFromRow(row),
      lastMessage: row.m_id == null ? null : messageFromRow(row as MessageRow),
      group: row.g_conversation_id == null ? null : groupFromRow(row as GroupRow),
      peerId: row.dp_lo == null ? null : row.dp_lo === userId ? row.dp_hi : row.dp_lo,
      mentions: row.mention_count,
      opsUnread: row.ops_unread,
    }));
  }

  async totalUnread(userId: UserId): Promise<number> {
    return this.totalUnreadStmt.get(userId) ?? 0;
  }

  async advanceReadSeq(id: ConversationId, userId: UserId, seq: number): Promise<number> {
    return this.advanceReadStmt.get({ conversation: id, user: userId, seq }) ?? 0;
  }

  async unreadCounts(userId: UserId, id: ConversationId): Promise<{ unread: number; total: number }> {
    return this.unreadCountsStmt.get({ user: userId, conversation: id }) ?? { unread: 0, total: 0 };
  }

  async createGroup(group: NewGroup, now: number): Promise<ConversationRecord> {
    const id = this.createGroupTx.immediate(group, now);
    return (await this.getConversation(id))!;
  }

  async getGroup(id: ConversationId): Promise<GroupRecord | null> {
    const row = this.getGroupStmt.get(id);
    return row ? groupFromRow(row) : null;
  }

  async updateGroup(id: ConversationId, patch: GroupPatch): Promise<void> {
    this.updateGroupTx.immediate(id, patch);
  }

  async addMembers(id: ConversationId, userIds: readonly UserId[], role: GroupRole, firstSeq: number, now: number): Promise<UserId[]> {
    return this.addMembersTx.immediate(id, userIds, role, firstSeq, now);
  }

  async removeMembers(id: ConversationId, userIds: readonly UserId[]): Promise<UserId[]> {
    return this.removeMembersTx.immediate(id, userIds);
  }

  async updateMember(id: ConversationId, userId: UserId, patch: MemberPatch): Promise<boolean> {
    return this.updateMemberStmt.run({
      conversation: id,
      user: userId,
      role: patch.role ?? null,
      mutedUntil: patch.mutedUntil ?? null,
      dnd: flag(patch.doNotDisturb),
    }).changes > 0;
  }

  async readPositions(id: ConversationId): Promise<Array<{ userId: UserId; readSeq: number }>> {
    return this.readPositionsStmt.all(id);
  }

  async countReadAtLeast(id: ConversationId, seq: number): Promise<number> {
    return this.countReadStmt.get(id, seq) ?? 0;
  }

  async addJoinRequest(id: ConversationId, userId: UserId, now: number): Promise<void> {
    this.addJoinRequestStmt.run(id, userId, now);
  }

  async takeJoinRequest(id: ConversationId, userId: UserId): Promise<boolean> {
    return this.takeJoinRequestStmt.run(id, userId).changes > 0;
  }

  /** Inserts the absent members and moves member_count by as many; call inside a transaction. */
  private insertMembers(id: ConversationId, userIds: readonly UserId[], role: GroupRole, firstSeq: number, now: number): UserId[] {
    const readSeq = Math.max(0, firstSeq - 1);
    const added = [...new Set(userIds)].filter(
      (userId) => this.insertMemberStmt.run(id, userId, role, readSeq, firstSeq, now).changes > 0,
    );
    if (added.length > 0) this.adjustMemberCountStmt.run(added.length, id);
    return added;
  }
}
