import { BoundedLru } from '../bounded-lru.js';
import type { ConversationStore } from '../ports/conversation-store.js';
import type { ConversationId, ConversationRecord, GroupRecord, MemberRecord, UserId } from '../model.js';

/** What the owner keeps in memory about a conversation it writes to. */
export interface ConversationState {
  /**
   * The record as loaded. Its head fields (lastSeq, lastMessageId, updatedAt) are not advanced
   * per send (that was an object copy per message on the send path, read by nothing): the live
   * seq is `lastSeq` below, and the store keeps the committed head.
   */
  record: ConversationRecord;
  group: GroupRecord | null;
  /** Next seq to assign is lastSeq + 1. Authoritative while this node owns the conversation. */
  lastSeq: number;
  /** Member ids for write fan-out; null for read fan-out conversations (never loaded). */
  memberIds: UserId[] | null;
  /** Per-member records seen so far (permission checks), bounded by the group size. */
  members: Map<UserId, MemberRecord | null>;
}

/**
 * Bounded (approximate) LRU of conversation state. An entry is dropped when membership or
 * settings change (and on a seq conflict, which means another node wrote).
 */
export class ConversationCache {
  private readonly map: BoundedLru<ConversationId, ConversationState>;
  private readonly loading = new Map<ConversationId, Promise<ConversationState | null>>();

  constructor(private readonly store: ConversationStore, capacity = 50_000) {
    this.map = new BoundedLru(capacity);
  }

  peek(id: ConversationId): ConversationState | undefined {
    return this.map.peek(id);
  }

  /** The cached state, counting as a use; undefined when it would have to load (then call get). */
  cached(id: ConversationId): ConversationState | undefined {
    return this.map.get(id);
  }

  /** The member record when already looked up (null = not a member), undefined when it would have to load. */
  cachedMember(state: ConversationState, userId: UserId): MemberRecord | null | undefined {
    return state.members.get(userId);
  }

  async get(id: ConversationId): Promise<ConversationState | null> {
    const hit = this.map.get(id);
    if (hit) return hit;
    let p = this.loading.get(id);
    if (!p) {
      p = this.load(id).finally(() => this.loading.delete(id));
      this.loading.set(id, p);
    }
    return p;
  }

  async member(state: ConversationState, userId: UserId): Promise<MemberRecord | null> {
    if (state.members.has(userId)) return state.members.get(userId)!;
    const m = await this.store.getMember(state.record.id, userId);
    if (state.members.size > 20_000) state.members.clear();
    state.members.set(userId, m);
    return m;
  }

  invalidate(id: ConversationId): void {
    this.map.delete(id);
  }

  /** Forget everything (ownership moved: another node may have written since). */
  clear(): void {
    this.map.clear();
  }

  private async load(id: ConversationId): Promise<ConversationState | null> {
    const record = await this.store.getConversation(id);
    if (!record) return null;
    const memberIds = record.large ? null : await this.store.memberIds(id);
    const group = record.kind === 'group' ? await this.store.getGroup(id) : null;
    const state: ConversationState = { record, group, lastSeq: record.lastSeq, memberIds, members: new Map() };
    this.map.set(id, state);
    return state;
  }
}
