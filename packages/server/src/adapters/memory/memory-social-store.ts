import type { ConversationId, UserId } from '../../core/model.js';
import type {
  ConversationSettingsRecord, FriendRequestRecord, ProfileRecord, RelationChangeRecord, RelationRecord, SocialCommit, SocialStore, SocialWrite,
} from '../../core/ports/social-store.js';

const pairKey = (a: UserId, b: UserId): string => `${a}:${b}`;

/**
 * In-memory SocialStore. Every call runs synchronously to completion, which
 * is what makes a commit atomic and its request guard a compare-and-swap.
 */
export class MemorySocialStore implements SocialStore {
  private readonly profiles = new Map<UserId, ProfileRecord>();
  private readonly relations = new Map<string, RelationRecord>();
  private readonly requests = new Map<string, FriendRequestRecord>();
  private readonly pendingByPair = new Map<string, string>();
  private readonly feeds = new Map<UserId, RelationChangeRecord[]>();
  private readonly settings = new Map<string, ConversationSettingsRecord>();
  private readonly hidden = new Map<string, Set<number>>();

  async commit(w: SocialWrite): Promise<SocialCommit | null> {
    if (w.request) {
      const { record, expect } = w.request;
      const current = this.requests.get(record.id);
      if (expect === 'absent') {
        if (current || this.pendingByPair.has(pairKey(record.fromId, record.toId))) return null;
      } else if (!current || current.status !== expect) {
        return null;
      }
      const pk = pairKey(record.fromId, record.toId);
      if (record.status === 'pending') this.pendingByPair.set(pk, record.id);
      else if (this.pendingByPair.get(pk) === record.id) this.pendingByPair.delete(pk);
      this.requests.set(record.id, Object.freeze({ ...record }));
    }
    for (const p of w.profiles ?? []) this.profiles.set(p.userId, Object.freeze({ ...p, privacy: Object.freeze({ ...p.privacy }) }));
    const relations: RelationRecord[] = [];
    for (const patch of w.relations ?? []) {
      const key = pairKey(patch.ownerId, patch.peerId);
      const old = this.relations.get(key);
      const row: RelationRecord = Object.freeze({
        ownerId: patch.ownerId,
        peerId: patch.peerId,
        friend: patch.friend ?? old?.friend ?? false,
        following: patch.following ?? old?.following ?? false,
        blocked: patch.blocked ?? old?.blocked ?? false,
        remark: patch.remark ?? old?.remark ?? '',
        updatedAt: w.at,
      });
      this.relations.set(key, row);
      relations.push(row);
    }
    if (w.hiddenMessages) {
      const k = pairKey(w.hiddenMessages.userId, w.hiddenMessages.conversationId);
      let set = this.hidden.get(k);
      if (!set) this.hidden.set(k, (set = new Set()));
      for (const seq of w.hiddenMessages.seqs) set.add(seq);
    }
    for (const c of w.conversationSettings ?? []) this.settings.set(pairKey(c.userId, c.conversationId), Object.freeze({ ...c }));
    const seqs = w.changes.map((c) => {
      let feed = this.feeds.get(c.userId);
      if (!feed) this.feeds.set(c.userId, (feed = []));
      const seq = feed.length + 1;
      feed.push(Object.freeze({ userId: c.userId, seq, at: w.at, kind: c.kind, key: c.key }));
      return seq;
    });
    return { seqs, relations };
  }

  async getProfiles(userIds: readonly UserId[]): Promise<ProfileRecord[]> {
    return [...new Set(userIds)].flatMap((id) => this.profiles.get(id) ?? []);
  }

  async getRelations(ownerId: UserId, peerIds: readonly UserId[]): Promise<RelationRecord[]> {
    return [...new Set(peerIds)].flatMap((p) => this.relations.get(pairKey(ownerId, p)) ?? []);
  }

  async listRelations(ownerId: UserId, limit: number): Promise<RelationRecord[]> {
    return [...this.relations.values()].filter((r) => r.ownerId === ownerId)
      .sort((a, b) => a.updatedAt - b.updatedAt || a.peerId - b.peerId).slice(0, limit);
  }

  async listInbound(peerId: UserId, limit: number): Promise<RelationRecord[]> {
    return [...this.relations.values()].filter((r) => r.peerId === peerId && (r.following || r.friend))
      .sort((a, b) => a.updatedAt - b.updatedAt || a.ownerId - b.ownerId).slice(0, limit);
  }

  async getRequest(id: string): Promise<FriendRequestRecord | null> {
    return this.requests.get(id) ?? null;
  }

  async findPendingRequest(fromId: UserId, toId: UserId): Promise<FriendRequestRecord | null> {
    const id = this.pendingByPair.get(pairKey(fromId, toId));
    return id ? this.requests.get(id)! : null;
  }

  async listPendingRequests(userId: UserId, limit: number): Promise<FriendRequestRecord[]> {
    return [...this.requests.values()].filter((r) => r.status === 'pending' && (r.fromId === userId || r.toId === userId))
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).slice(0, limit);
  }

  async readChanges(userId: UserId, afterSeq: number, limit: number): Promise<RelationChangeRecord[]> {
    return (this.feeds.get(userId) ?? []).slice(Math.max(0, afterSeq), Math.max(0, afterSeq) + limit);
  }

  async getConversationSettings(userId: UserId, conversationIds: readonly ConversationId[]): Promise<ConversationSettingsRecord[]> {
    return [...new Set(conversationIds)].flatMap((c) => this.settings.get(pairKey(userId, c)) ?? []);
  }

  async listConversationSettings(userId: UserId, limit: number): Promise<ConversationSettingsRecord[]> {
    return [...this.settings.values()].filter((r) => r.userId === userId).sort((a, b) => a.conversationId - b.conversationId).slice(0, limit);
  }

  async hiddenAmong(userId: UserId, conversationId: ConversationId, seqs: readonly number[]): Promise<number[]> {
    const set = this.hidden.get(pairKey(userId, conversationId));
    return set ? [...new Set(seqs)].filter((s) => set.has(s)).sort((a, b) => a - b) : [];
  }
}
