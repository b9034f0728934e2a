import { appOfCaller, type AppLinks } from '../identity/user-apps.js';
import {
  ContentSchema, Errors, Limits, XinboxError, create, encodeFrame, fromBinary, toBinary, withLengthPrefix,
  ConversationSummarySchema, PushSchema, ReadUpdateSchema, TypingUpdateSchema,
  type ConversationSummary, type Message, type Push, type ReadUpdate,
} from '@xinbox/protocol';
import type { ConversationStore } from '../ports/conversation-store.js';
import type { IdentityStore } from '../ports/identity-store.js';
import type { MessageStore } from '../ports/message-store.js';
import type { Outbox } from '../ports/outbox.js';
import type { ConversationId, ConversationView, MemberRecord, StoredMessage, UserId } from '../model.js';
import type { ConversationCache, ConversationState } from './conversation-cache.js';
import type { SendPipeline } from './send-pipeline.js';
import type { Caller, SendAckInfo, SendRequest } from './send-types.js';
import { validateSendDecoded, type SendInput } from './send-input.js';
import { MessageOperations } from './message-operations.js';
import { fitPage, messageWireSize } from '../paging/reply-budget.js';
import { toSummary } from './summary.js';
import { toWireMessage, visibleTo } from './wire.js';
import type { PermissionChecks } from '../social/permission-checks.js';
import type { SendScreening } from '../moderation/send-screening.js';
import { namesUploadedMedia } from './content.js';
import type { MediaAttacher } from '../media/media-attacher.js';
import type { ConversationSettingsService } from '../settings/conversation-settings-service.js';
import { settingsToWire } from '../settings/conversation-settings.js';
import type { ConversationSettingsRecord } from '../ports/social-store.js';

/** What messaging needs of the per-user conversation settings (issue 14 item 2). */
export type SettingsView = Pick<ConversationSettingsService, 'get' | 'badge' | 'clearMarkedUnread' | 'hiddenAmong'>;

export interface SyncPage {
  readonly entries: Push[];
  readonly nextCursor: number;
  readonly hasMore: boolean;
  readonly resyncRequired: boolean;
  readonly largeConversations: ConversationSummary[];
}

export interface MessagingOptions {
  /** Groups at or below this size send read receipts to every member. */
  readonly largeGroupThreshold: number;
  /** How long after sending the sender may recall a message (default 2 minutes). */
  readonly recallWindowMs?: number;
  readonly clock?: () => number;
}

type Flagged = ReturnType<SendScreening['screen']['screenBytes']>['flagged'];
/** Shared by every send nothing flagged (read only). */
const NO_FLAGS: Flagged = Object.freeze([]);

/**
 * One-to-one and group messaging as seen by a device: send, sync, history,
 * read positions, typing. Permission checks live here; storage behind ports.
 */
export class MessagingService {
  private readonly clock: () => number;
  private readonly operations: MessageOperations;

  constructor(
    private readonly pipeline: SendPipeline,
    private readonly cache: ConversationCache,
    private readonly messages: MessageStore,
    private readonly conversations: ConversationStore,
    private readonly identity: IdentityStore,
    private readonly outbox: Outbox,
    private readonly opts: MessagingOptions,
    private readonly relations?: PermissionChecks,
    private readonly screening?: SendScreening,
    /** Binds messages naming uploaded media to the item (access, ref, measured metadata); null: media by id is refused. */
    private readonly media: MediaAttacher | null = null,
    /** The caller's own conversation settings: shown in the list, applied to the badge; absent = defaults. */
    private readonly settings: SettingsView | null = null,
    /** Users' apps (ADR 0013): OpenDirect links two users of one app only; null = one app. */
    private readonly apps: AppLinks | null = null,
  ) {
    this.clock = opts.clock ?? Date.now;
    this.operations = new MessageOperations(cache, messages, { recallWindowMs: opts.recallWindowMs ?? 120_000, clock: this.clock });
  }

  /** A client's Send, validated here (validateSend) for every transport and node. */
  send(caller: Caller, input: SendInput): Promise<SendAckInfo> {
    let req: SendRequest;
    let refers: boolean;
    let flagged: Flagged = NO_FLAGS;
    try {
      const checked = validateSendDecoded(input);
      req = checked.req;
      refers = checked.content !== null && MessageOperations.applies(checked.content);
      if (this.screening) {
        // The sensitive-word filter: reject (throws), mask (new bytes) or flag (reported once stored).
        const screened = this.screening.screen.screenBytes(req.content);
        if (screened.bytes !== req.content) req = { ...req, content: screened.bytes };
        flagged = screened.flagged;
      }
    } catch (e) {
      return Promise.reject(e);
    }
    // The common send (no reference to resolve, no upload to bind) allocates no closure for the steps below.
    if (!refers && !namesUploadedMedia(req.content)) return this.submitScreened(caller, req, flagged);
    const submit = (r: SendRequest): Promise<SendAckInfo> => this.submitScreened(caller, r, flagged);
    if (refers) {
      // Operations, replies and forwards: checked against the message they name, then sent like any message.
      const content = fromBinary(ContentSchema, req.content);
      return this.operations.resolve(caller, req, content)
        .then((r) => (namesUploadedMedia(r.content) ? this.attachMedia(caller, r) : r))
        .then(submit);
    }
    return this.attachMedia(caller, req).then(submit);
  }

