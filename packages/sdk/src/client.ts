/**
 * XinboxClient: the public API of one logged-in device. Lifecycle, events and
 * state come from XinboxClientCore; this file holds the request methods
 * (messaging, conversations, presence, groups, rooms).
 */
import {
  Errors,
  ForwardOriginSchema,
  QuoteSchema,
  create,
  RoomMessageClass,
  RoomAdminAction,
  XinboxError,
  type ConversationList,
  type ConversationSettings,
  type ConversationSummary,
  type GroupInfo,
  type GroupMemberList,
  type GroupRole,
  type HistoryResult,
  type JoinPolicy,
  type ReadReceiptsResult,
  type SearchResult,
  type PinListResult,
  type ReadUpdate,
  type RoomJoined,
  type SendAck,
  type UserPresence,
  type FriendRequest,
  type FriendRequests,
  type PrivacySettings,
  type Profile,
  type Relation,
  type ModAction,
  type ModAuditEntry,
  type Report,
  type ItemCard,
  type ItemConversation,
  type ServiceBoard,
  type ServiceConversation,
  type Shop,
} from '@xinbox/protocol';
import { XinboxClientCore } from './client-core.js';
import { toContent, type ContentInput } from './content.js';
import type { ContentInit } from './frame-types.js';
import { randomId } from './ids.js';
import { MediaApi, type MediaRef, type UploadOptions, type UploadSource } from './media.js';
import { LruMap } from './lru.js';
import type { XinboxClientOptions } from './client-options.js';

export interface SendOptions {
  mentions?: readonly string[];
  mentionAll?: boolean;
  /** Only these users see the message (personalised message). */
  visibleTo?: readonly string[];
  /** Reuse a client message id (e.g. one persisted before a restart). */
  clientMsgId?: string;
}

export class XinboxClient extends XinboxClientCore {
  private mediaApi: MediaApi | undefined;
  private readonly prefetched = new LruMap<string, Promise<{ head: Uint8Array; url: string } | null>>(16);

  constructor(options: XinboxClientOptions) {
    super(options);
    // Notify-pull (seed 002): a video message is a notice; start pulling its first bytes now.
    this.on('message', (m) => {
      const k = m.content?.kind;
      if (k?.case === 'video' && k.value.mediaId) this.prefetchVideo(k.value.mediaId);
    });
  }

  // ------------------------------------------------------------ media channel

  /**
   * Uploads a file (a browser File/Blob, or bytes) over HTTP in resumable
   * chunks and returns the stored item with signed URLs; send it with
   * `send(conversationId, mediaContent(ref))`. Progress is reported per chunk;
   * aborting `signal` cancels it. A dropped connection is resumed from the
   * server's offset.
   */
  upload(source: UploadSource, opts: UploadOptions = {}): Promise<MediaRef> {
    return this.media().upload(source, opts);
  }

  /** The item with fresh signed URLs for `<img>`/`<video>` (MEDIA_ACCESS_DENIED unless the caller may see it). */
  describeMedia(mediaId: string): Promise<MediaRef> {
    return this.media().describe(mediaId);
  }

  /** A signed URL of one variant ("original", "thumb320", "poster" ...) of an item. */
  async mediaUrl(mediaId: string, variant = 'original'): Promise<string> {
    const ref = await this.describeMedia(mediaId);
    const url = ref.urls[variant];
    if (!url) throw new XinboxError(Errors.MEDIA_NOT_FOUND, `no ${variant} for ${mediaId}`);
    return url;
  }

  /** The first bytes of a video fetched when its message arrived (notify-pull), or null. */
  prefetchedMedia(mediaId: string): Promise<{ head: Uint8Array; url: string } | null> {
    return this.prefetched.get(mediaId) ?? Promise.resolve(null);
  }

  /** Starts fetching the first `prefetchVideoBytes` of a video message (once per item). */
  protected prefetchVideo(mediaId: string): void {
    const n = this.options.prefetchVideoBytes;
    if (n <= 0 || this.prefetched.get(mediaId)) return;
    const f = this.options.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch?.bind(globalThis);
    if (!f) return;
    this.prefetched.set(mediaId, this.mediaUrl(mediaId).then(async (url) => {
      const res = await f(url, { headers: { range: `bytes=0-${n - 1}` } });
      if (!res.ok) return null;
      return { head: new Uint8Array(await res.arrayBuffer()), url };
    }).catch(() => null));
  }

