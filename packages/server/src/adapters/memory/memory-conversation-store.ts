import type {
  ConversationId, ConversationRecord, ConversationView, GroupRecord, GroupRole, MemberRecord, UserId,
} from '../../core/model.js';
import type { ConversationStore, GroupPatch, MemberPatch, NewGroup } from '../../core/ports/conversation-store.js';
import { directPairKey, type ConversationRow, type MemberRow, type MemoryTables } from './memory-tables.js';

/**
 * In-memory ConversationStore over the tables shared with the message store.
 * Each call runs without awaiting, so it is atomic; inputs are validated
 * before the first write so a failing call changes nothing.
 *
 * A member added with firstSeq F starts with readSeq F - 1: history before
 * the join point is neither readable nor unread.
 */
export class MemoryConversationStore implements ConversationStore {
  constructor(private readonly tables: MemoryTables) {}

  async getOrCreateDirect(a: UserId, b: UserId, now: number): Promise<{ conversation: ConversationRecord; created: boolean }> {
    const key = directPairKey(a, b);
    const existing = this.tables.directPairs.get(key);
    if (existing !== undefined) return { conversation: this.snapshot(existing)!, created: false };
    this.requireUsers([a, b]);
    const row = this.insertConversation('direct', now, false);
    this.tables.directPairs.set(key, row.id);
    this.tables.directPairOf.set(row.id, a < b ? [a, b] : [b, a]);
    for (const userId of new Set([a, b])) this.tables.insertMember(newMember(row.id, userId, 'member', 1, now));
    return { conversation: this.snapshot(row.id)!, created: true };
  }

  async getConversation(id: ConversationId): Promise<ConversationRecord | null> {
    return this.snapshot(id);
  }

  async getMember(id: ConversationId, userId: UserId): Promise<MemberRecord | null> {
    const member = this.tables.members.get(id)?.get(userId);
    return member ? { ...member } : null;
  }

  async listMembers(id: ConversationId, afterUserId: UserId, limit: number): Promise<MemberRecord[]> {
    const members = this.tables.members.get(id);
    if (!members) return [];
    return [...members.values()]
      .filter((m) => m.userId > afterUserId)
      .sort((x, y) => x.userId - y.userId)
      .slice(0, Math.max(0, limit))
      .map((m) => ({ ...m }));
  }

  async memberIds(id: ConversationId): Promise<UserId[]> {
    return [...(this.tables.members.get(id)?.keys() ?? [])].sort((x, y) => x - y);
  }

  async directPeer(id: ConversationId, userId: UserId): Promise<UserId | null> {
    const pair = this.tables.directPairOf.get(id);
    if (!pair) return null;
    if (pair[0] === userId) return pair[1];
    if (pair[1] === userId) return pair[0];
    return null;
  }

  async shareConversation(a: UserId, b: UserId): Promise<boolean> {
    const ofA = this.tables.conversationsOfUser.get(a);
    const ofB = this.tables.conversationsOfUser.get(b);
    if (!ofA || !ofB) return false;
    const [small, large] = ofA.size <= ofB.size ? [ofA, ofB] : [ofB, ofA];
    for (const id of small) if (large.has(id)) return true;
    return false;
  }

  async listUserConversations(userId: UserId, limit: number, beforeTime: number): Promise<ConversationView[]> {
    const ids = this.tables.conversationsOfUser.get(userId);
    if (!ids) return [];
    const rows: ConversationRow[] = [];
    for (const id of ids) {
      const row = this.tables.conversations.get(id)!;
      if (beforeTime === 0 || row.updatedAt < beforeTime) rows.push(row);
    }
    rows.sort((x, y) => y.updatedAt - x.updatedAt || y.id - x.id);
    return rows.slice(0, Math.max(0, limit)).map((row) => this.view(row, userId));
  }

  async totalUnread(userId: UserId): Promise<number> {
    return this.sumUnread(userId);
  }

  private sumUnread(userId: UserId): number {
    let total = 0;
    for (const id of this.tables.conversationsOfUser.get(userId) ?? []) {
      const member = this.tables.members.get(id)!.get(userId)!;
      total += Math.max(0, this.tables.conversations.get(id)!.lastSeq - member.readSeq - this.tables.countOps(id, member.readSeq));
    }
    return total;
  }

  async advanceReadSeq(id: ConversationId, userId: UserId, seq: number): Promise<number> {
    const member = this.tables.members.get(id)?.get(userId);
    if (!member) return 0;
    const lastSeq = this.tables.conversations.get(id)!.lastSeq;
    member.readSeq = Math.max(member.readSeq, Math.min(seq, lastSeq));
    return member.readSeq;
  }

  async unreadCounts(userId: UserId, id: ConversationId): Promise<{ unread: number; total: number }> {
    const member = this.tables.members.get(id)?.get(userId);
    const unread = member ? Math.max(0, this.tables.conversations.get(id)!.lastSeq - member.readSeq - this.tables.countOps(id, member.readSeq)) : 0;
    // No await in between: both numbers come from the same state.
    return { unread, total: this.sumUnread(userId) };
  }

  async createGroup(group: NewGroup, now: number): Promise<ConversationRecord> {
    const memberIds = [...new Set([group.ownerId, ...group.memberIds])];
    this.requireUsers(memberIds);
    const row = this.insertConversation('group', now, group.large);
    this.tables.groups.set(row.id, {
      conversationId: row.id,
      name: group.name,
      avatarUrl: group.avatarUrl,
      announcement: group.announcement,
      ownerId: group.ownerId,
      joinPolicy: group.joinPolicy,
      mutedAll: false,
      dissolved: false,
    });
    for (const userId of memberIds) {
      const role: GroupRole = userId === group.ownerId ? 'owner' : 'member';
      this.tables.insertMember(newMember(row.id, userId, role, 1, now));
    }
    return this.snapshot(row.id)!;
  }

