import { appOfCaller, type AppLinks } from '../identity/user-apps.js';
import { DEFAULT_APP_ID } from '../ports/app-store.js';
import { randomUUID } from 'node:crypto';
import {
  Errors, Limits, XinboxError, create, encodeFrame, withLengthPrefix,
  RelationChangeSchema, type FriendRequest, type PrivacySettings, type Profile, type Relation, type RelationChange,
} from '@xinbox/protocol';
import type { UserId, UserRecord } from '../model.js';
import type { IdentityStore } from '../ports/identity-store.js';
import type { Outbox } from '../ports/outbox.js';
import type {
  Audience, ConversationSettingsRecord, FriendRequestRecord, FriendRequestStatus, PrivacyRecord, ProfileRecord, RelationPatch, SocialStore, SocialWrite,
} from '../ports/social-store.js';
import { KeyedRateLimiter } from '../rooms/token-bucket.js';
import { checkAvatarUrl, checkText, defaultProfile, PROFILE_LIMITS } from './profile-rules.js';
import type { RelationGuard } from './relation-guard.js';
import { defaultSettings, settingsToWire } from '../settings/conversation-settings.js';
import { privacyToWire, profileToWire, relationToWire, requestToWire } from './social-wire.js';

export interface SocialOptions {
  /** Exact-username lookups per user per minute (burst the same). */
  readonly userLookupPerMinute: number;
  /** Friend requests a user may send per hour (burst the same). */
  readonly friendRequestsPerHour: number;
  /** A pending friend request expires after this. */
  readonly friendRequestTtlMs: number;
  readonly clock?: () => number;
}

export interface ProfilePatch {
  readonly displayName?: string;
  readonly avatarUrl?: string;
  readonly bio?: string;
}

const MAX_RELATIONS = 5_000;
const MAX_REQUESTS = 500;

/**
 * Profiles, privacy and the relationship chain: friend requests (send with a
 * note, accept, decline, cancel, expire), two-way friends, one-way follows,
 * remarks and blocks. Every change is one atomic store commit that also
 * appends entries to the affected users' relationship change feeds; the
 * entries are then pushed to every device of those users, and a device that
 * missed them pulls the feed from its cursor (RelationSync), like messages.
 */
export class SocialService {
  private readonly clock: () => number;
  private readonly lookups: KeyedRateLimiter<UserId>;
  private readonly requestLimiter: KeyedRateLimiter<UserId>;
  private readonly changeListeners: Array<(userIds: UserId[]) => void> = [];
  private calls = 0;

  constructor(
    private readonly store: SocialStore,
    private readonly identity: IdentityStore,
    private readonly guard: RelationGuard,
    private readonly outbox: Outbox,
    private readonly opts: SocialOptions,
    /** Users' apps (ADR 0013): lookups, requests, follows and blocks stay within the caller's app. */
    private readonly apps: AppLinks | null = null,
  ) {
    this.clock = opts.clock ?? Date.now;
    this.lookups = new KeyedRateLimiter(opts.userLookupPerMinute / 60, opts.userLookupPerMinute);
    this.requestLimiter = new KeyedRateLimiter(opts.friendRequestsPerHour / 3600, opts.friendRequestsPerHour);
  }

  /** Called with the users whose relations or privacy changed here (a cluster tells the other nodes). */
  onChanged(listener: (userIds: UserId[]) => void): void {
    this.changeListeners.push(listener);
  }

  // ------------------------------------------------------------- profiles and privacy

  /** Profiles of existing users, minus those who blocked the caller. */
  async profiles(callerId: UserId, userIds: readonly UserId[]): Promise<Profile[]> {
    if (userIds.length > Limits.maxIdsPerRequest) throw new XinboxError(Errors.LIST_TOO_LARGE);
    // Another app's users are not found, like users that do not exist (ADR 0013).
    const app = this.apps ? await appOfCaller(this.apps, callerId) : null;
    const users = (await this.identity.getUsers(userIds)).filter((u) => app === null || (u.appId ?? DEFAULT_APP_ID) === app);
    const hiding = new Set((await this.blockersOf(callerId, users.map((u) => u.id))));
    return this.profilesOf(users.filter((u) => !hiding.has(u.id)));
  }