  private media(): MediaApi {
    this.mediaApi ??= new MediaApi(
      this.options.baseUrl,
      this.options.fetch ?? (globalThis as { fetch: typeof fetch }).fetch.bind(globalThis),
      { token: () => this.session?.accessToken, refresh: () => this.refresh() },
    );
    return this.mediaApi;
  }

  // ------------------------------------------------------------ messaging API

  /**
   * Sends a message. It is queued (bounded) with a fresh client message id
   * and retried with that same id after reconnects, so it is stored once.
   * Resolves with the server's ack.
   */
  send(conversationId: string, content: ContentInput, opts: SendOptions = {}): Promise<SendAck> {
    return this.queue.enqueue({
      conversationId,
      content: toContent(content),
      mentions: opts.mentions ?? [],
      mentionAll: opts.mentionAll ?? false,
      visibleTo: opts.visibleTo ?? [],
      clientMsgId: opts.clientMsgId,
    }).ack;
  }

  /** Recall (withdraw) message `seq`: the sender within the server's recall window, group owners/admins any time. */
  recall(conversationId: string, seq: number): Promise<SendAck> {
    return this.send(conversationId, { kind: { case: 'recall', value: { targetSeq: seq } } });
  }

  /** Replace the text of one's own text message `seq` (earlier texts stay as its edit history). */
  edit(conversationId: string, seq: number, text: string): Promise<SendAck> {
    return this.send(conversationId, { kind: { case: 'edit', value: { targetSeq: seq, text } } });
  }

  /** Add (`add` true) or remove one's reaction `emoji` on message `seq`. */
  react(conversationId: string, seq: number, emoji: string, add = true): Promise<SendAck> {
    return this.send(conversationId, { kind: { case: 'reaction', value: { targetSeq: seq, emoji, add } } });
  }

  /** Pin or unpin message `seq` for everyone in the conversation. */
  pin(conversationId: string, seq: number, pinned = true): Promise<SendAck> {
    return this.send(conversationId, { kind: { case: 'pin', value: { targetSeq: seq, pinned } } });
  }

  /** Send `content` as a reply quoting message `seq` (the server stores the quote's sender and snippet). */
  reply(conversationId: string, seq: number, content: ContentInput, opts: SendOptions = {}): Promise<SendAck> {
    return this.send(conversationId, { ...toContent(content), reply: create(QuoteSchema, { seq }) } as ContentInit, opts);
  }

  /** Forward messages (conversation + seq) to each target conversation, one Send each, in order; the server copies the content and stamps the origin. */
  async forward(messages: ReadonlyArray<{ conversationId: string; seq: number }>, targets: readonly string[]): Promise<SendAck[]> {
    const acks: SendAck[] = [];
    for (const to of targets) {
      for (const m of messages) {
        acks.push(await this.send(to, { kind: { case: 'text', value: { text: '' } }, forwarded: create(ForwardOriginSchema, { conversationId: m.conversationId, seq: m.seq }) } as ContentInit));
      }
    }
    return acks;
  }

  /** Messages waiting for their ack (e.g. to show as "sending"). */
  get pendingSends(): number {
    return this.queue.size;
  }

  /** Gets or creates the direct conversation with a user (by id or username). */
  async openDirect(user: { userId: string } | { username: string }): Promise<ConversationSummary> {
    const info = await this.request({ case: 'openDirect', value: user }, 'conversationInfo');
    if (!info.conversation) throw new XinboxError(Errors.NOT_FOUND, 'openDirect returned no conversation');
    this.applySummaries([info.conversation]);
    return this.convs.get(info.conversation.conversationId) ?? info.conversation;
  }

  /** A page of the server's conversation list; also refreshes the local list. */
  async listConversations(opts: { limit?: number; beforeTime?: number } = {}): Promise<ConversationList> {
    const list = await this.request({ case: 'listConversations', value: { limit: opts.limit ?? 20, beforeTime: opts.beforeTime ?? 0 } }, 'conversationList');
    this.applySummaries(list.conversations);
    return list;
  }

  /** The local conversation list (most recent first). */
  conversations(): ConversationSummary[] {
    return this.convs.list();
  }

  conversation(conversationId: string): ConversationSummary | undefined {
    return this.convs.get(conversationId);
  }

