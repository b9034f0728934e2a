import type { ConversationId, UserId } from '../../core/model.js';
import type {
  ConversationSettingsRecord, FriendRequestRecord, ProfileRecord, RelationChangeRecord,
  RelationRecord, SocialCommit, SocialStore, SocialWrite,
} from '../../core/ports/social-store.js';
import { int8Array } from './array-literal.js';
import type { Sql } from './client.js';
import { explainForeignKey } from './errors.js';
import { conversationSettingsOf, type ConversationSettingsRow } from '../social-rows.js';
import { feedOf as feed, profileOf as profile, relationOf as relation, requestOf as request, type FeedRow, type ProfileRow, type RelationRow, type RequestRow } from '../social-rows.js';


/** Thrown inside the transaction to roll it back when the request guard refuses. */
class GuardRefused extends Error {}

/**
 * SocialStore on PostgreSQL. A commit is one transaction: the request guard
 * is a conditional UPDATE (or an insert against the partial unique index of
 * pending pairs), relation patches are single-row upserts that coalesce only
 * the named fields, and feed seqs come from `UPDATE ... RETURNING` on the
 * user's head row, whose lock orders concurrent commits.
 */
export class PostgresSocialStore implements SocialStore {
  constructor(private readonly sql: Sql) {}

  async commit(w: SocialWrite): Promise<SocialCommit | null> {
    try {
      return await this.sql.begin(async (tx) => {
        if (w.request) {
          const r = w.request.record;
          const rows = w.request.expect === 'absent'
            ? await tx`INSERT INTO friend_requests (id, from_id, to_id, note, status, created_at, expires_at, updated_at)
                VALUES (${r.id}, ${r.fromId}, ${r.toId}, ${r.note}, ${r.status}, ${r.createdAt}, ${r.expiresAt}, ${r.updatedAt})
                ON CONFLICT DO NOTHING RETURNING id`
            : await tx`UPDATE friend_requests SET status = ${r.status}, updated_at = ${r.updatedAt}, expires_at = ${r.expiresAt}
                WHERE id = ${r.id} AND status = ${w.request.expect} RETURNING id`;
          if (rows.length === 0) throw new GuardRefused();
        }
        for (const p of w.profiles ?? []) {
          await tx`INSERT INTO profiles (user_id, display_name, avatar_url, bio, message_from, group_invite_from, presence_to, friend_request_from, updated_at)
            VALUES (${p.userId}, ${p.displayName}, ${p.avatarUrl}, ${p.bio}, ${p.privacy.messageFrom}, ${p.privacy.groupInviteFrom},
              ${p.privacy.presenceTo}, ${p.privacy.friendRequestFrom}, ${p.updatedAt})
            ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name, avatar_url = excluded.avatar_url, bio = excluded.bio,
              message_from = excluded.message_from, group_invite_from = excluded.group_invite_from, presence_to = excluded.presence_to,
              friend_request_from = excluded.friend_request_from, updated_at = excluded.updated_at`;
        }
        const relations: RelationRecord[] = [];
        for (const p of w.relations ?? []) {
          const [row] = await tx<RelationRow[]>`
            INSERT INTO relations (owner_id, peer_id, friend, following, blocked, remark, updated_at)
            VALUES (${p.ownerId}, ${p.peerId}, ${p.friend ?? false}, ${p.following ?? false}, ${p.blocked ?? false}, ${p.remark ?? ''}, ${w.at})
            ON CONFLICT (owner_id, peer_id) DO UPDATE SET
              friend = coalesce(${p.friend ?? null}::boolean, relations.friend),
              following = coalesce(${p.following ?? null}::boolean, relations.following),
              blocked = coalesce(${p.blocked ?? null}::boolean, relations.blocked),
              remark = coalesce(${p.remark ?? null}::text, relations.remark),
              updated_at = ${w.at}
            RETURNING *`;
          relations.push(relation(row!));
        }
        if (w.hiddenMessages) {
          const h = w.hiddenMessages;
          await tx`INSERT INTO hidden_messages (user_id, conversation_id, seq)
            SELECT ${h.userId}, ${h.conversationId}, unnest(${int8Array(h.seqs)}::int8[]) ON CONFLICT DO NOTHING`;
        }
        for (const c of w.conversationSettings ?? []) {
          await tx`INSERT INTO conversation_settings (user_id, conversation_id, pinned_at, muted, muted_counts_in_badge, archived, marked_unread, draft, draft_at, updated_at)
            VALUES (${c.userId}, ${c.conversationId}, ${c.pinnedAt}, ${c.muted}, ${c.mutedCountsInBadge}, ${c.archived}, ${c.markedUnread}, ${c.draft}, ${c.draftAt}, ${c.updatedAt})
            ON CONFLICT (user_id, conversation_id) DO UPDATE SET pinned_at = excluded.pinned_at, muted = excluded.muted,
              muted_counts_in_badge = excluded.muted_counts_in_badge, archived = excluded.archived, marked_unread = excluded.marked_unread,
              draft = excluded.draft, draft_at = excluded.draft_at, updated_at = excluded.updated_at`;
        }
        const seqs: number[] = [];
        for (const c of w.changes) {
          const [head] = await tx<Array<{ head: number }>>`
            INSERT INTO relation_feed_heads (user_id, head) VALUES (${c.userId}, 1)
            ON CONFLICT (user_id) DO UPDATE SET head = relation_feed_heads.head + 1 RETURNING head`;
          await tx`INSERT INTO relation_feed (user_id, seq, at, kind, key) VALUES (${c.userId}, ${head!.head}, ${w.at}, ${c.kind}, ${c.key})`;
          seqs.push(head!.head);
        }
        return { seqs, relations };
      });
    } catch (error) {
      if (error instanceof GuardRefused) return null;
      throw explainForeignKey(error);
    }
  }

