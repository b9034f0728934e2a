import type {
  ConversationId, ConversationKind, DeviceRecord, GroupRecord, GroupRole, MessageId, SessionRecord, StoredMessage,
  UserId, UserRecord,
} from '../../core/model.js';
import { ALL_MEMBERS } from './mention-targets.js';
import { MessageLog } from './message-log.js';
import { SyncTimeline } from './sync-timeline.js';

/** Mutable twin of ConversationRecord; stores hand out copies. */
export interface ConversationRow {
  id: ConversationId;
  kind: ConversationKind;
  createdAt: number;
  lastSeq: number;
  lastMessageId: MessageId | null;
  updatedAt: number;
  memberCount: number;
  large: boolean;
}

export interface MemberRow {
  conversationId: ConversationId;
  userId: UserId;
  role: GroupRole;
  readSeq: number;
  firstSeq: number;
  joinedAt: number;
  mutedUntil: number;
  doNotDisturb: boolean;
}

export type GroupRow = { -readonly [K in keyof GroupRecord]: GroupRecord[K] };

/**
 * A mention of `userId` at `seq`; userId ALL_MEMBERS stands for @all, which
 * counts for every member except `senderId`.
 */
export interface MentionRow {
  seq: number;
  userId: UserId;
  senderId: UserId;
}


/**
 * The state shared by the in-memory stores, one instance per
 * createMemoryAdapters() call. The message store and the conversation store
 * both write conversations and members (an append moves lastSeq, read seqs and
 * mentions), so they must see the same tables, exactly as two SQL stores see
 * one database. Every operation runs synchronously, which is what makes each
 * store call atomic.
 */
export class MemoryTables {
  // identity
  readonly users = new Map<UserId, UserRecord>();
  readonly usersByName = new Map<string, UserRecord>();
  nextUserId = 1;
  readonly devices = new Map<UserId, Map<string, DeviceRecord>>();
  readonly sessions = new Map<string, SessionRecord>();

  // conversations
  readonly conversations = new Map<ConversationId, ConversationRow>();
  nextConversationId = 1;
  readonly members = new Map<ConversationId, Map<UserId, MemberRow>>();
  readonly conversationsOfUser = new Map<UserId, Set<ConversationId>>();
  /** `${lo}:${hi}` -> direct conversation. */
  readonly directPairs = new Map<string, ConversationId>();
  readonly directPairOf = new Map<ConversationId, readonly [UserId, UserId]>();
  readonly groups = new Map<ConversationId, GroupRow>();
  readonly joinRequests = new Map<ConversationId, Map<UserId, number>>();
  readonly mentions = new Map<ConversationId, MentionRow[]>();
  /** Message operation events per conversation (message-effects): never unread; a recall finds edits here. */
  readonly ops = new Map<ConversationId, Array<{ seq: number; kind: string; targetSeq: number }>>();
  /** Current pins per conversation: target seq -> the pinning event (message-effects). */
  readonly pins = new Map<ConversationId, Map<number, { pinSeq: number; pinnedBy: number; pinnedAt: number }>>();

  // messages
  readonly messagesById = new Map<MessageId, StoredMessage>();
  /** `${senderId}\0${clientMsgId}` -> message. */
  readonly messagesByClientId = new Map<string, StoredMessage>();
  readonly logs = new Map<ConversationId, MessageLog>();
  readonly timelines = new Map<UserId, SyncTimeline>();
  /** Full-text index: message id -> indexed text (AppendItem.searchText). */
  readonly searchText = new Map<MessageId, string>();

  membersOf(conversationId: ConversationId): Map<UserId, MemberRow> {
    let members = this.members.get(conversationId);
    if (!members) {
      members = new Map();
      this.members.set(conversationId, members);
    }
    return members;
  }

  logOf(conversationId: ConversationId): MessageLog {
    let log = this.logs.get(conversationId);
    if (!log) {
      log = new MessageLog();
      this.logs.set(conversationId, log);
    }
    return log;
  }

  timelineOf(userId: UserId): SyncTimeline {
    let timeline = this.timelines.get(userId);
    if (!timeline) {
      timeline = new SyncTimeline();
      this.timelines.set(userId, timeline);
    }
    return timeline;
  }

  /** Adds a member row and keeps memberCount and the per-user index in step. Returns false if present. */
  insertMember(row: MemberRow): boolean {
    const members = this.membersOf(row.conversationId);
    if (members.has(row.userId)) return false;
    if (!this.users.has(row.userId)) {
      // Mirrors the SQL foreign key: members are registered users.
      throw new Error(`user ${row.userId} does not exist`);
    }
    members.set(row.userId, row);
    let ofUser = this.conversationsOfUser.get(row.userId);
    if (!ofUser) {
      ofUser = new Set();
      this.conversationsOfUser.set(row.userId, ofUser);
    }
    ofUser.add(row.conversationId);
    const conversation = this.conversations.get(row.conversationId);
    if (conversation) conversation.memberCount = members.size;
    return true;
  }

  deleteMember(conversationId: ConversationId, userId: UserId): boolean {
    const members = this.members.get(conversationId);
    if (!members?.delete(userId)) return false;
    this.conversationsOfUser.get(userId)?.delete(conversationId);
    const conversation = this.conversations.get(conversationId);
    if (conversation) conversation.memberCount = members.size;
    return true;
  }

  /** Operation events with seq > readSeq (they take seqs but are never unread). */
  countOps(conversationId: ConversationId, readSeq: number): number {
    let n = 0;
    for (const op of this.ops.get(conversationId) ?? []) if (op.seq > readSeq) n++;
    return n;
  }

  /** Unread mentions of `userId` with seq > readSeq; one message counts once. */
  countMentions(conversationId: ConversationId, userId: UserId, readSeq: number): number {
    const rows = this.mentions.get(conversationId);
    if (!rows) return 0;
    const seqs = new Set<number>();
    for (const row of rows) {
      if (row.seq <= readSeq) continue;
      if (row.userId === userId || (row.userId === ALL_MEMBERS && row.senderId !== userId)) seqs.add(row.seq);
    }
    return seqs.size;
  }
}

export function clientMsgKey(senderId: UserId, clientMsgId: string): string {
  return `${senderId}\u0000${clientMsgId}`;
}

export function directPairKey(a: UserId, b: UserId): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`;
}
