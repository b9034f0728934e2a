/**
 * What the server API (docs/integration.md "Server API") does, on the core
 * services. Conversation operations run as a user through the same request
 * path a client's frame takes (`RunAs`: the conversation's owner node in a
 * cluster, locally on one node), so the API adds no second write path; a
 * "system" message comes from the system account (systemUsername).
 */
import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import { ContentSchema, Errors, XinboxError, type Frame, type FrameInit } from '@xinbox/protocol';
import type { Caller } from '../../core/messaging/send-types.js';
import type { IdentityService, LoginResult } from '../../core/identity/identity-service.js';
import type { ModerationService } from '../../core/moderation/moderation-service.js';
import type { SocialService } from '../../core/social/social-service.js';
import type { ConversationStore } from '../../core/ports/conversation-store.js';
import type { IdentityStore } from '../../core/ports/identity-store.js';
import type { PushTokenStore } from '../../core/ports/push-tokens.js';
import type { EventQuery, UserEvent } from '../../core/ports/event-log.js';
import type { EventLogStore } from '../../core/ports/event-log.js';
import type { RoomService } from '../../core/rooms/room-service.js';
import { parseRoomKey, roomKey } from '../../core/rooms/room-id.js';
import type { UserId } from '../../core/model.js';
import type { UserApps } from '../../core/identity/user-apps.js';
import { DEFAULT_APP_ID, type AppId } from '../../core/ports/app-store.js';
import { validateContent } from '../../core/messaging/content.js';
import { toApiConversation, toApiGroup, toApiMessage, type ApiConversation, type ApiGroup, type ApiMessage } from './api-views.js';

/** Runs one client request as `caller` and returns the reply body (an error reply is thrown as its XinboxError). */
export type RunAs = (caller: Caller, body: FrameInit['body']) => Promise<Frame['body']>;

export interface ServerActionsDeps {
  readonly identity: IdentityService;
  readonly identityStore: IdentityStore;
  readonly conversations: ConversationStore;
  readonly moderation: ModerationService;
  readonly social: SocialService;
  readonly pushTokens: PushTokenStore;
  /** Rooms live on gateways; null on a node without the gateway role. */
  readonly rooms: RoomService | null;
  readonly runAs: RunAs;
  readonly systemUsername: string;
  readonly eventLog: EventLogStore;
  /** Every user's app (ADR 0013), for the app checks of an app's server API. */
  readonly userApps: UserApps;
}

/** The device id the server API acts from (audit, "sent from" in webhooks). */
export const SERVER_DEVICE = 'server-api';
const SERVER_ACTOR = 0;
const BROADCAST_PAGE = 500;
const BROADCAST_CONCURRENCY = 16;

export type Target = { userId: UserId } | { groupId: string } | { roomId: string };

/**
 * The actions for one app's backend (`forApp`, the server API: the app
 * secret names the app) or for the operator (the admin console: every app).
 * For an app, every user, group, room and conversation a call names must be
 * the app's, else NOT_FOUND: another app's data does not exist for it
 * (ADR 0013 §6). Each app has its own system account.
 */
export class ServerActions {
  private systemId: Promise<UserId> | null = null;
  private readonly scoped = new Map<AppId, ServerActions>();

  /** `appId` null: the operator's view, across apps. */
  constructor(private readonly d: ServerActionsDeps, private readonly appId: AppId | null = null) {}

  /** The actions of one app's backend (kept per app; apps are few). */
  forApp(appId: AppId): ServerActions {
    let actions = this.scoped.get(appId);
    if (!actions) {
      if (this.scoped.size >= 10_000) this.scoped.clear();
      actions = new ServerActions(this.d, appId);
      this.scoped.set(appId, actions);
    }
    return actions;
  }

  async createUser(username: string, password: string | undefined, profile: { displayName?: string; avatarUrl?: string }): Promise<{ userId: string }> {
    const { userId } = await this.d.identity.createUser(username, password, this.appId ?? DEFAULT_APP_ID);
    if (profile.displayName !== undefined || profile.avatarUrl !== undefined) await this.d.social.updateProfile(userId, profile);
    return { userId: String(userId) };
  }

  async getUser(userId: UserId): Promise<{ userId: string; username: string; createdAt: number; banned: boolean; mutedUntil: number }> {
    const [u] = await this.d.identityStore.getUsers([userId]);
    if (!u || !this.mayReach(u.appId)) throw new XinboxError(Errors.NOT_FOUND, 'no such user');
    const r = await this.d.moderation.restrictionOf(userId);
    return { userId: String(u.id), username: u.username, createdAt: u.createdAt, banned: r.banned, mutedUntil: r.mutedUntil };
  }