  async updateProfile(callerId: UserId, patch: ProfilePatch): Promise<Profile> {
    const current = await this.profileRecord(callerId);
    const next: ProfileRecord = {
      ...current,
      displayName: patch.displayName === undefined ? current.displayName : checkText(patch.displayName, PROFILE_LIMITS.displayName, 'displayName'),
      avatarUrl: patch.avatarUrl === undefined ? current.avatarUrl : checkAvatarUrl(patch.avatarUrl),
      bio: patch.bio === undefined ? current.bio : checkText(patch.bio, PROFILE_LIMITS.bio, 'bio'),
      updatedAt: this.clock(),
    };
    await this.write({ profiles: [next], changes: [{ userId: callerId, kind: 'profile', key: '' }] }, [callerId]);
    const [user] = await this.identity.getUsers([callerId]);
    return profileToWire(user!, next);
  }

  async privacy(callerId: UserId): Promise<PrivacySettings> {
    return privacyToWire((await this.profileRecord(callerId)).privacy);
  }

  async updatePrivacy(callerId: UserId, patch: Partial<PrivacyRecord>): Promise<PrivacySettings> {
    const current = await this.profileRecord(callerId);
    const privacy: PrivacyRecord = { ...current.privacy, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
    await this.write({ profiles: [{ ...current, privacy, updatedAt: this.clock() }], changes: [{ userId: callerId, kind: 'privacy', key: '' }] }, [callerId]);
    return privacyToWire(privacy);
  }

  /** Exact username match only, rate limited per caller; users who blocked the caller are not found. */
  async lookup(callerId: UserId, usernameRaw: string): Promise<Profile[]> {
    this.limit(this.lookups, callerId, 'too many user lookups; retry later');
    const username = usernameRaw.trim().toLowerCase();
    if (username.length === 0 || username.length > 32) return [];
    const user = await this.identity.findUserByName(username, await appOfCaller(this.apps, callerId));
    if (!user || (await this.blockersOf(callerId, [user.id])).length > 0) return [];
    return this.profilesOf([user]);
  }

  // ------------------------------------------------------------- friend requests

  async sendRequest(callerId: UserId, toId: UserId, noteRaw: string): Promise<FriendRequest> {
    const note = checkText(noteRaw, PROFILE_LIMITS.note, 'note');
    await this.requireOther(callerId, toId);
    const [mine, theirs] = await Promise.all([this.store.getRelations(callerId, [toId]), this.store.getRelations(toId, [callerId])]);
    if (mine[0]?.blocked || theirs[0]?.blocked) throw new XinboxError(Errors.BLOCKED);
    if (mine[0]?.friend && theirs[0]?.friend) throw new XinboxError(Errors.ALREADY_FRIENDS);
    const target = await this.profileRecord(toId);
    if (target.privacy.friendRequestFrom !== 'anyone') throw new XinboxError(Errors.PRIVACY_RESTRICTED, 'the user does not accept friend requests');
    const now = this.clock();
    // They already asked me: sending one back is accepting theirs.
    const reverse = await this.liveRequest(toId, callerId);
    if (reverse) return this.respond(callerId, reverse.id, true);
    const existing = await this.liveRequest(callerId, toId);
    if (existing) return this.wireRequest(existing);
    this.limit(this.requestLimiter, callerId, 'too many friend requests; retry later');
    const record: FriendRequestRecord = {
      id: randomUUID(), fromId: callerId, toId, note, status: 'pending', createdAt: now, expiresAt: now + this.opts.friendRequestTtlMs, updatedAt: now,
    };
    const ok = await this.write({ request: { record, expect: 'absent' }, changes: this.requestChanges(record) }, []);
    if (!ok) {
      // A concurrent send of the same request won: answer with it.
      const raced = await this.store.findPendingRequest(callerId, toId);
      if (raced) return this.wireRequest(raced);
      throw new XinboxError(Errors.UNAVAILABLE, 'friend request changed concurrently; retry');
    }
    return this.wireRequest(record);
  }

  async respond(callerId: UserId, requestId: string, accept: boolean): Promise<FriendRequest> {
    const r = await this.openRequest(requestId, (req) => req.toId === callerId);
    if (accept) {
      const [mine, theirs] = await Promise.all([this.store.getRelations(callerId, [r.fromId]), this.store.getRelations(r.fromId, [callerId])]);
      if (mine[0]?.blocked || theirs[0]?.blocked) throw new XinboxError(Errors.BLOCKED);
    }
    const status: FriendRequestStatus = accept ? 'accepted' : 'declined';
    const patches: RelationPatch[] = accept
      ? [{ ownerId: r.fromId, peerId: r.toId, friend: true }, { ownerId: r.toId, peerId: r.fromId, friend: true }]
      : [];
    return this.moveRequest(r, status, patches);
  }

  async cancel(callerId: UserId, requestId: string): Promise<FriendRequest> {
    const r = await this.openRequest(requestId, (req) => req.fromId === callerId);
    return this.moveRequest(r, 'cancelled', []);
  }

  /** Pending requests to and from the caller (expired ones are closed on the way). */
  async pendingRequests(callerId: UserId): Promise<{ incoming: FriendRequest[]; outgoing: FriendRequest[] }> {
    const rows = await this.store.listPendingRequests(callerId, MAX_REQUESTS);
    const now = this.clock();
    const live: FriendRequestRecord[] = [];
    for (const r of rows) {
      if (r.expiresAt > now) live.push(r);
      else await this.expire(r);
    }
    const wire = await Promise.all(live.map((r) => this.wireRequest(r)));
    return { incoming: wire.filter((r) => r.toId === String(callerId)), outgoing: wire.filter((r) => r.fromId === String(callerId)) };
  }

  // ------------------------------------------------------------- relations

  async removeFriend(callerId: UserId, peerId: UserId): Promise<Relation> {
    await this.requireOther(callerId, peerId);
    await this.patch([{ ownerId: callerId, peerId, friend: false }, { ownerId: peerId, peerId: callerId, friend: false }]);
    return this.relation(callerId, peerId);
  }

  async follow(callerId: UserId, peerId: UserId, follow: boolean): Promise<Relation> {
    await this.requireOther(callerId, peerId);
    if (follow) {
      const theirs = await this.store.getRelations(peerId, [callerId]);
      if (theirs[0]?.blocked) throw new XinboxError(Errors.BLOCKED);
    }
    // The peer's view changes too (follower flag).
    await this.patch([{ ownerId: callerId, peerId, following: follow }], [{ userId: peerId, key: String(callerId) }]);
    return this.relation(callerId, peerId);
  }

  async setRemark(callerId: UserId, peerId: UserId, remarkRaw: string): Promise<Relation> {
    const remark = checkText(remarkRaw, PROFILE_LIMITS.remark, 'remark');
    await this.requireOther(callerId, peerId);
    await this.patch([{ ownerId: callerId, peerId, remark }], [], false);
    return this.relation(callerId, peerId);
  }

  /** The blocked user is not told; they learn from BLOCKED answers. */
  async block(callerId: UserId, peerId: UserId, blocked: boolean): Promise<Relation> {
    await this.requireOther(callerId, peerId);
    await this.patch([{ ownerId: callerId, peerId, blocked }], [], false);
    return this.relation(callerId, peerId);
  }

  /** Everyone the caller has a relation with (friends, follows both ways, blocks, remarks). */
  async relations(callerId: UserId): Promise<Relation[]> {
    const [outbound, inbound] = await Promise.all([this.store.listRelations(callerId, MAX_RELATIONS), this.store.listInbound(callerId, MAX_RELATIONS)]);
    const mine = new Map(outbound.map((r) => [r.peerId, r]));
    const theirs = new Map(inbound.map((r) => [r.ownerId, r]));
    const peers = [...new Set([...mine.keys(), ...theirs.keys()])];
    const users = await this.identity.getUsers(peers);
    const profiles = new Map((await this.profilesOf(users)).map((p) => [Number(p.userId), p]));
    return peers
      .map((p) => relationToWire(p, mine.get(p), theirs.get(p), profiles.get(p)))
      .filter((r) => r.friend || r.following || r.follower || r.blocked || r.remark !== '');
  }

  async relation(callerId: UserId, peerId: UserId): Promise<Relation> {
    const [mine, theirs, users] = await Promise.all([
      this.store.getRelations(callerId, [peerId]), this.store.getRelations(peerId, [callerId]), this.identity.getUsers([peerId]),
    ]);
    const [profile] = await this.profilesOf(users);
    return relationToWire(peerId, mine[0], theirs[0], profile);
  }

  /** The caller's relationship change feed after `cursor`, each entry showing its subject's current state. */
  async sync(callerId: UserId, cursor: number, limitRaw: number): Promise<{ changes: RelationChange[]; nextCursor: number; hasMore: boolean }> {
    const limit = Math.max(1, Math.min(Limits.maxSyncPage, limitRaw || 100));
    const rows = await this.store.readChanges(callerId, cursor, limit + 1);
    const hasMore = rows.length > limit;
    const page = hasMore ? rows.slice(0, limit) : rows;
    const changes: RelationChange[] = [];
    for (const c of page) changes.push(await this.changeFrame(callerId, c.seq, c.at, c.kind, c.key));
    return { changes, nextCursor: page.length ? page[page.length - 1]!.seq : cursor, hasMore };
  }

  /** Store one user's conversation settings row and announce it on the user's change feed (ConversationSettingsService). */
  async commitConversationSettings(record: ConversationSettingsRecord): Promise<void> {
    await this.write({ conversationSettings: [record], changes: [{ userId: record.userId, kind: 'conversation', key: String(record.conversationId) }] }, []);
  }

  /** Delete-for-me: store the hidden seqs and announce them on the user's change feed. */
  async commitHidden(userId: UserId, conversationId: number, seqs: readonly number[]): Promise<void> {
    await this.write({ hiddenMessages: { userId, conversationId, seqs }, changes: [{ userId, kind: 'hidden', key: `${conversationId}:${seqs.join(',')}` }] }, []);
  }

  // ------------------------------------------------------------- internals

  private async moveRequest(r: FriendRequestRecord, status: FriendRequestStatus, relations: RelationPatch[]): Promise<FriendRequest> {
    const now = this.clock();
    const record: FriendRequestRecord = { ...r, status, updatedAt: now };
    const changes: SocialWrite['changes'] = [
      ...this.requestChanges(record),
      ...relations.map((p) => ({ userId: p.ownerId, kind: 'relation' as const, key: String(p.peerId) })),
    ];
    const ok = await this.write({ request: { record, expect: 'pending' }, relations, changes }, [r.fromId, r.toId]);
    if (!ok) throw new XinboxError(Errors.FRIEND_REQUEST_CLOSED);
    return this.wireRequest(record);
  }

  private async openRequest(requestId: string, mayTouch: (r: FriendRequestRecord) => boolean): Promise<FriendRequestRecord> {
    if (typeof requestId !== 'string' || requestId.length === 0 || requestId.length > 64) throw new XinboxError(Errors.INVALID_ARGUMENT, 'requestId is required');
    const r = await this.store.getRequest(requestId);
    if (!r || !mayTouch(r)) throw new XinboxError(Errors.NOT_FOUND, 'no such friend request');
    if (r.status !== 'pending') throw new XinboxError(Errors.FRIEND_REQUEST_CLOSED);
    if (r.expiresAt <= this.clock()) {
      await this.expire(r);
      throw new XinboxError(Errors.FRIEND_REQUEST_CLOSED, 'the friend request has expired');
    }
    return r;
  }

  /** A pending request from `from` to `to` that has not expired (an expired one is closed). */
  private async liveRequest(from: UserId, to: UserId): Promise<FriendRequestRecord | null> {
    const r = await this.store.findPendingRequest(from, to);
    if (!r) return null;
    if (r.expiresAt > this.clock()) return r;
    await this.expire(r);
    return null;
  }

  private async expire(r: FriendRequestRecord): Promise<void> {
    const record: FriendRequestRecord = { ...r, status: 'expired', updatedAt: this.clock() };
    // Losing this race means someone else closed it: nothing to do.
    await this.write({ request: { record, expect: 'pending' }, changes: this.requestChanges(record) }, []);
  }

  private requestChanges(r: FriendRequestRecord): SocialWrite['changes'] {
    return [{ userId: r.fromId, kind: 'request', key: r.id }, { userId: r.toId, kind: 'request', key: r.id }];
  }

  private async patch(relations: RelationPatch[], extra: Array<{ userId: UserId; key: string }> = [], bothSides = true): Promise<void> {
    const changes: SocialWrite['changes'] = [
      ...relations.filter((_p, i) => bothSides || i === 0).map((p) => ({ userId: p.ownerId, kind: 'relation' as const, key: String(p.peerId) })),
      ...extra.map((e) => ({ userId: e.userId, kind: 'relation' as const, key: e.key })),
    ];
    const users = [...new Set(relations.flatMap((p) => [p.ownerId, p.peerId]))];
    await this.write({ relations, changes }, users);
  }

  /** Commit, invalidate the guards, push the new feed entries. Returns false when the request guard refused. */
  private async write(w: Omit<SocialWrite, 'at'>, touched: UserId[]): Promise<boolean> {
    const at = this.clock();
    const result = await this.store.commit({ ...w, at });
    if (!result) return false;
    const users = [...new Set([...touched, ...w.changes.map((c) => c.userId)])];
    this.guard.invalidate(users);
    for (const l of this.changeListeners) l(users);
    const pushes = [];
    for (let i = 0; i < w.changes.length; i++) {
      const c = w.changes[i]!;
      const change = await this.changeFrame(c.userId, result.seqs[i]!, at, c.kind, c.key);
      pushes.push({ userId: c.userId, frame: withLengthPrefix(encodeFrame({ body: { case: 'relationChange', value: change } })), syncSeq: 0 });
    }
    this.outbox.toUsers(pushes);
    return true;
  }

  private async changeFrame(userId: UserId, seq: number, at: number, kind: string, key: string): Promise<RelationChange> {
    if (kind === 'relation') {
      return create(RelationChangeSchema, { seq, at, change: { case: 'relation', value: await this.relation(userId, Number(key)) } });
    }
    if (kind === 'request') {
      const r = await this.store.getRequest(key);
      if (r) return create(RelationChangeSchema, { seq, at, change: { case: 'request', value: await this.wireRequest(r) } });
      return create(RelationChangeSchema, { seq, at });
    }
    if (kind === 'hidden') {
      const [conversationId, list] = key.split(':');
      return create(RelationChangeSchema, { seq, at, change: { case: 'messagesHidden', value: { conversationId: conversationId!, seqs: list ? list.split(',').map(Number) : [] } } });
    }
    if (kind === 'conversation') {
      const conversationId = Number(key);
      const [row] = await this.store.getConversationSettings(userId, [conversationId]);
      return create(RelationChangeSchema, { seq, at, change: { case: 'conversationSettings', value: settingsToWire(row ?? defaultSettings(userId, conversationId)) } });
    }
    const p = await this.profileRecord(userId);
    if (kind === 'privacy') return create(RelationChangeSchema, { seq, at, change: { case: 'privacy', value: privacyToWire(p.privacy) } });
    const [user] = await this.identity.getUsers([userId]);
    return create(RelationChangeSchema, { seq, at, change: user ? { case: 'profile', value: profileToWire(user, p) } : undefined });
  }

  private async wireRequest(r: FriendRequestRecord): Promise<FriendRequest> {
    const users = await this.identity.getUsers([r.fromId]);
    const [from] = await this.profilesOf(users);
    return requestToWire(r, this.clock(), from);
  }

  private async profileRecord(userId: UserId): Promise<ProfileRecord> {
    return (await this.store.getProfiles([userId]))[0] ?? defaultProfile(userId);
  }

  private async profilesOf(users: readonly UserRecord[]): Promise<Profile[]> {
    const stored = new Map((await this.store.getProfiles(users.map((u) => u.id))).map((p) => [p.userId, p]));
    return users.map((u) => profileToWire(u, stored.get(u.id) ?? defaultProfile(u.id)));
  }

  /** Which of `userIds` blocked `callerId`. */
  private async blockersOf(callerId: UserId, userIds: readonly UserId[]): Promise<UserId[]> {
    const out: UserId[] = [];
    for (const u of userIds) if ((await this.store.getRelations(u, [callerId]))[0]?.blocked) out.push(u);
    return out;
  }

  private async requireOther(callerId: UserId, peerId: UserId): Promise<void> {
    if (peerId === callerId) throw new XinboxError(Errors.INVALID_ARGUMENT, 'that is you');
    const [u] = await this.identity.getUsers([peerId]);
    if (!u) throw new XinboxError(Errors.NOT_FOUND, 'no such user');
    await this.apps?.requireSameApp(callerId, peerId);
  }

  private limit(limiter: KeyedRateLimiter<UserId>, userId: UserId, message: string): void {
    const now = this.clock();
    if (++this.calls % 1024 === 0) limiter.prune(now);
    if (!limiter.tryTake(userId, now)) throw new XinboxError(Errors.RATE_LIMITED, message);
  }
}

/** Privacy patch from wire enums (UNSPECIFIED: keep). */
export type PrivacyPatch = Partial<Record<keyof PrivacyRecord, Audience>>;