  /** Into the pipeline; words the screening flagged are reported once the message is stored (not for a resend). */
  private submitScreened(caller: Caller, req: SendRequest, flagged: Flagged): Promise<SendAckInfo> {
    const ack = this.pipeline.submit(caller, req);
    if (flagged.length === 0) return ack;
    return ack.then((a) => {
      if (!a.duplicate) this.screening!.flagged(caller, a, flagged);
      return a;
    });
  }

  /** Content naming an uploaded item is bound to it and re-encoded with the server's metadata. */
  private async attachMedia(caller: Caller, req: SendRequest): Promise<SendRequest> {
    if (!this.media) throw new XinboxError(Errors.UNAVAILABLE, 'this node does not serve media');
    const content = await this.media.attach(caller, req.conversationId, fromBinary(ContentSchema, req.content));
    return { ...req, content: toBinary(ContentSchema, content) };
  }

  async sync(caller: Caller, cursor: number, limitRaw: number): Promise<SyncPage> {
    const limit = clampLimit(limitRaw, 200, Limits.maxSyncPage);
    const bounds = await this.messages.timelineBounds(caller.userId);
    const large = await this.largeConversations(caller.userId);
    if (cursor > bounds.head) {
      // A cursor from the future (e.g. server data restored): start over.
      return { entries: [], nextCursor: bounds.head, hasMore: false, resyncRequired: true, largeConversations: large };
    }
    if (bounds.oldest > 0 && cursor < bounds.oldest - 1) {
      return { entries: [], nextCursor: bounds.head, hasMore: false, resyncRequired: true, largeConversations: large };
    }
    const rows = await this.messages.readTimeline(caller.userId, cursor, limit + 1);
    // The last page also carries the large-conversation list: it shares the byte budget.
    const largeBytes = large.reduce((n, c) => n + toBinary(ConversationSummarySchema, c).length, 0);
    let { page, hasMore } = fitPage(rows, limit, (r) => messageWireSize(r.message));
    if (!hasMore && largeBytes > 0 && page.length > 1) ({ page, hasMore } = fitPage(rows, limit, (r) => messageWireSize(r.message), Math.max(1, Limits.maxReplyBytes - largeBytes)));
    const kinds = await this.kindsOf(page.map((r) => r.message.conversationId));
    const hidden = await this.hiddenIn(caller.userId, page.map((r) => r.message));
    const entries = page.map((r) => create(PushSchema, {
      message: toWireMessage(r.message, kinds.get(r.message.conversationId) ?? 'direct', hidden.has(r.message)),
      syncSeq: r.syncSeq,
    }));
    return {
      entries,
      nextCursor: page.length ? page[page.length - 1]!.syncSeq : cursor,
      hasMore,
      resyncRequired: false,
      largeConversations: hasMore ? [] : large,
    };
  }

  /** Newest first, seq < beforeSeq (0 = newest). Hidden placeholders keep seqs continuous. */
  async history(caller: Caller, conversationId: ConversationId, beforeSeq: number, limitRaw: number): Promise<{ messages: Message[]; hasMore: boolean }> {
    const { state, member } = await this.requireMember(caller.userId, conversationId);
    const limit = clampLimit(limitRaw, Limits.defaultHistoryPage, Limits.maxPageSize);
    const rows = await this.messages.getBefore(conversationId, beforeSeq, limit + 1);
    const visible = rows.filter((m) => m.seq >= member.firstSeq);
    const { page, hasMore } = fitPage(visible, limit, messageWireSize);
    const hidden = await this.hiddenIn(caller.userId, page);
    return { messages: page.map((m) => toWireMessage(m, state.record.kind, hidden.has(m) || !visibleTo(m, caller.userId))), hasMore };
  }

