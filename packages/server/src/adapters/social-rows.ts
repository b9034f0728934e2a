/**
 * Row shapes of the social tables and their mapping to port records, shared
 * by the SQLite and PostgreSQL SocialStores (the tables have the same
 * columns; SQLite returns booleans as 0/1, PostgreSQL as booleans).
 */
import type {
  Audience, ConversationSettingsRecord, FriendRequestRecord, FriendRequestStatus, ProfileRecord, RelationChangeKind, RelationChangeRecord, RelationRecord,
} from '../core/ports/social-store.js';

export interface ProfileRow {
  user_id: number; display_name: string; avatar_url: string; bio: string; message_from: Audience;
  group_invite_from: Audience; presence_to: Audience; friend_request_from: Audience; updated_at: number;
}
export interface RelationRow {
  owner_id: number; peer_id: number; friend: boolean | number; following: boolean | number; blocked: boolean | number; remark: string; updated_at: number;
}
export interface RequestRow { id: string; from_id: number; to_id: number; note: string; status: FriendRequestStatus; created_at: number; expires_at: number; updated_at: number }
export interface FeedRow { user_id: number; seq: number; at: number; kind: RelationChangeKind; key: string }

export const profileOf = (r: ProfileRow): ProfileRecord => ({
  userId: r.user_id, displayName: r.display_name, avatarUrl: r.avatar_url, bio: r.bio, updatedAt: r.updated_at,
  privacy: { messageFrom: r.message_from, groupInviteFrom: r.group_invite_from, presenceTo: r.presence_to, friendRequestFrom: r.friend_request_from },
});
export const relationOf = (r: RelationRow): RelationRecord => ({
  ownerId: r.owner_id, peerId: r.peer_id, friend: Boolean(r.friend), following: Boolean(r.following), blocked: Boolean(r.blocked),
  remark: r.remark, updatedAt: r.updated_at,
});
export const requestOf = (r: RequestRow): FriendRequestRecord => ({
  id: r.id, fromId: r.from_id, toId: r.to_id, note: r.note, status: r.status, createdAt: r.created_at, expiresAt: r.expires_at, updatedAt: r.updated_at,
});
export const feedOf = (r: FeedRow): RelationChangeRecord => ({ userId: r.user_id, seq: r.seq, at: r.at, kind: r.kind, key: r.key });

export interface ConversationSettingsRow {
  user_id: number; conversation_id: number; pinned_at: number; muted: boolean | number; muted_counts_in_badge: boolean | number;
  archived: boolean | number; marked_unread: boolean | number; draft: string; draft_at: number; updated_at: number;
}
export const conversationSettingsOf = (r: ConversationSettingsRow): ConversationSettingsRecord => ({
  userId: Number(r.user_id), conversationId: Number(r.conversation_id), pinnedAt: Number(r.pinned_at), muted: Boolean(r.muted),
  mutedCountsInBadge: Boolean(r.muted_counts_in_badge), archived: Boolean(r.archived), markedUnread: Boolean(r.marked_unread),
  draft: r.draft, draftAt: Number(r.draft_at), updatedAt: Number(r.updated_at),
});
