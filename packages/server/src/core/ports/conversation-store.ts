import type {
  ConversationId, ConversationRecord, ConversationView, GroupRecord, GroupRole, MemberRecord, UserId,
} from '../model.js';

export interface NewGroup {
  readonly name: string;
  readonly avatarUrl: string;
  readonly announcement: string;
  readonly ownerId: UserId;
  readonly joinPolicy: GroupRecord['joinPolicy'];
  readonly memberIds: readonly UserId[];
  readonly large: boolean;
}

export interface MemberPatch {
  readonly role?: GroupRole;
  readonly mutedUntil?: number;
  readonly doNotDisturb?: boolean;
}

export interface GroupPatch {
  readonly name?: string;
  readonly avatarUrl?: string;
  readonly announcement?: string;
  readonly joinPolicy?: GroupRecord['joinPolicy'];
  readonly ownerId?: UserId;
  readonly mutedAll?: boolean;
  readonly dissolved?: boolean;
  readonly large?: boolean;
}

/**
 * Conversations, their members and read positions.
 *
 * Contract:
 * - Conversation ids come from one global allocator: positive, unique, never
 *   reused, independent of the member ids (no bit-packing).
 * - `getOrCreateDirect` is atomic on the unordered pair {a, b}: concurrent
 *   calls for the same pair return the same conversation; exactly one reports
 *   created = true. Both users become members with role 'member'.
 * - `advanceReadSeq` only moves a read seq forward (max(old, seq)), clamped to
 *   the conversation's lastSeq, and returns the resulting value; it never
 *   goes backwards under concurrent calls.
 * - Adding an existing member or removing a non-member is a no-op that
 *   reports false; memberCount always equals the number of member rows.
 */
export interface ConversationStore {
  getOrCreateDirect(a: UserId, b: UserId, now: number): Promise<{ conversation: ConversationRecord; created: boolean }>;
  getConversation(id: ConversationId): Promise<ConversationRecord | null>;
  getMember(id: ConversationId, userId: UserId): Promise<MemberRecord | null>;
  /** Members ordered by user id, after `afterUserId`, at most `limit`. */
  listMembers(id: ConversationId, afterUserId: UserId, limit: number): Promise<MemberRecord[]>;
  memberIds(id: ConversationId): Promise<UserId[]>;
  /** The other participant of a direct conversation. */
  directPeer(id: ConversationId, userId: UserId): Promise<UserId | null>;
  /** True when the two users share at least one conversation. */
  shareConversation(a: UserId, b: UserId): Promise<boolean>;

  /** The user's conversations, most recently updated first, updatedAt < beforeTime (0 = no bound). */
  listUserConversations(userId: UserId, limit: number, beforeTime: number): Promise<ConversationView[]>;
  /** Total unread (sum of lastSeq - readSeq) over all the user's conversations, in one snapshot. */
  totalUnread(userId: UserId): Promise<number>;
  advanceReadSeq(id: ConversationId, userId: UserId, seq: number): Promise<number>;
  /**
   * This conversation's unread (lastSeq - readSeq, 0 if not a member) and the
   * user's total unread, read in ONE snapshot so the two always agree.
   */
  unreadCounts(userId: UserId, id: ConversationId): Promise<{ unread: number; total: number }>;

  createGroup(group: NewGroup, now: number): Promise<ConversationRecord>;
  getGroup(id: ConversationId): Promise<GroupRecord | null>;
  updateGroup(id: ConversationId, patch: GroupPatch): Promise<void>;
  /** Add members whose history starts at firstSeq; returns the ids actually added. */
  addMembers(id: ConversationId, userIds: readonly UserId[], role: GroupRole, firstSeq: number, now: number): Promise<UserId[]>;
  removeMembers(id: ConversationId, userIds: readonly UserId[]): Promise<UserId[]>;
  updateMember(id: ConversationId, userId: UserId, patch: MemberPatch): Promise<boolean>;
  /** Read positions of all members (small conversations; receipts). */
  readPositions(id: ConversationId): Promise<Array<{ userId: UserId; readSeq: number }>>;
  /** Number of members whose readSeq >= seq. */
  countReadAtLeast(id: ConversationId, seq: number): Promise<number>;
  /** Pending join requests (approval groups). */
  addJoinRequest(id: ConversationId, userId: UserId, now: number): Promise<void>;
  takeJoinRequest(id: ConversationId, userId: UserId): Promise<boolean>;
}