  /** Sum of unread over the local conversation list. */
  get totalUnread(): number {
    return this.convs.totalUnread;
  }

  /** Pages backwards: messages before `beforeSeq` (0 = newest), newest first. */
  history(conversationId: string, opts: { beforeSeq?: number; limit?: number } = {}): Promise<HistoryResult> {
    return this.request({ case: 'history', value: { conversationId, beforeSeq: opts.beforeSeq ?? 0, limit: opts.limit ?? 0 } }, 'historyResult');
  }

  /** Messages fromSeq..toSeq inclusive, ascending. */
  pullRange(conversationId: string, fromSeq: number, toSeq: number): Promise<HistoryResult> {
    return this.request({ case: 'pullRange', value: { conversationId, fromSeq, toSeq } }, 'historyResult');
  }

  /** Marks the conversation read up to `seq` (default: its last known seq). */
  async markRead(conversationId: string, seq?: number): Promise<ReadUpdate> {
    const upTo = seq ?? this.convs.get(conversationId)?.lastSeq ?? this.engine.position(conversationId) ?? 0;
    const update = await this.request({ case: 'markRead', value: { conversationId, seq: upTo } }, 'readUpdate');
    this.applyReadUpdate(update);
    return update;
  }

  async typing(conversationId: string, typing = true): Promise<void> {
    await this.request({ case: 'typing', value: { conversationId, typing } }, 'ok');
  }

  async queryPresence(userIds: readonly string[]): Promise<UserPresence[]> {
    const res = await this.request({ case: 'presenceQuery', value: { userIds: [...userIds] } }, 'presenceResult');
    return res.users;
  }

  /** Replaces the watched users; kept across reconnects. */
  async subscribePresence(userIds: readonly string[]): Promise<void> {
    this.presenceSubs = [...userIds];
    await this.request({ case: 'presenceSubscribe', value: { userIds: this.presenceSubs } }, 'ok');
  }

  // ------------------------------------------------------------ groups

  createGroup(name: string, memberIds: readonly string[], opts: { joinPolicy?: JoinPolicy; avatarUrl?: string; announcement?: string } = {}): Promise<GroupInfo> {
    return this.request({ case: 'groupCreate', value: { name, memberIds: [...memberIds], ...opts } }, 'groupInfo');
  }

  getGroup(conversationId: string): Promise<GroupInfo> {
    return this.request({ case: 'groupGet', value: { conversationId } }, 'groupInfo');
  }

  inviteToGroup(conversationId: string, userIds: readonly string[]): Promise<GroupInfo | undefined> {
    return this.requestGroup({ case: 'groupInvite', value: { conversationId, userIds: [...userIds] } });
  }

  /** Joins an open group; an approval group answers PENDING_APPROVAL. */
  joinGroup(conversationId: string): Promise<GroupInfo | undefined> {
    return this.requestGroup({ case: 'groupJoin', value: { conversationId } });
  }

  approveJoin(conversationId: string, userId: string, approve = true): Promise<GroupInfo | undefined> {
    return this.requestGroup({ case: 'groupApprove', value: { conversationId, userId, approve } });
  }

  async leaveGroup(conversationId: string): Promise<void> {
    await this.requestGroup({ case: 'groupLeave', value: { conversationId } });
    if (this.convs.remove(conversationId)) this.emitUnreadIfChanged();
  }

  kickFromGroup(conversationId: string, userIds: readonly string[]): Promise<GroupInfo | undefined> {
    return this.requestGroup({ case: 'groupKick', value: { conversationId, userIds: [...userIds] } });
  }

  setGroupRole(conversationId: string, userId: string, role: GroupRole): Promise<GroupInfo | undefined> {
    return this.requestGroup({ case: 'groupSetRole', value: { conversationId, userId, role } });
  }

  transferGroup(conversationId: string, newOwnerId: string): Promise<GroupInfo | undefined> {
    return this.requestGroup({ case: 'groupTransfer', value: { conversationId, newOwnerId } });
  }

  dissolveGroup(conversationId: string): Promise<GroupInfo | undefined> {
    return this.requestGroup({ case: 'groupDissolve', value: { conversationId } });
  }