  async updateUser(userId: UserId, patch: { displayName?: string; avatarUrl?: string; bio?: string }): Promise<void> {
    await this.requireUser(userId);
    await this.d.social.updateProfile(userId, patch);
  }

  /** Ban or unban; `note` goes to the moderation audit log (actor 0). */
  async ban(userId: UserId, banned: boolean, note: string): Promise<void> {
    await this.requireUser(userId);
    await this.d.moderation.restrict(SERVER_ACTOR, userId, { kind: banned ? 'ban' : 'unban' }, note);
  }

  /** A user by name in this app; the operator's view (no app of its own) names the app, `default` when it does not. */
  async findUser(username: string, operatorApp: AppId = DEFAULT_APP_ID):
    Promise<{ userId: string; username: string; createdAt: number; banned: boolean; mutedUntil: number; app: AppId }> {
    const appId = this.appId ?? operatorApp;
    const u = await this.d.identityStore.findUserByName(username.trim().toLowerCase(), appId);
    if (!u) throw new XinboxError(Errors.NOT_FOUND, 'no such user');
    return { ...(await this.getUser(u.id)), app: appId };
  }

  /** The user's events of the last day, oldest first (at most `limit`): the admin console's view. */
  async latestEvents(userId: UserId, limit: number): Promise<UserEvent[]> {
    return this.d.eventLog.query({ userId, fromTime: Date.now() - 86_400_000, limit });
  }

  /**
   * Closes the account for good: banned (every session ends, no login, no
   * connection), its devices' push tokens removed. Messages and memberships
   * stay, as the other participants' history.
   */
  async deleteUser(userId: UserId): Promise<void> {
    await this.requireUser(userId);
    await this.d.moderation.restrict(SERVER_ACTOR, userId, { kind: 'ban' }, 'server API: account deleted');
    for (const r of await this.d.pushTokens.tokensOf([userId])) await this.d.pushTokens.unregister(userId, r.deviceId);
  }

  async issueTokens(userId: UserId, deviceId: string, platform: string | undefined): Promise<LoginResult> {
    await this.requireUser(userId);
    return this.d.identity.issueSession(userId, deviceId, platform);
  }

  /** A message from `from` (or the system account) to a user (direct chat), a group or a room. */
  async send(from: UserId | null, to: Target, contentJson: JsonValue, clientMsgId: string): Promise<{ conversationId: string; messageId: string; seq: number; serverTime: number; duplicate: boolean } | { roomId: string; messageId: string; seq: number }> {
    const sender = from ?? (await this.systemUserId());
    if (from !== null) await this.requireUser(from);
    const caller: Caller = { userId: sender, deviceId: SERVER_DEVICE };
    let content;
    try {
      content = fromJson(ContentSchema, contentJson);
    } catch (e) {
      throw new XinboxError(Errors.CONTENT_INVALID, `content is not a Content in protobuf JSON: ${(e as Error).message}`);
    }
    if ('roomId' in to) {
      if (!this.d.rooms) throw new XinboxError(Errors.UNAVAILABLE, 'rooms run on gateway nodes; send room messages to one');
      const key = this.roomKeyOf(to.roomId);
      await this.requireRoom(key);
      const ack = await this.d.rooms.send(caller, { roomId: key, reliable: true, content: validateContent(content), clientMsgId, joined: true });
      return { roomId: to.roomId, messageId: ack?.messageId ?? '0', seq: ack?.seq ?? 0 };
    }
    let conversationId: string;
    if ('userId' in to) {
      await this.requireUser(to.userId);
      const opened = await this.d.runAs(caller, { case: 'openDirect', value: { userId: String(to.userId) } });
      conversationId = expect(opened, 'conversationInfo').conversation!.conversationId;
    } else {
      conversationId = to.groupId;
      await this.groupOwner(to.groupId);
      if (from === null) await this.ensureSystemMember(to.groupId, sender);
    }
    const ack = expect(await this.d.runAs(caller, { case: 'send', value: { conversationId, clientMsgId, content } }), 'sendAck');
    return { conversationId: ack.conversationId, messageId: ack.messageId, seq: ack.seq, serverTime: ack.serverTime, duplicate: ack.duplicate };
  }

  async createGroup(ownerId: UserId, input: { name: string; memberIds: UserId[]; announcement?: string; avatarUrl?: string }): Promise<ApiGroup> {
    await this.requireUser(ownerId);
    for (const m of input.memberIds) await this.requireUser(m);
    const r = await this.d.runAs({ userId: ownerId, deviceId: SERVER_DEVICE }, {
      case: 'groupCreate', value: { name: input.name, memberIds: input.memberIds.map(String), announcement: input.announcement ?? '', avatarUrl: input.avatarUrl ?? '' },
    });
    return toApiGroup(expect(r, 'groupInfo').group!);
  }

