/**
 * Domain records shared by the core and the storage ports. Ids of users and
 * conversations are JS numbers (allocated below 2^53); message ids are
 * snowflake strings (64-bit, time-ordered).
 */

export type UserId = number;
export type ConversationId = number;
export type MessageId = string;

export type Platform = 'ios' | 'android' | 'web' | 'desktop' | 'other';

export interface UserRecord {
  readonly id: UserId;
  readonly username: string;
  readonly passwordHash: string;
  readonly createdAt: number;
  /** The app (tenant, ADR 0013) the user belongs to; the stores always set it, absent means `default`. */
  readonly appId?: string;
}

export interface DeviceRecord {
  readonly userId: UserId;
  readonly deviceId: string;
  readonly platform: Platform;
  readonly lastSeen: number;
}

/** A login session of one device. Access tokens name it; refresh rotates it. */
export interface SessionRecord {
  readonly id: string;
  readonly userId: UserId;
  readonly deviceId: string;
  readonly platform: Platform;
  /** sha256 of the current refresh token. */
  readonly refreshHash: string;
  readonly refreshExpiresAt: number;
  readonly createdAt: number;
  readonly revoked: boolean;
}

export type ConversationKind = 'direct' | 'group';
export type GroupRole = 'member' | 'admin' | 'owner';
export type JoinPolicy = 'open' | 'approval' | 'invite';

export interface ConversationRecord {
  readonly id: ConversationId;
  readonly kind: ConversationKind;
  readonly createdAt: number;
  /** Highest stored seq; 0 when empty. */
  readonly lastSeq: number;
  readonly lastMessageId: MessageId | null;
  readonly updatedAt: number;
  readonly memberCount: number;
  /** Delivered by read fan-out (no per-member timeline writes). */
  readonly large: boolean;
}

export interface GroupRecord {
  readonly conversationId: ConversationId;
  readonly name: string;
  readonly avatarUrl: string;
  readonly announcement: string;
  readonly ownerId: UserId;
  readonly joinPolicy: JoinPolicy;
  readonly mutedAll: boolean;
  readonly dissolved: boolean;
}

export interface MemberRecord {
  readonly conversationId: ConversationId;
  readonly userId: UserId;
  readonly role: GroupRole;
  /** Highest seq this member has read. */
  readonly readSeq: number;
  /** Lowest seq this member may read (history from the join point). */
  readonly firstSeq: number;
  readonly joinedAt: number;
  readonly mutedUntil: number;
  readonly doNotDisturb: boolean;
}

/** A stored message. `content` is the encoded xinbox.v1.Content. */
export interface StoredMessage {
  readonly id: MessageId;
  readonly conversationId: ConversationId;
  readonly seq: number;
  readonly senderId: UserId;
  readonly clientMsgId: string;
  readonly serverTime: number;
  readonly content: Uint8Array;
  readonly mentions: readonly UserId[];
  readonly mentionAll: boolean;
  /** Personalised message: only these users see it. Empty: everyone. */
  readonly visibleTo: readonly UserId[];
}

/** One entry of a user's sync timeline (the user's 信箱). */
export interface TimelineEntry {
  readonly syncSeq: number;
  readonly message: StoredMessage;
}

/** One row of a user's conversation list. Unread is derived: lastSeq - readSeq. */
export interface ConversationView {
  readonly conversation: ConversationRecord;
  readonly member: MemberRecord;
  readonly lastMessage: StoredMessage | null;
  readonly group: GroupRecord | null;
  /** The other participant of a direct chat. */
  readonly peerId: UserId | null;
  /** Unread @mentions of this member (seq > readSeq). */
  readonly mentions: number;
  /** Message operations (recall, edit, reaction, pin) with seq > readSeq: they take seqs but are never unread. */
  readonly opsUnread: number;
}

export interface DevicePresence {
  readonly deviceId: string;
  readonly platform: Platform;
  readonly online: boolean;
  readonly lastSeen: number;
  readonly nodeId: string;
}

export interface UserPresence {
  readonly userId: UserId;
  readonly online: boolean;
  readonly lastSeen: number;
  readonly devices: readonly DevicePresence[];
}