  updateGroup(
    conversationId: string,
    patch: { name?: string; avatarUrl?: string; announcement?: string; joinPolicy?: JoinPolicy },
  ): Promise<GroupInfo | undefined> {
    return this.requestGroup({ case: 'groupUpdate', value: { conversationId, ...patch } });
  }

  groupMembers(conversationId: string, opts: { afterUserId?: string; limit?: number } = {}): Promise<GroupMemberList> {
    return this.request({ case: 'groupMembers', value: { conversationId, afterUserId: opts.afterUserId ?? '0', limit: opts.limit ?? 0 } }, 'groupMemberList');
  }

  /** Mutes one member until `mutedUntil` (ms since epoch; 0 unmutes). */
  muteGroupMember(conversationId: string, userId: string, mutedUntil: number): Promise<GroupInfo | undefined> {
    return this.requestGroup({ case: 'groupMute', value: { conversationId, userId, mutedUntil } });
  }

  /** Mutes the whole group (everyone but admins) until `mutedUntil`; 0 unmutes. */
  muteGroup(conversationId: string, mutedUntil: number): Promise<GroupInfo | undefined> {
    return this.requestGroup({ case: 'groupMute', value: { conversationId, userId: '0', mutedUntil } });
  }

  /** This user's own notification settings for the group. */
  setGroupSettings(conversationId: string, settings: { doNotDisturb: boolean }): Promise<GroupInfo | undefined> {
    return this.requestGroup({ case: 'groupSettings', value: { conversationId, doNotDisturb: settings.doNotDisturb } });
  }

  /**
   * Changes this user's own settings of a conversation on every device (pin,
   * mute and whether a muted one counts in the badge, archive, mark unread,
   * draft). Only the fields given change; resolves with the whole new state,
   * which the user's other devices receive as 'conversationSettings'.
   * A draft carries its client time: an older draft than the stored one loses.
   */
  setConversationSettings(conversationId: string, patch: ConversationSettingsPatch): Promise<ConversationSettings> {
    const fields: string[] = [];
    const value: Record<string, unknown> = { conversationId };
    const named: Array<[keyof ConversationSettingsPatch, string]> = [
      ['pinned', 'pinned'], ['muted', 'muted'], ['mutedCountsInBadge', 'muted_counts_in_badge'], ['archived', 'archived'], ['markedUnread', 'marked_unread'],
    ];
    for (const [key, field] of named) {
      if (patch[key] === undefined) continue;
      fields.push(field);
      value[key] = patch[key];
    }
    if (patch.draft !== undefined) {
      fields.push('draft');
      value.draft = patch.draft;
      value.draftAt = patch.draftAt ?? Date.now();
    }
    return this.request({ case: 'conversationSettingsSet', value: { ...value, fields } as never }, 'conversationSettings');
  }

  /**
   * Delete for me: hides up to 100 messages (by seq) from this user only, on
   * all of their devices ('messagesHidden' event); other members keep them.
   */
  async deleteForMe(conversationId: string, seqs: readonly number[]): Promise<void> {
    await this.request({ case: 'messagesHide', value: { conversationId, seqs: [...seqs] } }, 'ok');
  }

  readReceipts(conversationId: string, seq: number): Promise<ReadReceiptsResult> {
    return this.request({ case: 'readReceipts', value: { conversationId, seq } }, 'readReceiptsResult');
  }

  /**
   * Full-text search over the messages you may read, newest first, with
   * highlighted snippets. `conversationId` limits it to one conversation;
   * pass the previous page's `nextCursor` as `cursor` for older hits.
   * Queries whose terms are all 1-2 characters scan only recent messages
   * (`partial` says so).
   */
  search(query: string, opts: { conversationId?: string; cursor?: string; limit?: number } = {}): Promise<SearchResult> {
    return this.request({ case: 'search', value: { query, conversationId: opts.conversationId ?? '0', cursor: opts.cursor ?? '', limit: opts.limit ?? 0 } }, 'searchResult');
  }

  /**
   * The conversation's current pins, most recently pinned first, one page at
   * a time (pass `nextCursor` back as `cursor`). The server folds the same
   * PinChange events `pin()` sends, so this equals the client-side fold.
   */
  listPins(conversationId: string, opts: { cursor?: string; limit?: number } = {}): Promise<PinListResult> {
    return this.request({ case: 'pinList', value: { conversationId, cursor: opts.cursor ?? '', limit: opts.limit ?? 0 } }, 'pinListResult');
  }

