import { appOfCaller, type AppLinks } from '../identity/user-apps.js';
import { DEFAULT_APP_ID } from '../ports/app-store.js';
import { randomUUID } from 'node:crypto';
import { ContentSchema, Errors, Limits, XinboxError, create, toBinary } from '@xinbox/protocol';
import type { ConversationStore, GroupPatch } from '../ports/conversation-store.js';
import type { IdentityStore } from '../ports/identity-store.js';
import type { Outbox } from '../ports/outbox.js';
import type { ConversationId, GroupRecord, GroupRole, JoinPolicy, MemberRecord, UserId } from '../model.js';
import type { ConversationCache } from '../messaging/conversation-cache.js';
import type { SendPipeline } from '../messaging/send-pipeline.js';
import type { Caller } from '../messaging/send-types.js';
import type { PermissionChecks } from '../social/permission-checks.js';
import { fitPage } from '../paging/reply-budget.js';

/** Upper estimate of a GroupMember entry's wire size besides its username: ids, role, times, field tags. */
const MEMBER_OVERHEAD = 64;

export interface GroupOptions {
  readonly largeGroupThreshold: number;
  readonly maxGroupMembers: number;
  readonly groupHistoryForNewMembers: boolean;
  readonly clock?: () => number;
}

export interface GroupView {
  readonly group: GroupRecord;
  readonly memberCount: number;
  readonly large: boolean;
  readonly lastSeq: number;
  readonly myRole: GroupRole | null;
}

const RANK: Record<GroupRole, number> = { member: 1, admin: 2, owner: 3 };

/**
 * Group lifecycle and permissions. Every change is checked on the server and
 * also written as a system message into the group, so every device sees
 * membership and settings changes in order with the chat.
 */
export class GroupService {
  private readonly clock: () => number;

  constructor(
    private readonly store: ConversationStore,
    private readonly identity: IdentityStore,
    private readonly cache: ConversationCache,
    private readonly pipeline: SendPipeline,
    private readonly outbox: Outbox,
    private readonly opts: GroupOptions,
    private readonly relations?: PermissionChecks,
    /** Users' apps (ADR 0013): members are the owner's app's users; another app's group does not exist. */
    private readonly apps: AppLinks | null = null,
  ) {
    this.clock = opts.clock ?? Date.now;
  }

  async create(caller: Caller, input: { name: string; memberIds: UserId[]; joinPolicy: JoinPolicy; avatarUrl: string; announcement: string }): Promise<GroupView> {
    const name = validName(input.name);
    const others = [...new Set(input.memberIds)].filter((u) => u !== caller.userId);
    if (others.length + 1 > this.opts.maxGroupMembers) throw new XinboxError(Errors.GROUP_FULL);
    await this.requireUsers(caller.userId, others);
    await this.checkAdds(caller.userId, others);
    const memberIds = [caller.userId, ...others];
    const large = memberIds.length > this.opts.largeGroupThreshold;
    const conv = await this.store.createGroup({
      name,
      avatarUrl: validUrl(input.avatarUrl),
      announcement: validText(input.announcement, 2000, 'announcement'),
      ownerId: caller.userId,
      joinPolicy: input.joinPolicy,
      memberIds,
      large,
    }, this.clock());
    if (large) this.outbox.audienceChanged(conv.id, memberIds, []);
    await this.notice(caller, conv.id, 'group_created', `created the group ${name}`, others);
    return this.view(conv.id, caller.userId);
  }

  async get(caller: Caller, id: ConversationId): Promise<GroupView> {
    await this.requireRole(id, caller.userId, 'member');
    return this.view(id, caller.userId);
  }

  async invite(caller: Caller, id: ConversationId, userIds: UserId[]): Promise<GroupView> {
    const { group } = await this.requireRole(id, caller.userId, 'member');
    if (group.joinPolicy === 'invite') await this.requireRole(id, caller.userId, 'admin');
    await this.requireUsers(caller.userId, userIds);
    await this.checkAdds(caller.userId, userIds);
    const added = await this.addMembers(id, userIds);
    if (added.length) await this.notice(caller, id, 'members_added', 'invited members', added);
    return this.view(id, caller.userId);
  }

  /** Blocks and each invitee's "group invitations from" setting. */
  private async checkAdds(inviter: UserId, userIds: readonly UserId[]): Promise<void> {
    if (!this.relations) return;
    for (const u of new Set(userIds)) if (u !== inviter) await this.relations.checkGroupAdd(inviter, u);
  }

