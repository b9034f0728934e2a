import { Errors, XinboxError } from '@xinbox/protocol';
import type { ConversationId, UserId } from '../model.js';
import type { ConversationStore } from '../ports/conversation-store.js';
import type { ConversationSettingsRecord, SocialStore } from '../ports/social-store.js';
import type { SocialService } from '../social/social-service.js';
import { defaultSettings } from './conversation-settings.js';

export const SETTINGS_LIMITS = Object.freeze({ draftChars: 4_000, pinned: 50, rows: 10_000, hidePerRequest: 100 });

/** The fields a ConversationSettingsSet may name, and what each sets. */
export interface SettingsPatch {
  readonly pinned?: boolean;
  readonly muted?: boolean;
  readonly mutedCountsInBadge?: boolean;
  readonly archived?: boolean;
  readonly markedUnread?: boolean;
  readonly draft?: { readonly text: string; readonly at: number };
}

/** What offline push needs of one user's conversation settings, from one read (ConversationSettingsService.pushView). */
export interface UserPushSettings {
  muted(conversationId: ConversationId): Promise<boolean>;
  /** The badge from the store's total unread (ConversationSettingsService.badge). */
  badge(total: number): Promise<number>;
}

/** No settings: nothing muted beyond do-not-disturb, badge = the total. */
export const NO_PUSH_SETTINGS: UserPushSettings = { muted: async () => false, badge: async (total) => total };

/**
 * Per-user conversation settings (issue 14 item 2): pin, mute, archive, mark
 * unread and draft. Rows live in the SocialStore so that a change is one
 * commit with an entry on the user's change feed (kind 'conversation'),
 * which SocialService pushes to every online device of the user and serves
 * to an offline one through RelationSync: one per-user feed, not two.
 *
 * A change is read-modify-write of the whole row; changes of one user are
 * serialized on this node so two devices changing different fields at once
 * both take effect. Drafts are last-writer-wins by the client's draftAt.
 */
export class ConversationSettingsService {
  private readonly chains = new Map<UserId, Promise<unknown>>();

  constructor(
    private readonly store: SocialStore,
    private readonly social: SocialService,
    private readonly conversations: Pick<ConversationStore, 'getMember' | 'unreadCounts' | 'getConversation'>,
    private readonly clock: () => number = Date.now,
  ) {}

  async set(userId: UserId, conversationId: ConversationId, patch: SettingsPatch): Promise<ConversationSettingsRecord> {
    if (Object.values(patch).every((v) => v === undefined)) throw new XinboxError(Errors.CONVERSATION_SETTINGS_INVALID, 'name at least one field');
    if (patch.draft && (typeof patch.draft.text !== 'string' || [...patch.draft.text].length > SETTINGS_LIMITS.draftChars || !Number.isFinite(patch.draft.at))) {
      throw new XinboxError(Errors.CONVERSATION_SETTINGS_INVALID, `a draft holds at most ${SETTINGS_LIMITS.draftChars} characters`);
    }
    if (!(await this.conversations.getMember(conversationId, userId))) throw new XinboxError(Errors.NOT_A_MEMBER);
    return this.serialized(userId, () => this.apply(userId, conversationId, patch));
  }

  /** The user's settings of these conversations (defaults where never set). */
  async get(userId: UserId, conversationIds: readonly ConversationId[]): Promise<Map<ConversationId, ConversationSettingsRecord>> {
    const rows = await this.store.getConversationSettings(userId, conversationIds);
    const byId = new Map(rows.map((r) => [r.conversationId, r]));
    return new Map(conversationIds.map((c) => [c, byId.get(c) ?? defaultSettings(userId, c)]));
  }

  /**
   * Delete for me: the messages disappear for this user only, on every
   * device. Stored as a per-user hidden set (history, sync and search filter
   * by lookup, not by replaying a feed) plus one change-feed entry, so online
   * devices drop them at once and an offline one learns on RelationSync.
   * Only seqs the user may read (from their join point to the last one).
   */
  async hide(userId: UserId, conversationId: ConversationId, seqsRaw: readonly number[]): Promise<void> {
    const seqs = [...new Set(seqsRaw)].sort((a, b) => a - b);
    if (seqs.length === 0) throw new XinboxError(Errors.INVALID_ARGUMENT, 'name at least one seq');
    if (seqs.length > SETTINGS_LIMITS.hidePerRequest) throw new XinboxError(Errors.LIST_TOO_LARGE, `at most ${SETTINGS_LIMITS.hidePerRequest} messages at once`);
    const [member, conversation] = await Promise.all([this.conversations.getMember(conversationId, userId), this.conversations.getConversation(conversationId)]);
    if (!member || !conversation) throw new XinboxError(Errors.NOT_A_MEMBER);
    if (seqs.some((s) => !Number.isInteger(s) || s < Math.max(1, member.firstSeq) || s > conversation.lastSeq)) {
      throw new XinboxError(Errors.TARGET_NOT_FOUND, 'a named message is not one you can read');
    }
    await this.social.commitHidden(userId, conversationId, seqs);
  }