  // ------------------------------------------------------------ profiles, privacy, relationships

  /** Profiles of users by id (unknown ids, and users who blocked you, are left out). */
  async getProfiles(userIds: readonly string[]): Promise<Profile[]> {
    return (await this.request({ case: 'profileGet', value: { userIds: [...userIds] } }, 'profileList')).profiles;
  }

  /** Changes your own profile; omitted fields keep their value. */
  async updateProfile(patch: { displayName?: string; avatarUrl?: string; bio?: string }): Promise<Profile> {
    const list = await this.request({ case: 'profileUpdate', value: patch }, 'profileList');
    return list.profiles[0]!;
  }

  getPrivacy(): Promise<PrivacySettings> {
    return this.request({ case: 'privacyGet', value: {} }, 'privacySettings');
  }

  /** Changes your privacy settings; fields left UNSPECIFIED keep their value. */
  updatePrivacy(settings: Partial<Pick<PrivacySettings, 'messageFrom' | 'groupInviteFrom' | 'presenceTo' | 'friendRequestFrom'>>): Promise<PrivacySettings> {
    return this.request({ case: 'privacyUpdate', value: { settings } }, 'privacySettings');
  }

  /** Finds a user by exact username (rate limited by the server); undefined when there is none. */
  async lookupUser(username: string): Promise<Profile | undefined> {
    return (await this.request({ case: 'userLookup', value: { username } }, 'profileList')).profiles[0];
  }

  async sendFriendRequest(userId: string, note = ''): Promise<FriendRequest> {
    return (await this.request({ case: 'friendRequestSend', value: { userId, note } }, 'friendRequestInfo')).request!;
  }

  async respondFriendRequest(requestId: string, accept: boolean): Promise<FriendRequest> {
    return (await this.request({ case: 'friendRequestRespond', value: { requestId, accept } }, 'friendRequestInfo')).request!;
  }

  async cancelFriendRequest(requestId: string): Promise<FriendRequest> {
    return (await this.request({ case: 'friendRequestCancel', value: { requestId } }, 'friendRequestInfo')).request!;
  }

  /** Pending friend requests to and from you. */
  listFriendRequests(): Promise<FriendRequests> {
    return this.request({ case: 'friendRequestList', value: {} }, 'friendRequests');
  }

  /** Everyone you have a relation with: friends, follows both ways, blocks, remarks. */
  async listRelations(): Promise<Relation[]> {
    return (await this.request({ case: 'relationList', value: {} }, 'relations')).relations;
  }

  async removeFriend(userId: string): Promise<Relation> {
    return (await this.request({ case: 'friendRemove', value: { userId } }, 'relations')).relations[0]!;
  }

  async follow(userId: string, follow = true): Promise<Relation> {
    return (await this.request({ case: 'followSet', value: { userId, follow } }, 'relations')).relations[0]!;
  }

  /** Your alias for a user (empty clears it). */
  async setRemark(userId: string, remark: string): Promise<Relation> {
    return (await this.request({ case: 'remarkSet', value: { userId, remark } }, 'relations')).relations[0]!;
  }

  /** Blocks (or unblocks) a user: they cannot message you, invite you or see your presence. */
  async block(userId: string, blocked = true): Promise<Relation> {
    return (await this.request({ case: 'blockSet', value: { userId, blocked } }, 'relations')).relations[0]!;
  }

  /** Highest relationship-feed seq this client has delivered as `relationChange` events. */
  get relationCursor(): number {
    return this.relationFeed.position;
  }

  // ------------------------------------------------------------ moderation

  /** Reports a message (by conversation and seq) to the moderators. */
  async reportMessage(conversationId: string, seq: number, reason: string): Promise<Report> {
    return (await this.request({ case: 'reportMessage', value: { conversationId, seq, reason } }, 'reportInfo')).report!;
  }

  /** Moderators: open (or resolved) reports, newest first. */
  async moderationReports(opts: { resolved?: boolean; limit?: number } = {}): Promise<Report[]> {
    return (await this.request({ case: 'modReportList', value: { resolved: opts.resolved ?? false, limit: opts.limit ?? 0 } }, 'modReports')).reports;
  }