  /** Ascending range [fromSeq, toSeq] for gap fill, at most one page. */
  async pullRange(caller: Caller, conversationId: ConversationId, fromSeq: number, toSeq: number): Promise<{ messages: Message[]; hasMore: boolean }> {
    const { state, member } = await this.requireMember(caller.userId, conversationId);
    if (fromSeq < 1 || toSeq < fromSeq) throw new XinboxError(Errors.INVALID_ARGUMENT, 'need 1 <= fromSeq <= toSeq');
    const from = Math.max(fromSeq, member.firstSeq);
    const rows = from > toSeq ? [] : await this.messages.getRange(conversationId, from, toSeq, Limits.maxPageSize + 1);
    const { page, hasMore } = fitPage(rows, Limits.maxPageSize, messageWireSize);
    const hidden = await this.hiddenIn(caller.userId, page);
    return { messages: page.map((m) => toWireMessage(m, state.record.kind, hidden.has(m) || !visibleTo(m, caller.userId))), hasMore };
  }

  async markRead(caller: Caller, conversationId: ConversationId, seq: number): Promise<ReadUpdate> {
    const { state } = await this.requireMember(caller.userId, conversationId);
    const readSeq = await this.conversations.advanceReadSeq(conversationId, caller.userId, seq);
    // Reading clears "mark as unread" (announced on the user's change feed).
    await this.settings?.clearMarkedUnread(caller.userId, conversationId);
    const counts = await this.conversations.unreadCounts(caller.userId, conversationId);
    const update = create(ReadUpdateSchema, {
      conversationId: String(conversationId),
      userId: String(caller.userId),
      readSeq,
      unread: counts.unread,
      totalUnread: counts.total,
    });
    const frame = withLengthPrefix(encodeFrame({ body: { case: 'readUpdate', value: update } }));
    // The reader's other devices update their badges.
    const pushes = [{ userId: caller.userId, frame, syncSeq: 0, exceptDeviceId: caller.deviceId }];
    // Receipts: other members of direct chats and small groups learn the read position.
    if (!state.record.large && state.memberIds && state.record.memberCount <= this.opts.largeGroupThreshold) {
      const receipt = withLengthPrefix(encodeFrame({ body: { case: 'readUpdate', value: { ...update, unread: 0, totalUnread: 0 } } }));
      for (const u of state.memberIds) if (u !== caller.userId) pushes.push({ userId: u, frame: receipt, syncSeq: 0, exceptDeviceId: '' });
    }
    this.outbox.toUsers(pushes);
    return update;
  }

  async typing(caller: Caller, conversationId: ConversationId, typing: boolean): Promise<void> {
    const { state } = await this.requireMember(caller.userId, conversationId);
    // Typing in large groups would be a broadcast storm; it is a small-conversation feature.
    if (!state.memberIds) return;
    const frame = withLengthPrefix(encodeFrame({
      body: { case: 'typingUpdate', value: create(TypingUpdateSchema, { conversationId: String(conversationId), userId: String(caller.userId), typing }) },
    }));
    this.outbox.toUsers(state.memberIds.filter((u) => u !== caller.userId).map((userId) => ({ userId, frame, syncSeq: 0 })));
  }

  async listConversations(caller: Caller, limitRaw: number, beforeTime: number): Promise<{ conversations: ConversationSummary[]; totalUnread: number; hasMore: boolean }> {
    const limit = clampLimit(limitRaw, 50, 200);
    const views = await this.conversations.listUserConversations(caller.userId, limit + 1, beforeTime);
    const settings = this.settings ? await this.settings.get(caller.userId, views.map((v) => v.conversation.id)) : null;
    // Drafts ride along in the list: they count against the reply budget.
    const { page, hasMore } = fitPage(views, limit, (v) => summaryWireSize(v) + 64 + (settings?.get(v.conversation.id)?.draft.length ?? 0) * 3);
    const [summaries, total] = await Promise.all([this.summarize(caller.userId, page, settings), this.conversations.totalUnread(caller.userId)]);
    const totalUnread = this.settings ? await this.settings.badge(caller.userId, total) : total;
    return { conversations: summaries, totalUnread, hasMore };
  }

  async openDirect(caller: Caller, peer: { userId?: UserId; username?: string }): Promise<ConversationSummary> {
    let peerId = peer.userId ?? 0;
    if (!peerId && peer.username) {
      // Usernames are per app: the name is looked up in the caller's app only.
      const u = await this.identity.findUserByName(peer.username.trim().toLowerCase(), await appOfCaller(this.apps, caller.userId));
      if (!u) throw new XinboxError(Errors.NOT_FOUND, 'no such user');
      peerId = u.id;
    } else if (peerId) {
      const [u] = await this.identity.getUsers([peerId]);
      if (!u) throw new XinboxError(Errors.NOT_FOUND, 'no such user');
      await this.apps?.requireSameApp(caller.userId, peerId);
    }
    if (!peerId) throw new XinboxError(Errors.INVALID_ARGUMENT, 'userId or username is required');
    if (peerId === caller.userId) throw new XinboxError(Errors.INVALID_ARGUMENT, 'cannot open a conversation with yourself');
    // A new conversation needs the peer's consent (blocks, "messages from"); an existing one stays visible.
    if (this.relations && !(await this.conversations.shareConversation(caller.userId, peerId))) {
      await this.relations.checkMessage(caller.userId, peerId);
    }
    const { conversation } = await this.conversations.getOrCreateDirect(caller.userId, peerId, this.clock());
    const member = await this.conversations.getMember(conversation.id, caller.userId);
    const { unread } = await this.conversations.unreadCounts(caller.userId, conversation.id);
    const opsUnread = Math.max(0, conversation.lastSeq - member!.readSeq - unread);
    const view: ConversationView = { conversation, member: member!, lastMessage: conversation.lastMessageId ? await this.messages.getById(conversation.lastMessageId) : null, group: null, peerId, mentions: 0, opsUnread };
    const [summary] = await this.summarize(caller.userId, [view]);
    return summary!;
  }

