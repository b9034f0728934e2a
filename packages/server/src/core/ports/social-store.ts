import type { ConversationId, UserId } from '../model.js';

/** Who may do something to a user. */
export type Audience = 'anyone' | 'friends' | 'nobody';

export interface PrivacyRecord {
  /** Who may open a direct conversation with me and send me messages. */
  readonly messageFrom: Audience;
  /** Who may add me to groups. */
  readonly groupInviteFrom: Audience;
  /** Who may query or watch my presence. */
  readonly presenceTo: Audience;
  /** Who may send me friend requests. */
  readonly friendRequestFrom: Audience;
}

export interface ProfileRecord {
  readonly userId: UserId;
  readonly displayName: string;
  readonly avatarUrl: string;
  readonly bio: string;
  readonly privacy: PrivacyRecord;
  readonly updatedAt: number;
}

/** My relation with one peer (one row per direction). */
export interface RelationRecord {
  readonly ownerId: UserId;
  readonly peerId: UserId;
  /** Two-way friendship: written on both rows in one commit. */
  readonly friend: boolean;
  readonly following: boolean;
  readonly blocked: boolean;
  /** The owner's alias for the peer. */
  readonly remark: string;
  readonly updatedAt: number;
}

/** Changes to one relation row; absent fields keep their value (a new row starts false/false/false/''). */
export interface RelationPatch {
  readonly ownerId: UserId;
  readonly peerId: UserId;
  readonly friend?: boolean;
  readonly following?: boolean;
  readonly blocked?: boolean;
  readonly remark?: string;
}

export type FriendRequestStatus = 'pending' | 'accepted' | 'declined' | 'cancelled' | 'expired';

export interface FriendRequestRecord {
  readonly id: string;
  readonly fromId: UserId;
  readonly toId: UserId;
  readonly note: string;
  readonly status: FriendRequestStatus;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly updatedAt: number;
}

/** What a relationship change feed entry points at; readers fetch its current state. */
export type RelationChangeKind = 'relation' | 'request' | 'profile' | 'privacy' | 'conversation' | 'hidden';

/**
 * One user's own settings for one conversation (issue 14 item 2), kept with
 * the user's other per-user state so a change rides the same change feed
 * (kind 'conversation', key = the conversation id) to every device.
 */
export interface ConversationSettingsRecord {
  readonly userId: UserId;
  readonly conversationId: ConversationId;
  /** 0 = not pinned; otherwise when pinned (pins order newest first). */
  readonly pinnedAt: number;
  /** No offline push for this conversation. */
  readonly muted: boolean;
  /** While muted, still count this conversation's unread in the total badge. */
  readonly mutedCountsInBadge: boolean;
  readonly archived: boolean;
  /** Set by the user ("mark as unread"); reading the conversation clears it. */
  readonly markedUnread: boolean;
  readonly draft: string;
  /** Client time of the draft; a draft older than the stored one is dropped (last writer wins). */
  readonly draftAt: number;
  readonly updatedAt: number;
}

export interface RelationChangeRecord {
  readonly userId: UserId;
  /** 1, 2, 3, ... per user, without holes. */
  readonly seq: number;
  readonly at: number;
  readonly kind: RelationChangeKind;
  /** relation: the peer's user id; request: the request id; profile, privacy: ''. */
  readonly key: string;
}

/** One atomic write: rows, at most one friend request transition, and feed entries. */
export interface SocialWrite {
  readonly profiles?: readonly ProfileRecord[];
  readonly relations?: readonly RelationPatch[];
  /**
   * Insert a request (`expect` 'absent': refused when a pending request from
   * the same sender to the same recipient exists) or move an existing one
   * (`expect` its current status: refused when the status differs).
   */
  readonly request?: { readonly record: FriendRequestRecord; readonly expect: 'absent' | FriendRequestStatus };
  /** Delete-for-me: these messages are hidden from this user (idempotent). */
  readonly hiddenMessages?: { readonly userId: UserId; readonly conversationId: ConversationId; readonly seqs: readonly number[] };
  /** Whole-row upserts of conversation settings. */
  readonly conversationSettings?: readonly ConversationSettingsRecord[];
  readonly changes: ReadonlyArray<{ readonly userId: UserId; readonly kind: RelationChangeKind; readonly key: string }>;
  readonly at: number;
}

export interface SocialCommit {
  /** Feed seqs assigned to `changes`, in order. */
  readonly seqs: readonly number[];
  /** The relation rows after the patches, in patch order. */
  readonly relations: readonly RelationRecord[];
}

/**
 * Profiles, privacy, the relationship chain and each user's relationship
 * change feed.
 *
 * Contract:
 * - `commit` is atomic: every row, the request transition and every feed
 *   entry is written, or (guard refused: returns null) nothing is.
 * - The request guard is a compare-and-swap: of two concurrent commits moving
 *   one request out of 'pending', exactly one succeeds; of two concurrent
 *   inserts of a pending request for one (from, to) pair, exactly one does.
 * - Relation patches change only the fields they name, so concurrent patches
 *   of different fields of one row both take effect.
 * - Feed seqs are 1, 2, 3, ... per user without holes, in commit order.
 * - Missing profiles/relations are simply absent from results (the core
 *   supplies defaults).
 */
export interface SocialStore {
  commit(write: SocialWrite): Promise<SocialCommit | null>;
  getProfiles(userIds: readonly UserId[]): Promise<ProfileRecord[]>;
  /** Rows owner -> each of peerIds that exist. */
  getRelations(ownerId: UserId, peerIds: readonly UserId[]): Promise<RelationRecord[]>;
  /** Rows owner -> anyone, oldest update first, at most `limit`. */
  listRelations(ownerId: UserId, limit: number): Promise<RelationRecord[]>;
  /** Rows anyone -> peer with following or friend set, at most `limit`. */
  listInbound(peerId: UserId, limit: number): Promise<RelationRecord[]>;
  getRequest(id: string): Promise<FriendRequestRecord | null>;
  findPendingRequest(fromId: UserId, toId: UserId): Promise<FriendRequestRecord | null>;
  /** Pending requests from or to the user, newest first, at most `limit`. */
  listPendingRequests(userId: UserId, limit: number): Promise<FriendRequestRecord[]>;
  /** Feed entries with seq > afterSeq, ascending, at most `limit`. */
  readChanges(userId: UserId, afterSeq: number, limit: number): Promise<RelationChangeRecord[]>;
  /** The user's stored settings rows for these conversations (missing rows are absent). */
  getConversationSettings(userId: UserId, conversationIds: readonly ConversationId[]): Promise<ConversationSettingsRecord[]>;
  /** Which of `seqs` of the conversation the user hid (delete-for-me), ascending. */
  hiddenAmong(userId: UserId, conversationId: ConversationId, seqs: readonly number[]): Promise<number[]>;
  /** Every stored settings row of the user, by conversation id, at most `limit`. */
  listConversationSettings(userId: UserId, limit: number): Promise<ConversationSettingsRecord[]>;
}