  /** Moderators: close a report with DISMISS, MUTE (until `mutedUntil`) or BAN of its sender. */
  async resolveReport(reportId: string, action: ModAction, opts: { mutedUntil?: number; note?: string } = {}): Promise<void> {
    await this.request({ case: 'modResolve', value: { reportId, action, mutedUntil: opts.mutedUntil ?? 0, note: opts.note ?? '' } }, 'ok');
  }

  /** Moderators: MUTE (mutedUntil 0 unmutes), BAN or UNBAN a user directly. */
  async punishUser(userId: string, action: ModAction, opts: { mutedUntil?: number; note?: string } = {}): Promise<void> {
    await this.request({ case: 'modPunish', value: { userId, action, mutedUntil: opts.mutedUntil ?? 0, note: opts.note ?? '' } }, 'ok');
  }

  /** Moderators: the audit log after `afterSeq`. */
  async moderationAudit(afterSeq = 0, limit = 100): Promise<ModAuditEntry[]> {
    return (await this.request({ case: 'modAuditRead', value: { afterSeq, limit } }, 'modAudit')).entries;
  }

  // ------------------------------------------------------------ customer service (消息分流)

  /** Creates a shop with its skill groups; you become its admin. */
  async createShop(name: string, skills: readonly string[] = []): Promise<Shop> {
    return (await this.request({ case: 'shopCreate', value: { name, skills: [...skills] } }, 'shopInfo')).shop!;
  }

  /** A shop's name and skill groups (its agents too, for its agents and admin). */
  async getShop(shopId: string): Promise<Shop> {
    return (await this.request({ case: 'shopGet', value: { shopId } }, 'shopInfo')).shop!;
  }

  /** Shop admin: adds or changes an agent (skills, capacity; 0 = the default 5). */
  async setShopAgent(shopId: string, userId: string, opts: { skills?: readonly string[]; capacity?: number } = {}): Promise<Shop> {
    return (await this.request({ case: 'shopAgentSet', value: { shopId, userId, skills: [...(opts.skills ?? [])], capacity: opts.capacity ?? 0, remove: false } }, 'shopInfo')).shop!;
  }

  /** Shop admin: removes an agent (their conversations are routed again). */
  async removeShopAgent(shopId: string, userId: string): Promise<Shop> {
    return (await this.request({ case: 'shopAgentSet', value: { shopId, userId, skills: [], capacity: 0, remove: true } }, 'shopInfo')).shop!;
  }

  /** Agent: take new conversations (true) or not. Routing also needs this client connected. */
  setAgentAvailable(shopId: string, available: boolean): Promise<ServiceBoard> {
    return this.request({ case: 'serviceAgentStatus', value: { shopId, available } }, 'serviceBoard');
  }

  /** Agent or admin: the workbench (queue, active conversations, agents). */
  serviceBoard(shopId: string): Promise<ServiceBoard> {
    return this.request({ case: 'serviceList', value: { shopId } }, 'serviceBoard');
  }

  /** Customer: open (or return to) the service conversation with a shop; it is an ordinary conversation for sending. */
  openService(shopId: string, opts: { skill?: string; itemId?: string; orderId?: string } = {}): Promise<ServiceConversation> {
    return this.request({ case: 'serviceOpen', value: { shopId, skill: opts.skill ?? '', itemId: opts.itemId ?? '', orderId: opts.orderId ?? '' } }, 'serviceConversation');
  }

  /** Agent: hand the conversation to another agent (omit toAgentId: the router picks one), optionally under another skill group. */
  transferService(shopId: string, conversationId: string, opts: { toAgentId?: string; skill?: string } = {}): Promise<ServiceConversation> {
    return this.request({ case: 'serviceTransfer', value: { shopId, conversationId, toAgentId: opts.toAgentId ?? '0', skill: opts.skill ?? '' } }, 'serviceConversation');
  }

  /** Customer or agent: end the session. */
  closeService(shopId: string, conversationId: string): Promise<ServiceConversation> {
    return this.request({ case: 'serviceClose', value: { shopId, conversationId } }, 'serviceConversation');
  }

  /** Customer: rate a closed session 1-5, once. */
  rateService(shopId: string, conversationId: string, score: number, comment = ''): Promise<ServiceConversation> {
    return this.request({ case: 'serviceRate', value: { shopId, conversationId, score, comment } }, 'serviceConversation');
  }

  // ------------------------------------------------------------ item conversations (闲鱼)