  async getProfiles(userIds: readonly UserId[]): Promise<ProfileRecord[]> {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return [];
    const rows = await this.sql<ProfileRow[]>`SELECT * FROM profiles WHERE user_id = ANY(${int8Array(ids)}::int8[])`;
    return rows.map(profile);
  }

  async getRelations(ownerId: UserId, peerIds: readonly UserId[]): Promise<RelationRecord[]> {
    const ids = [...new Set(peerIds)];
    if (ids.length === 0) return [];
    const rows = await this.sql<RelationRow[]>`
      SELECT * FROM relations WHERE owner_id = ${ownerId} AND peer_id = ANY(${int8Array(ids)}::int8[])`;
    return rows.map(relation);
  }

  async listRelations(ownerId: UserId, limit: number): Promise<RelationRecord[]> {
    const rows = await this.sql<RelationRow[]>`SELECT * FROM relations WHERE owner_id = ${ownerId} ORDER BY updated_at, peer_id LIMIT ${limit}`;
    return rows.map(relation);
  }

  async listInbound(peerId: UserId, limit: number): Promise<RelationRecord[]> {
    const rows = await this.sql<RelationRow[]>`
      SELECT * FROM relations WHERE peer_id = ${peerId} AND (following OR friend) ORDER BY updated_at, owner_id LIMIT ${limit}`;
    return rows.map(relation);
  }

  async getRequest(id: string): Promise<FriendRequestRecord | null> {
    const [row] = await this.sql<RequestRow[]>`SELECT * FROM friend_requests WHERE id = ${id}`;
    return row ? request(row) : null;
  }

  async findPendingRequest(fromId: UserId, toId: UserId): Promise<FriendRequestRecord | null> {
    const [row] = await this.sql<RequestRow[]>`
      SELECT * FROM friend_requests WHERE from_id = ${fromId} AND to_id = ${toId} AND status = 'pending'`;
    return row ? request(row) : null;
  }

  async listPendingRequests(userId: UserId, limit: number): Promise<FriendRequestRecord[]> {
    const rows = await this.sql<RequestRow[]>`
      SELECT * FROM friend_requests WHERE status = 'pending' AND (from_id = ${userId} OR to_id = ${userId})
      ORDER BY created_at DESC, id DESC LIMIT ${limit}`;
    return rows.map(request);
  }

  async readChanges(userId: UserId, afterSeq: number, limit: number): Promise<RelationChangeRecord[]> {
    const rows = await this.sql<FeedRow[]>`
      SELECT * FROM relation_feed WHERE user_id = ${userId} AND seq > ${afterSeq} ORDER BY seq LIMIT ${limit}`;
    return rows.map(feed);
  }

  async getConversationSettings(userId: UserId, conversationIds: readonly ConversationId[]): Promise<ConversationSettingsRecord[]> {
    const ids = [...new Set(conversationIds)];
    if (ids.length === 0) return [];
    const rows = await this.sql<ConversationSettingsRow[]>`SELECT * FROM conversation_settings
      WHERE user_id = ${userId} AND conversation_id = ANY(${int8Array(ids)}::int8[]) ORDER BY conversation_id`;
    return rows.map(conversationSettingsOf);
  }

  async listConversationSettings(userId: UserId, limit: number): Promise<ConversationSettingsRecord[]> {
    const rows = await this.sql<ConversationSettingsRow[]>`SELECT * FROM conversation_settings WHERE user_id = ${userId} ORDER BY conversation_id LIMIT ${limit}`;
    return rows.map(conversationSettingsOf);
  }

  async hiddenAmong(userId: UserId, conversationId: ConversationId, seqs: readonly number[]): Promise<number[]> {
    const ids = [...new Set(seqs)];
    if (ids.length === 0) return [];
    const rows = await this.sql<Array<{ seq: string | number }>>`SELECT seq FROM hidden_messages
      WHERE user_id = ${userId} AND conversation_id = ${conversationId} AND seq = ANY(${int8Array(ids)}::int8[]) ORDER BY seq`;
    return rows.map((r) => Number(r.seq));
  }
}