  async join(caller: Caller, id: ConversationId): Promise<GroupView> {
    const group = await this.liveGroup(id);
    // A group of another app does not exist for the caller (its owner is of the group's app).
    if (this.apps) await this.apps.requireSameApp(caller.userId, group.ownerId).catch(() => {
      throw new XinboxError(Errors.NOT_FOUND, 'no such group');
    });
    if (await this.store.getMember(id, caller.userId)) throw new XinboxError(Errors.ALREADY_MEMBER);
    if (group.joinPolicy === 'invite') throw new XinboxError(Errors.PERMISSION_DENIED, 'this group is invite-only');
    if (group.joinPolicy === 'approval') {
      await this.store.addJoinRequest(id, caller.userId, this.clock());
      throw new XinboxError(Errors.PENDING_APPROVAL);
    }
    await this.addMembers(id, [caller.userId]);
    await this.notice(caller, id, 'member_joined', 'joined the group', [caller.userId]);
    return this.view(id, caller.userId);
  }

  async approve(caller: Caller, id: ConversationId, userId: UserId, approve: boolean): Promise<void> {
    await this.requireRole(id, caller.userId, 'admin');
    if (!(await this.store.takeJoinRequest(id, userId))) throw new XinboxError(Errors.NOT_FOUND, 'no pending join request');
    if (!approve) return;
    const added = await this.addMembers(id, [userId]);
    if (added.length) await this.notice(caller, id, 'member_joined', 'approved a join request', added);
  }

  async leave(caller: Caller, id: ConversationId): Promise<void> {
    const { member } = await this.requireRole(id, caller.userId, 'member');
    if (member.role === 'owner') throw new XinboxError(Errors.PERMISSION_DENIED, 'the owner must transfer ownership or dissolve the group first');
    await this.notice(caller, id, 'member_left', 'left the group', [caller.userId]);
    await this.removeMembers(id, [caller.userId]);
  }

  async kick(caller: Caller, id: ConversationId, userIds: UserId[]): Promise<void> {
    const { member } = await this.requireRole(id, caller.userId, 'admin');
    if (userIds.length > Limits.maxIdsPerRequest) throw new XinboxError(Errors.LIST_TOO_LARGE);
    const targets: UserId[] = [];
    for (const u of new Set(userIds)) {
      const m = await this.store.getMember(id, u);
      if (!m) continue;
      // Nobody kicks the owner; admins kick members only.
      if (RANK[m.role] >= RANK[member.role]) throw new XinboxError(Errors.PERMISSION_DENIED, `cannot remove user ${u} of role ${m.role}`);
      targets.push(u);
    }
    if (!targets.length) return;
    await this.notice(caller, id, 'members_removed', 'removed members', targets);
    await this.removeMembers(id, targets);
  }

  async setRole(caller: Caller, id: ConversationId, userId: UserId, role: GroupRole): Promise<void> {
    await this.requireRole(id, caller.userId, 'owner');
    if (role === 'owner') throw new XinboxError(Errors.INVALID_ARGUMENT, 'use transfer to change the owner');
    if (userId === caller.userId) throw new XinboxError(Errors.INVALID_ARGUMENT, 'the owner cannot change its own role');
    if (!(await this.store.updateMember(id, userId, { role }))) throw new XinboxError(Errors.NOT_A_MEMBER, 'target is not a member');
    this.cache.invalidate(id);
    await this.notice(caller, id, 'role_changed', `set role ${role}`, [userId], { role });
  }

  async transfer(caller: Caller, id: ConversationId, newOwner: UserId): Promise<void> {
    await this.requireRole(id, caller.userId, 'owner');
    if (newOwner === caller.userId) return;
    if (!(await this.store.getMember(id, newOwner))) throw new XinboxError(Errors.NOT_A_MEMBER, 'new owner must be a member');
    await this.store.updateMember(id, newOwner, { role: 'owner' });
    await this.store.updateMember(id, caller.userId, { role: 'admin' });
    await this.store.updateGroup(id, { ownerId: newOwner });
    this.cache.invalidate(id);
    await this.notice(caller, id, 'owner_changed', 'transferred ownership', [newOwner]);
  }

  async dissolve(caller: Caller, id: ConversationId): Promise<void> {
    await this.requireRole(id, caller.userId, 'owner');
    await this.notice(caller, id, 'group_dissolved', 'dissolved the group', []);
    await this.store.updateGroup(id, { dissolved: true });
    this.cache.invalidate(id);
  }