  /** Buyer: open (or return to) the conversation with a seller about one item. */
  async openItemConversation(sellerId: string, item: Partial<ItemCard> & { itemId: string; title: string }): Promise<ItemConversation> {
    const card = { price: '', currency: '', imageUrl: '', mediaId: '', link: '', ...item };
    return (await this.request({ case: 'itemConversationOpen', value: { sellerId, item: card } }, 'itemConversationInfo')).conversation!;
  }

  /** Your item conversations as buyer or seller, newest first. */
  async listItemConversations(limit = 0): Promise<ItemConversation[]> {
    return (await this.request({ case: 'itemConversationList', value: { limit } }, 'itemConversations')).conversations;
  }

  // ------------------------------------------------------------ rooms

  /** Joins a room; its messages arrive as 'room' events, also after reconnects. */
  async joinRoom(roomId: string): Promise<RoomJoined> {
    await this.whenConnected();
    return this.roomTracker.join(roomId);
  }

  async leaveRoom(roomId: string): Promise<void> {
    this.roomTracker.leave(roomId);
    await this.request({ case: 'roomLeave', value: { roomId } }, 'ok');
  }

  /** Sends to a room; `reliable` messages are persisted with a room seq. */
  async sendRoom(roomId: string, content: ContentInput, opts: { reliable?: boolean; clientMsgId?: string } = {}): Promise<SendAck | undefined> {
    const conn = await this.whenConnected();
    const reply = await conn.callAny(
      {
        case: 'roomSend',
        value: { roomId, class: opts.reliable ? RoomMessageClass.RELIABLE : RoomMessageClass.ORDINARY, content: toContent(content), clientMsgId: opts.clientMsgId ?? randomId() },
      },
      ['ok', 'sendAck', 'roomPush'],
    );
    if (reply.case === 'roomPush') this.roomTracker.onPush(reply.value);
    return reply.case === 'sendAck' ? reply.value : undefined;
  }

  // Host controls (RoomAdmin): the creator of a room is its host; other callers get PERMISSION_DENIED.

  /** Opens a live room with this id; you become its host (opening your own open room again is a no-op). */
  async createRoom(roomId: string): Promise<void> {
    await this.roomAdmin(roomId, RoomAdminAction.CREATE);
  }

  /** Closes your room: every viewer gets a 'closed' room event and leaves. */
  async closeRoom(roomId: string): Promise<void> {
    await this.roomAdmin(roomId, RoomAdminAction.CLOSE);
  }

  /** Mutes a viewer in your room until `until` (ms since the epoch; 0: until unmuted). */
  async muteInRoom(roomId: string, userId: string, until = 0): Promise<void> {
    await this.roomAdmin(roomId, RoomAdminAction.MUTE, { userId, until });
  }

  async unmuteInRoom(roomId: string, userId: string): Promise<void> {
    await this.roomAdmin(roomId, RoomAdminAction.UNMUTE, { userId });
  }

  /** Removes a viewer from your room; they cannot rejoin it (ROOM_KICKED). */
  async kickFromRoom(roomId: string, userId: string): Promise<void> {
    await this.roomAdmin(roomId, RoomAdminAction.KICK, { userId });
  }

  /** Pins a message in your room (reliable; shown to late joiners in RoomJoined.pinned). */
  async pinInRoom(roomId: string, content: ContentInput): Promise<void> {
    await this.roomAdmin(roomId, RoomAdminAction.PIN, { content: toContent(content) });
  }

  private async roomAdmin(roomId: string, action: RoomAdminAction, extra: { userId?: string; until?: number; content?: ReturnType<typeof toContent> } = {}): Promise<void> {
    await this.request({ case: 'roomAdmin', value: { roomId, action, userId: extra.userId ?? '0', until: extra.until ?? 0, content: extra.content } }, 'ok');
  }

  joinedRooms(): string[] {
    return this.roomTracker.rooms();
  }
}

/** Fields of ConversationSettings a client may change; absent ones keep their value. */
export interface ConversationSettingsPatch {
  readonly pinned?: boolean;
  readonly muted?: boolean;
  readonly mutedCountsInBadge?: boolean;
  readonly archived?: boolean;
  readonly markedUnread?: boolean;
  readonly draft?: string;
  /** Client time of the draft (default now). */
  readonly draftAt?: number;
}