  async requireMember(userId: UserId, conversationId: ConversationId): Promise<{ state: ConversationState; member: MemberRecord }> {
    const state = await this.cache.get(conversationId);
    if (!state) throw new XinboxError(Errors.NOT_FOUND, 'conversation not found');
    const member = await this.cache.member(state, userId);
    // Same answer for "does not exist" and "not yours" would hide existence, but
    // clients need to tell a kicked member why; membership is not secret here.
    if (!member) throw new XinboxError(Errors.NOT_A_MEMBER);
    return { state, member };
  }

  /** Messages of the page the user deleted for themselves: sent as placeholders (hidden), so seqs stay continuous. One lookup per conversation in the page. */
  private async hiddenIn(userId: UserId, page: readonly StoredMessage[]): Promise<Set<StoredMessage>> {
    const out = new Set<StoredMessage>();
    if (!this.settings || page.length === 0) return out;
    const byConv = new Map<ConversationId, StoredMessage[]>();
    for (const m of page) {
      const list = byConv.get(m.conversationId);
      if (list) list.push(m);
      else byConv.set(m.conversationId, [m]);
    }
    for (const [conv, list] of byConv) {
      const hidden = new Set(await this.settings.hiddenAmong(userId, conv, list.map((m) => m.seq)));
      for (const m of list) if (hidden.has(m.seq)) out.add(m);
    }
    return out;
  }

  private async summarize(userId: UserId, views: ConversationView[], settings: Map<ConversationId, ConversationSettingsRecord> | null = null): Promise<ConversationSummary[]> {
    if (!settings && this.settings && views.length) settings = await this.settings.get(userId, views.map((v) => v.conversation.id));
    const peerIds = views.map((v) => v.peerId).filter((p): p is number => !!p);
    const users = peerIds.length ? await this.identity.getUsers(peerIds) : [];
    const names = new Map(users.map((u) => [u.id, u.username]));
    const out: ConversationSummary[] = [];
    for (const v of views) {
      let peerRead = 0;
      if (v.peerId) peerRead = (await this.conversations.getMember(v.conversation.id, v.peerId))?.readSeq ?? 0;
      const title = v.group ? v.group.name : (names.get(v.peerId ?? 0) ?? '');
      const summary = toSummary(v, userId, title, peerRead);
      const mine = settings?.get(v.conversation.id);
      if (mine) summary.settings = settingsToWire(mine);
      out.push(summary);
    }
    return out;
  }

  /** Large groups the user is in (for pulls). Past half the reply budget their last messages are left out: the client pulls them. */
  private async largeConversations(userId: UserId): Promise<ConversationSummary[]> {
    const views = await this.conversations.listUserConversations(userId, 1000, 0);
    const large = views.filter((v) => v.conversation.large);
    const bytes = large.reduce((n, v) => n + summaryWireSize(v), 0);
    return this.summarize(userId, bytes <= Limits.maxReplyBytes / 2 ? large : large.map((v) => ({ ...v, lastMessage: null })));
  }

  private async kindsOf(ids: ConversationId[]): Promise<Map<ConversationId, 'direct' | 'group'>> {
    const out = new Map<ConversationId, 'direct' | 'group'>();
    for (const id of new Set(ids)) {
      const s = this.cache.peek(id) ?? (await this.cache.get(id));
      if (s) out.set(id, s.record.kind);
    }
    return out;
  }
}

/** Upper estimate of a conversation summary's wire size: its last message plus title, counts and ids. */
function summaryWireSize(v: ConversationView): number {
  return 256 + (v.group?.name.length ?? 0) * 3 + (v.lastMessage ? messageWireSize(v.lastMessage) : 0);
}

function clampLimit(raw: number, dflt: number, max: number): number {
  if (!raw) return dflt;
  return Math.max(1, Math.min(max, Math.floor(raw)));
}