  async getGroup(id: ConversationId): Promise<GroupRecord | null> {
    const group = this.tables.groups.get(id);
    return group ? { ...group } : null;
  }

  async updateGroup(id: ConversationId, patch: GroupPatch): Promise<void> {
    const group = this.tables.groups.get(id);
    if (!group) return;
    if (patch.name !== undefined) group.name = patch.name;
    if (patch.avatarUrl !== undefined) group.avatarUrl = patch.avatarUrl;
    if (patch.announcement !== undefined) group.announcement = patch.announcement;
    if (patch.joinPolicy !== undefined) group.joinPolicy = patch.joinPolicy;
    if (patch.ownerId !== undefined) group.ownerId = patch.ownerId;
    if (patch.mutedAll !== undefined) group.mutedAll = patch.mutedAll;
    if (patch.dissolved !== undefined) group.dissolved = patch.dissolved;
    if (patch.large !== undefined) this.tables.conversations.get(id)!.large = patch.large;
  }

  async addMembers(id: ConversationId, userIds: readonly UserId[], role: GroupRole, firstSeq: number, now: number): Promise<UserId[]> {
    if (!this.tables.conversations.has(id)) throw new Error(`conversation ${id} does not exist`);
    const members = this.tables.membersOf(id);
    const fresh = [...new Set(userIds)].filter((userId) => !members.has(userId));
    this.requireUsers(fresh);
    for (const userId of fresh) this.tables.insertMember(newMember(id, userId, role, firstSeq, now));
    return fresh;
  }

  async removeMembers(id: ConversationId, userIds: readonly UserId[]): Promise<UserId[]> {
    return [...new Set(userIds)].filter((userId) => this.tables.deleteMember(id, userId));
  }

  async updateMember(id: ConversationId, userId: UserId, patch: MemberPatch): Promise<boolean> {
    const member = this.tables.members.get(id)?.get(userId);
    if (!member) return false;
    if (patch.role !== undefined) member.role = patch.role;
    if (patch.mutedUntil !== undefined) member.mutedUntil = patch.mutedUntil;
    if (patch.doNotDisturb !== undefined) member.doNotDisturb = patch.doNotDisturb;
    return true;
  }

  async readPositions(id: ConversationId): Promise<Array<{ userId: UserId; readSeq: number }>> {
    return [...(this.tables.members.get(id)?.values() ?? [])]
      .sort((x, y) => x.userId - y.userId)
      .map((m) => ({ userId: m.userId, readSeq: m.readSeq }));
  }

  async countReadAtLeast(id: ConversationId, seq: number): Promise<number> {
    let count = 0;
    for (const member of this.tables.members.get(id)?.values() ?? []) if (member.readSeq >= seq) count++;
    return count;
  }

  async addJoinRequest(id: ConversationId, userId: UserId, now: number): Promise<void> {
    if (!this.tables.conversations.has(id)) throw new Error(`conversation ${id} does not exist`);
    this.requireUsers([userId]);
    let requests = this.tables.joinRequests.get(id);
    if (!requests) {
      requests = new Map();
      this.tables.joinRequests.set(id, requests);
    }
    requests.set(userId, now);
  }

  async takeJoinRequest(id: ConversationId, userId: UserId): Promise<boolean> {
    return this.tables.joinRequests.get(id)?.delete(userId) ?? false;
  }

  private insertConversation(kind: ConversationRow['kind'], now: number, large: boolean): ConversationRow {
    const row: ConversationRow = {
      id: this.tables.nextConversationId++,
      kind,
      createdAt: now,
      lastSeq: 0,
      lastMessageId: null,
      updatedAt: now,
      memberCount: 0,
      large,
    };
    this.tables.conversations.set(row.id, row);
    return row;
  }

  private snapshot(id: ConversationId): ConversationRecord | null {
    const row = this.tables.conversations.get(id);
    return row ? { ...row } : null;
  }

  private view(row: ConversationRow, userId: UserId): ConversationView {
    const member = this.tables.members.get(row.id)!.get(userId)!;
    const group = this.tables.groups.get(row.id);
    const lastMessage = row.lastMessageId === null ? null : this.tables.messagesById.get(row.lastMessageId) ?? null;
    const pair = this.tables.directPairOf.get(row.id);
    return {
      conversation: { ...row },
      member: { ...member },
      lastMessage,
      group: group ? { ...group } : null,
      peerId: pair ? (pair[0] === userId ? pair[1] : pair[0]) : null,
      mentions: this.tables.countMentions(row.id, userId, member.readSeq),
      opsUnread: this.tables.countOps(row.id, member.readSeq),
    };
  }

  private requireUsers(userIds: readonly UserId[]): void {
    // Mirrors the SQL foreign key members.user_id -> users.id.
    for (const userId of userIds) {
      if (!this.tables.users.has(userId)) throw new Error(`user ${userId} does not exist`);
    }
  }
}

function newMember(conversationId: ConversationId, userId: UserId, role: GroupRole, firstSeq: number, now: number): MemberRow {
  return {
    conversationId,
    userId,
    role,
    readSeq: Math.max(0, firstSeq - 1),
    firstSeq,
    joinedAt: now,
    mutedUntil: 0,
    doNotDisturb: false,
  };
}