  async update(caller: Caller, id: ConversationId, patch: { name?: string; avatarUrl?: string; announcement?: string; joinPolicy?: JoinPolicy }): Promise<GroupView> {
    await this.requireRole(id, caller.userId, 'admin');
    const clean: GroupPatch = {
      ...(patch.name !== undefined ? { name: validName(patch.name) } : {}),
      ...(patch.avatarUrl !== undefined ? { avatarUrl: validUrl(patch.avatarUrl) } : {}),
      ...(patch.announcement !== undefined ? { announcement: validText(patch.announcement, 2000, 'announcement') } : {}),
      ...(patch.joinPolicy !== undefined ? { joinPolicy: patch.joinPolicy } : {}),
    };
    await this.store.updateGroup(id, clean);
    this.cache.invalidate(id);
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(clean)) attrs[k] = String(v);
    await this.notice(caller, id, 'group_updated', 'updated the group', [], attrs);
    return this.view(id, caller.userId);
  }

  async members(caller: Caller, id: ConversationId, afterUserId: UserId, limitRaw: number): Promise<{ members: Array<MemberRecord & { username: string }>; hasMore: boolean }> {
    await this.requireRole(id, caller.userId, 'member');
    const limit = Math.max(1, Math.min(200, limitRaw || 50));
    const rows = await this.store.listMembers(id, afterUserId, limit + 1);
    const users = await this.identity.getUsers(rows.slice(0, limit).map((m) => m.userId));
    const names = new Map(users.map((u) => [u.id, u.username]));
    const named = rows.map((m) => ({ ...m, username: names.get(m.userId) ?? '' }));
    // Cut by bytes as well as count (like every list reply), so a page never outgrows the reply budget.
    const { page, hasMore } = fitPage(named, limit, (m) => MEMBER_OVERHEAD + 4 * m.username.length);
    return { members: page, hasMore };
  }

  /** Mute one member (userId > 0) or the whole group (userId 0) until `until` (0 lifts it). */
  async mute(caller: Caller, id: ConversationId, userId: UserId, until: number): Promise<void> {
    const { member } = await this.requireRole(id, caller.userId, 'admin');
    if (userId === 0) {
      await this.store.updateGroup(id, { mutedAll: until > this.clock() });
      this.cache.invalidate(id);
      await this.notice(caller, id, until > this.clock() ? 'group_muted' : 'group_unmuted', 'changed group mute', []);
      return;
    }
    const target = await this.store.getMember(id, userId);
    if (!target) throw new XinboxError(Errors.NOT_A_MEMBER, 'target is not a member');
    if (RANK[target.role] >= RANK[member.role]) throw new XinboxError(Errors.PERMISSION_DENIED, `cannot mute a ${target.role}`);
    await this.store.updateMember(id, userId, { mutedUntil: until });
    this.cache.invalidate(id);
    await this.notice(caller, id, until > this.clock() ? 'member_muted' : 'member_unmuted', 'changed member mute', [userId], { until: String(until) });
  }

  async settings(caller: Caller, id: ConversationId, doNotDisturb: boolean): Promise<void> {
    await this.requireRole(id, caller.userId, 'member');
    await this.store.updateMember(id, caller.userId, { doNotDisturb });
  }

  /** Who has read up to seq (small groups), or just how many (large groups). */
  async readReceipts(caller: Caller, id: ConversationId, seq: number): Promise<{ readBy: UserId[]; readCount: number; memberCount: number }> {
    await this.requireMember(id, caller.userId);
    const conv = (await this.store.getConversation(id))!;
    if (conv.memberCount > this.opts.largeGroupThreshold) {
      return { readBy: [], readCount: await this.store.countReadAtLeast(id, seq), memberCount: conv.memberCount };
    }
    const readBy = (await this.store.readPositions(id)).filter((p) => p.readSeq >= seq).map((p) => p.userId);
    return { readBy, readCount: readBy.length, memberCount: conv.memberCount };
  }

  /** Read-fan-out conversations of a user (the gateway's audience index). */
  async largeConversationsOf(userId: UserId): Promise<ConversationId[]> {
    const views = await this.store.listUserConversations(userId, 10_000, 0);
    return views.filter((v) => v.conversation.large).map((v) => v.conversation.id);
  }

  private async addMembers(id: ConversationId, userIds: UserId[]): Promise<UserId[]> {
    const conv = await this.store.getConversation(id);
    if (!conv) throw new XinboxError(Errors.NOT_FOUND);
    const unique = [...new Set(userIds)];
    if (unique.length > Limits.maxIdsPerRequest) throw new XinboxError(Errors.LIST_TOO_LARGE);
    if (conv.memberCount + unique.length > this.opts.maxGroupMembers) throw new XinboxError(Errors.GROUP_FULL);
    const firstSeq = this.opts.groupHistoryForNewMembers ? 1 : conv.lastSeq + 1;
    const added = await this.store.addMembers(id, unique, 'member', firstSeq, this.clock());
    await this.afterMembershipChange(id, added, []);
    return added;
  }

  private async removeMembers(id: ConversationId, userIds: UserId[]): Promise<void> {
    const removed = await this.store.removeMembers(id, userIds);
    await this.afterMembershipChange(id, [], removed);
  }

  /** Keep the fan-out mode and the gateways' audience index in line with the member count. */
  private async afterMembershipChange(id: ConversationId, joined: UserId[], left: UserId[]): Promise<void> {
    const conv = (await this.store.getConversation(id))!;
    const shouldBeLarge = conv.memberCount > this.opts.largeGroupThreshold;
    if (shouldBeLarge !== conv.large) {
      await this.store.updateGroup(id, { large: shouldBeLarge });
      const all = await this.store.memberIds(id);
      if (shouldBeLarge) this.outbox.audienceChanged(id, all, left);
      else this.outbox.audienceChanged(id, [], [...all, ...left]);
    } else if (conv.large) {
      this.outbox.audienceChanged(id, joined, left);
    }
    this.cache.invalidate(id);
  }

  private async notice(caller: Caller, id: ConversationId, kind: string, text: string, targets: UserId[], attrs: Record<string, string> = {}): Promise<void> {
    const content = toBinary(ContentSchema, create(ContentSchema, {
      kind: { case: 'system', value: { kind, text, actorId: String(caller.userId), targetIds: targets.map(String), attrs } },
    }));
    await this.pipeline.submit(caller, { conversationId: id, clientMsgId: `sys-${randomUUID()}`, content, mentions: [], mentionAll: false, visibleTo: [] }, true);
  }

  private async view(id: ConversationId, userId: UserId): Promise<GroupView> {
    const [group, conv, me] = await Promise.all([this.store.getGroup(id), this.store.getConversation(id), this.store.getMember(id, userId)]);
    if (!group || !conv) throw new XinboxError(Errors.NOT_FOUND, 'group not found');
    return { group, memberCount: conv.memberCount, large: conv.large, lastSeq: conv.lastSeq, myRole: me?.role ?? null };
  }

  private async liveGroup(id: ConversationId): Promise<GroupRecord> {
    const group = await this.store.getGroup(id);
    if (!group) throw new XinboxError(Errors.NOT_FOUND, 'group not found');
    if (group.dissolved) throw new XinboxError(Errors.GROUP_DISSOLVED);
    return group;
  }

  private async requireMember(id: ConversationId, userId: UserId): Promise<MemberRecord> {
    const m = await this.store.getMember(id, userId);
    if (!m) throw new XinboxError(Errors.NOT_A_MEMBER);
    return m;
  }

  private async requireRole(id: ConversationId, userId: UserId, min: GroupRole): Promise<{ group: GroupRecord; member: MemberRecord }> {
    const group = await this.liveGroup(id);
    const member = await this.requireMember(id, userId);
    if (RANK[member.role] < RANK[min]) throw new XinboxError(Errors.PERMISSION_DENIED, `needs role ${min}`);
    return { group, member };
  }

  /** Every id is a user of the caller's app (another app's user is as unknown as a missing one). */
  private async requireUsers(callerId: UserId, ids: UserId[]): Promise<void> {
    if (ids.length > Limits.maxIdsPerRequest) throw new XinboxError(Errors.LIST_TOO_LARGE);
    const found = await this.identity.getUsers(ids);
    if (found.length !== new Set(ids).size) throw new XinboxError(Errors.NOT_FOUND, 'unknown user id in the list');
    if (this.apps && ids.length > 0) {
      const app = await appOfCaller(this.apps, callerId);
      if (found.some((u) => (u.appId ?? DEFAULT_APP_ID) !== app)) throw new XinboxError(Errors.NOT_FOUND, 'unknown user id in the list');
    }
  }
}

function validName(raw: string): string {
  const name = raw.trim();
  if (name.length < 1 || name.length > 64) throw new XinboxError(Errors.INVALID_ARGUMENT, 'group name must be 1-64 characters');
  return name;
}

function validUrl(raw: string): string {
  if (raw && (raw.length > Limits.maxUrlLength || !/^https?:\/\//.test(raw))) throw new XinboxError(Errors.INVALID_ARGUMENT, 'avatar must be an http(s) url');
  return raw;
}

function validText(raw: string, max: number, field: string): string {
  if (raw.length > max) throw new XinboxError(Errors.INVALID_ARGUMENT, `${field} exceeds ${max} characters`);
  return raw;
}