  async getGroup(groupId: string): Promise<ApiGroup> {
    return toApiGroup(expect(await this.asOwner(groupId, { case: 'groupGet', value: { conversationId: groupId } }), 'groupInfo').group!);
  }

  async updateGroup(groupId: string, patch: { name?: string; announcement?: string; avatarUrl?: string }): Promise<ApiGroup> {
    return toApiGroup(expect(await this.asOwner(groupId, { case: 'groupUpdate', value: { conversationId: groupId, ...patch } }), 'groupInfo').group!);
  }

  async addMembers(groupId: string, userIds: UserId[]): Promise<ApiGroup> {
    await this.groupOwner(groupId);
    for (const u of userIds) await this.requireUser(u);
    return toApiGroup(expect(await this.asOwner(groupId, { case: 'groupInvite', value: { conversationId: groupId, userIds: userIds.map(String) } }), 'groupInfo').group!);
  }

  async removeMember(groupId: string, userId: UserId): Promise<void> {
    await this.asOwner(groupId, { case: 'groupKick', value: { conversationId: groupId, userIds: [String(userId)] } });
  }

  async dissolveGroup(groupId: string): Promise<void> {
    await this.asOwner(groupId, { case: 'groupDissolve', value: { conversationId: groupId } });
  }

  async createRoom(roomId: string, hostId: UserId): Promise<{ roomId: string; hostId: string; createdAt: number }> {
    if (!this.d.rooms) throw new XinboxError(Errors.UNAVAILABLE, 'rooms run on gateway nodes');
    await this.requireUser(hostId);
    const room = await this.d.rooms.create({ userId: hostId, deviceId: SERVER_DEVICE }, this.roomKeyOf(roomId));
    return { roomId, hostId: String(room.hostId), createdAt: room.createdAt };
  }

  async closeRoom(roomId: string): Promise<void> {
    if (!this.d.rooms) throw new XinboxError(Errors.UNAVAILABLE, 'rooms run on gateway nodes');
    const key = this.roomKeyOf(roomId);
    const host = await this.requireRoom(key);
    await this.d.rooms.admin({ userId: host, deviceId: SERVER_DEVICE }, key, { action: 'close' });
  }

  async conversations(userId: UserId, limit: number, beforeTime: number): Promise<{ conversations: ApiConversation[]; totalUnread: number; hasMore: boolean }> {
    await this.requireUser(userId);
    const r = expect(await this.d.runAs({ userId, deviceId: SERVER_DEVICE }, { case: 'listConversations', value: { limit, beforeTime } }), 'conversationList');
    return { conversations: r.conversations.map(toApiConversation), totalUnread: r.totalUnread, hasMore: r.hasMore };
  }

  /** History as `userId` sees it (a member; hidden messages stay placeholders). */
  async history(conversationId: string, userId: UserId, beforeSeq: number, limit: number): Promise<{ messages: ApiMessage[]; hasMore: boolean }> {
    // Membership of a user of this app implies the conversation is the app's (ADR 0013 §5).
    await this.requireUser(userId);
    const r = expect(await this.d.runAs({ userId, deviceId: SERVER_DEVICE }, { case: 'history', value: { conversationId, beforeSeq, limit } }), 'historyResult');
    return { messages: r.messages.map(toApiMessage), hasMore: r.hasMore };
  }

  /**
   * A notice from the system account to every user, in its direct chat with
   * each (stored, so offline users get it on their next sync), walking the
   * users in id order with a few sends in flight. Answers when all are sent.
   * An app's broadcast reaches that app's users only.
   */
  async broadcast(contentJson: JsonValue, clientMsgId: string): Promise<{ recipients: number; failed: number }> {
    const system = await this.systemUserId();
    let after = 0;
    let recipients = 0;
    let failed = 0;
    for (;;) {
      const page = await this.d.identityStore.listUserIds(after, BROADCAST_PAGE, this.appId ?? undefined);
      if (page.length === 0) break;
      after = page[page.length - 1]!;
      const ids = page.filter((id) => id !== system);
      for (let i = 0; i < ids.length; i += BROADCAST_CONCURRENCY) {
        const results = await Promise.allSettled(ids.slice(i, i + BROADCAST_CONCURRENCY).map((id) => this.send(null, { userId: id }, contentJson, `${clientMsgId}:${id}`)));
        for (const r of results) {
          if (r.status === 'fulfilled') recipients++;
          else failed++;
        }
      }
    }
    return { recipients, failed };
  }

