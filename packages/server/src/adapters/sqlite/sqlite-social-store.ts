import type Database from 'better-sqlite3';
import type { ConversationId, UserId } from '../../core/model.js';
import type {
  ConversationSettingsRecord, FriendRequestRecord, ProfileRecord, RelationChangeRecord,
  RelationRecord, SocialCommit, SocialStore, SocialWrite,
} from '../../core/ports/social-store.js';
import { conversationSettingsOf, type ConversationSettingsRow } from '../social-rows.js';
import { feedOf as feed, profileOf as profile, relationOf as relation, requestOf as request, type FeedRow, type ProfileRow, type RelationRow, type RequestRow } from '../social-rows.js';

const flag = (v: boolean | undefined): number | null => (v === undefined ? null : v ? 1 : 0);

/**
 * SocialStore on SQLite. A commit is one transaction under the single
 * writer, so its request guard (a conditional UPDATE, or the partial unique
 * index on pending pairs) and its feed seqs cannot interleave with another.
 */
export class SqliteSocialStore implements SocialStore {
  private readonly commitTx: (w: SocialWrite) => SocialCommit | null;
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      putProfile: db.prepare(`INSERT INTO profiles (user_id, display_name, avatar_url, bio, message_from, group_invite_from, presence_to, friend_request_from, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name, avatar_url = excluded.avatar_url,
        bio = excluded.bio, message_from = excluded.message_from, group_invite_from = excluded.group_invite_from, presence_to = excluded.presence_to,
        friend_request_from = excluded.friend_request_from, updated_at = excluded.updated_at`),
      patchRelation: db.prepare<[number, number, number, number, number, string, number, number | null, number | null, number | null, string | null, number], RelationRow>(
        `INSERT INTO relations (owner_id, peer_id, friend, following, blocked, remark, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (owner_id, peer_id) DO UPDATE SET friend = coalesce(?, friend), following = coalesce(?, following),
         blocked = coalesce(?, blocked), remark = coalesce(?, remark), updated_at = ?
         RETURNING *`),
      insertRequest: db.prepare(`INSERT INTO friend_requests (id, from_id, to_id, note, status, created_at, expires_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      moveRequest: db.prepare('UPDATE friend_requests SET status = ?, updated_at = ?, expires_at = ? WHERE id = ? AND status = ?'),
      bumpHead: db.prepare<[number], { head: number }>(`INSERT INTO relation_feed_heads (user_id, head) VALUES (?, 1)
        ON CONFLICT (user_id) DO UPDATE SET head = head + 1 RETURNING head`),
      insertFeed: db.prepare('INSERT INTO relation_feed (user_id, seq, at, kind, key) VALUES (?, ?, ?, ?, ?)'),
      getProfile: db.prepare<[number], ProfileRow>('SELECT * FROM profiles WHERE user_id = ?'),
      getRelation: db.prepare<[number, number], RelationRow>('SELECT * FROM relations WHERE owner_id = ? AND peer_id = ?'),
      listRelations: db.prepare<[number, number], RelationRow>('SELECT * FROM relations WHERE owner_id = ? ORDER BY updated_at, peer_id LIMIT ?'),
      listInbound: db.prepare<[number, number], RelationRow>(
        'SELECT * FROM relations WHERE peer_id = ? AND (following = 1 OR friend = 1) ORDER BY updated_at, owner_id LIMIT ?'),
      getRequest: db.prepare<[string], RequestRow>('SELECT * FROM friend_requests WHERE id = ?'),
      findPending: db.prepare<[number, number], RequestRow>("SELECT * FROM friend_requests WHERE from_id = ? AND to_id = ? AND status = 'pending'"),
      listPending: db.prepare<[number, number, number], RequestRow>(`SELECT * FROM friend_requests WHERE status = 'pending' AND (from_id = ? OR to_id = ?)
        ORDER BY created_at DESC, id DESC LIMIT ?`),
      putSettings: db.prepare(`INSERT OR REPLACE INTO conversation_settings (user_id, conversation_id, pinned_at, muted, muted_counts_in_badge,
        archived, marked_unread, draft, draft_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      getSettings: db.prepare<[number, number], ConversationSettingsRow>('SELECT * FROM conversation_settings WHERE user_id = ? AND conversation_id = ?'),
      listSettings: db.prepare<[number, number], ConversationSettingsRow>('SELECT * FROM conversation_settings WHERE user_id = ? ORDER BY conversation_id LIMIT ?'),
      hide: db.prepare('INSERT OR IGNORE INTO hidden_messages (user_id, conversation_id, seq) VALUES (?, ?, ?)'),
      hiddenIn: db.prepare<[number, number, number, number], { seq: number }>(
        'SELECT seq FROM hidden_messages WHERE user_id = ? AND conversation_id = ? AND seq BETWEEN ? AND ? ORDER BY seq'),
      readFeed: db.prepare<[number, number, number], FeedRow>('SELECT * FROM relation_feed WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
    };
    this.commitTx = db.transaction((w: SocialWrite) => this.apply(w));
  }

  async commit(w: SocialWrite): Promise<SocialCommit | null> {
    return this.commitTx(w);
  }

  private apply(w: SocialWrite): SocialCommit | null {
    const s = this.stmts;
    if (w.request) {
      const r = w.request.record;
      const changed = w.request.expect === 'absent'
        ? s.insertRequest.run(r.id, r.fromId, r.toId, r.note, r.status, r.createdAt, r.expiresAt, r.updatedAt).changes
        : s.moveRequest.run(r.status, r.updatedAt, r.expiresAt, r.id, w.request.expect).changes;
      // Nothing has been written yet in this transaction: returning is a clean refusal.
      if (changed === 0) return null;
    }
    for (const p of w.profiles ?? []) {
      s.putProfile.run(p.userId, p.displayName, p.avatarUrl, p.bio, p.privacy.messageFrom, p.privacy.groupInviteFrom,
        p.privacy.presenceTo, p.privacy.friendRequestFrom, p.updatedAt);
    }
    const relations = (w.relations ?? []).map((p) => relation(s.patchRelation.get(
      p.ownerId, p.peerId, flag(p.friend) ?? 0, flag(p.following) ?? 0, flag(p.blocked) ?? 0, p.remark ?? '', w.at,
      flag(p.friend), flag(p.following), flag(p.blocked), p.remark ?? null, w.at,
    )!));
    if (w.hiddenMessages) for (const seq of w.hiddenMessages.seqs) s.hide.run(w.hiddenMessages.userId, w.hiddenMessages.conversationId, seq);
    for (const c of w.conversationSettings ?? []) {
      s.putSettings.run(c.userId, c.conversationId, c.pinnedAt, c.muted ? 1 : 0, c.mutedCountsInBadge ? 1 : 0, c.archived ? 1 : 0,
        c.markedUnread ? 1 : 0, c.draft, c.draftAt, c.updatedAt);
    }
    const seqs = w.changes.map((c) => {
      const seq = s.bumpHead.get(c.userId)!.head;
      s.insertFeed.run(c.userId, seq, w.at, c.kind, c.key);
      return seq;
    });
    return { seqs, relations };
  }

  async getProfiles(userIds: readonly UserId[]): Promise<ProfileRecord[]> {
    return [...new Set(userIds)].flatMap((id) => {
      const r = this.stmts.getProfile.get(id);
      return r ? [profile(r)] : [];
    });
  }

  async getRelations(ownerId: UserId, peerIds: readonly UserId[]): Promise<RelationRecord[]> {
    return [...new Set(peerIds)].flatMap((p) => {
      const r = this.stmts.getRelation.get(ownerId, p);
      return r ? [relation(r)] : [];
    });
  }

  async listRelations(ownerId: UserId, limit: number): Promise<RelationRecord[]> {
    return this.stmts.listRelations.all(ownerId, limit).map(relation);
  }

  async listInbound(peerId: UserId, limit: number): Promise<RelationRecord[]> {
    return this.stmts.listInbound.all(peerId, limit).map(relation);
  }

  async getRequest(id: string): Promise<FriendRequestRecord | null> {
    const r = this.stmts.getRequest.get(id);
    return r ? request(r) : null;
  }

  async findPendingRequest(fromId: UserId, toId: UserId): Promise<FriendRequestRecord | null> {
    const r = this.stmts.findPending.get(fromId, toId);
    return r ? request(r) : null;
  }

  async listPendingRequests(userId: UserId, limit: number): Promise<FriendRequestRecord[]> {
    return this.stmts.listPending.all(userId, userId, limit).map(request);
  }

  async readChanges(userId: UserId, afterSeq: number, limit: number): Promise<RelationChangeRecord[]> {
    return this.stmts.readFeed.all(userId, afterSeq, limit).map(feed);
  }

  async getConversationSettings(userId: UserId, conversationIds: readonly ConversationId[]): Promise<ConversationSettingsRecord[]> {
    return [...new Set(conversationIds)].flatMap((c) => {
      const r = this.stmts.getSettings.get(userId, c);
      return r ? [conversationSettingsOf(r)] : [];
    });
  }

  async listConversationSettings(userId: UserId, limit: number): Promise<ConversationSettingsRecord[]> {
    return this.stmts.listSettings.all(userId, limit).map(conversationSettingsOf);
  }

  async hiddenAmong(userId: UserId, conversationId: ConversationId, seqs: readonly number[]): Promise<number[]> {
    if (seqs.length === 0) return [];
    const wanted = new Set(seqs);
    // One range scan of the primary key covers the page.
    return this.stmts.hiddenIn.all(userId, conversationId, Math.min(...seqs), Math.max(...seqs)).map((r) => r.seq).filter((s) => wanted.has(s));
  }
}