  /** Which of these seqs the user deleted for themselves. */
  hiddenAmong(userId: UserId, conversationId: ConversationId, seqs: readonly number[]): Promise<number[]> {
    return this.store.hiddenAmong(userId, conversationId, seqs);
  }

  /** For offline push: is this conversation muted by this user? */
  async mutedFor(userId: UserId, conversationId: ConversationId): Promise<boolean> {
    const [row] = await this.store.getConversationSettings(userId, [conversationId]);
    return row?.muted ?? false;
  }

  /**
   * The user's badge from the store's total unread: a muted conversation
   * whose owner chose "don't count muted" contributes nothing, and one
   * marked unread with nothing unread counts as 1. One lookup per such row
   * (rows are bounded per user).
   */
  async badge(userId: UserId, total: number): Promise<number> {
    return this.badgeFrom(userId, await this.store.listConversationSettings(userId, SETTINGS_LIMITS.rows), total);
  }

  /**
   * For offline push, one read of the user's settings rows answers both
   * questions for all of the user's closing bursts: is a conversation muted
   * (mutedFor; a conversation without a row is not, unless the list was cut
   * at the row limit — then it is looked up) and the badge (badge).
   */
  async pushView(userId: UserId): Promise<UserPushSettings> {
    const rows = await this.store.listConversationSettings(userId, SETTINGS_LIMITS.rows);
    const byConversation = new Map(rows.map((r) => [r.conversationId, r]));
    const complete = rows.length < SETTINGS_LIMITS.rows;
    return {
      muted: async (conversationId) => {
        const row = byConversation.get(conversationId);
        return row || complete ? (row?.muted ?? false) : this.mutedFor(userId, conversationId);
      },
      badge: (total) => this.badgeFrom(userId, rows, total),
    };
  }

  private async badgeFrom(userId: UserId, rows: readonly ConversationSettingsRecord[], total: number): Promise<number> {
    let badge = total;
    for (const r of rows) {
      const excluded = r.muted && !r.mutedCountsInBadge;
      if (!excluded && !r.markedUnread) continue;
      const { unread } = await this.conversations.unreadCounts(userId, r.conversationId);
      if (excluded) badge -= unread;
      else if (unread === 0) badge += 1;
    }
    return Math.max(0, badge);
  }

  /** Reading a conversation clears its "marked unread" flag. */
  async clearMarkedUnread(userId: UserId, conversationId: ConversationId): Promise<void> {
    const [row] = await this.store.getConversationSettings(userId, [conversationId]);
    if (row?.markedUnread) await this.serialized(userId, () => this.apply(userId, conversationId, { markedUnread: false }));
  }

  private async apply(userId: UserId, conversationId: ConversationId, patch: SettingsPatch): Promise<ConversationSettingsRecord> {
    const now = this.clock();
    const [stored] = await this.store.getConversationSettings(userId, [conversationId]);
    const cur = stored ?? defaultSettings(userId, conversationId);
    if (patch.pinned && !cur.pinnedAt) {
      const all = await this.store.listConversationSettings(userId, SETTINGS_LIMITS.rows);
      if (all.filter((r) => r.pinnedAt > 0).length >= SETTINGS_LIMITS.pinned) throw new XinboxError(Errors.TOO_MANY_PINNED);
    }
    const draftWins = patch.draft !== undefined && patch.draft.at >= cur.draftAt;
    const next: ConversationSettingsRecord = {
      ...cur,
      pinnedAt: patch.pinned === undefined ? cur.pinnedAt : patch.pinned ? (cur.pinnedAt || now) : 0,
      muted: patch.muted ?? cur.muted,
      mutedCountsInBadge: patch.mutedCountsInBadge ?? cur.mutedCountsInBadge,
      archived: patch.archived ?? cur.archived,
      markedUnread: patch.markedUnread ?? cur.markedUnread,
      draft: draftWins ? patch.draft!.text : cur.draft,
      draftAt: draftWins ? Math.trunc(patch.draft!.at) : cur.draftAt,
      updatedAt: now,
    };
    if (stored && sameSettings(stored, next)) return stored;
    await this.social.commitConversationSettings(next);
    return next;
  }

  private serialized<T>(userId: UserId, run: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(userId) ?? Promise.resolve();
    const result = prev.then(run, run);
    const tail = result.catch(() => undefined);
    this.chains.set(userId, tail);
    void tail.then(() => { if (this.chains.get(userId) === tail) this.chains.delete(userId); });
    return result;
  }
}

function sameSettings(a: ConversationSettingsRecord, b: ConversationSettingsRecord): boolean {
  return a.pinnedAt === b.pinnedAt && a.muted === b.muted && a.mutedCountsInBadge === b.mutedCountsInBadge && a.archived === b.archived
    && a.markedUnread === b.markedUnread && a.draft === b.draft && a.draftAt === b.draftAt;
}