  /** A page of the user event log; `next` is the cursor of the following page (null at the end). */
  async events(q: EventQuery): Promise<{ events: Array<Omit<UserEvent, 'userId'> & { userId: string }>; next: string | null }> {
    if (q.userId !== undefined) await this.requireUser(q.userId);
    const rows = await this.d.eventLog.query({ ...q, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    // Other apps' users' events are left out of an app's page (which may then be short); the cursor still walks every row.
    const mine = [];
    for (const e of page) if (await this.isMine(e.userId)) mine.push(e);
    return { events: mine.map((e) => ({ ...e, userId: String(e.userId) })), next: rows.length > q.limit ? page[page.length - 1]!.id : null };
  }

  private async asOwner(groupId: string, body: FrameInit['body']): Promise<Frame['body']> {
    return this.d.runAs({ userId: await this.groupOwner(groupId), deviceId: SERVER_DEVICE }, body);
  }

  /** The owner of a group of this app, or NOT_FOUND (a group of another app does not exist here). */
  private async groupOwner(groupId: string): Promise<UserId> {
    const id = Number(groupId);
    const group = Number.isSafeInteger(id) && id > 0 ? await this.d.conversations.getGroup(id) : null;
    if (!group || !(await this.isMine(group.ownerId))) throw new XinboxError(Errors.NOT_FOUND, 'no such group');
    return group.ownerId;
  }

  /**
   * The room key of a room id a call names (ADR 0013: room ids are per app): the app's own room for an app; the
   * operator names rooms by key (`<appId>~<id>`, or the bare id for the default app), as the admin console lists them.
   */
  private roomKeyOf(roomId: string): string {
    return this.appId === null ? parseRoomKey(roomId) : roomKey(this.appId, roomId);
  }

  /** The host of a room of this app (by its key; its host is of the same app), or ROOM_NOT_FOUND. */
  private async requireRoom(key: string): Promise<UserId> {
    const host = await this.d.rooms!.hostOf(key);
    if (!(await this.isMine(host))) throw new XinboxError(Errors.ROOM_NOT_FOUND); // as for a room that does not exist
    return host;
  }

  /** Whether a user is visible to this caller: any user for the operator, the app's own for an app. */
  private async isMine(userId: UserId): Promise<boolean> {
    return this.appId === null || (await this.d.userApps.isIn(userId, this.appId));
  }

  private mayReach(appId: AppId | undefined): boolean {
    return this.appId === null || (appId ?? DEFAULT_APP_ID) === this.appId;
  }

  /** The system account joins a group (invited by its owner) before its first notice there. */
  private async ensureSystemMember(groupId: string, systemId: UserId): Promise<void> {
    const id = Number(groupId);
    if (!Number.isSafeInteger(id) || id <= 0) throw new XinboxError(Errors.INVALID_ARGUMENT, 'groupId must be a conversation id');
    if (await this.d.conversations.getMember(id, systemId)) return;
    await this.asOwner(groupId, { case: 'groupInvite', value: { conversationId: groupId, userIds: [String(systemId)] } });
  }

  private async requireUser(userId: UserId): Promise<void> {
    const [u] = await this.d.identityStore.getUsers([userId]);
    if (!u || !this.mayReach(u.appId)) throw new XinboxError(Errors.NOT_FOUND, `no such user ${userId}`);
  }

  /** The system account (one per app), created on first use (a concurrent creation on another node is found by name). */
  private systemUserId(): Promise<UserId> {
    this.systemId ??= (async () => {
      const app = this.appId ?? DEFAULT_APP_ID;
      const existing = await this.d.identityStore.findUserByName(this.d.systemUsername, app);
      if (existing) return existing.id;
      try {
        return (await this.d.identity.createUser(this.d.systemUsername, undefined, app)).userId;
      } catch (e) {
        const raced = await this.d.identityStore.findUserByName(this.d.systemUsername, app);
        if (raced) return raced.id;
        throw e;
      }
    })();
    this.systemId.catch(() => (this.systemId = null));
    return this.systemId;
  }
}

type Body = Frame['body'];

type Kind = NonNullable<Body['case']>;

type ValueOf<K extends Kind> = Body extends infer B ? (B extends { case: K; value: infer V } ? V : never) : never;

function expect<K extends Kind>(body: Body, kind: K): ValueOf<K> {
  if (body.case !== kind) throw new XinboxError(Errors.INTERNAL, `expected ${kind}, got ${String(body.case)}`);
  return (body as { value: unknown }).value as ValueOf<K>;
}
