import { randomUUID } from 'node:crypto';
import { DEFAULT_APP_ID, type AppId } from '../ports/app-store.js';
import { ContentSchema, Errors, XinboxError, fromBinary } from '@xinbox/protocol';
import type { ConversationId, UserId } from '../model.js';
import type { IdentityStore } from '../ports/identity-store.js';
import type { MessageStore } from '../ports/message-store.js';
import type { AuditEntry, ModerationStore, ReportRecord, ReportStatus, RestrictionRecord } from '../ports/moderation-store.js';
import type { Caller, SendAckInfo } from '../messaging/send-types.js';
import type { FilterMatch } from './content-filter.js';

/** A ban's `untilMs` (absent or 0) = until unbanned. */
export type Punishment = { kind: 'dismiss' } | { kind: 'mute'; untilMs: number } | { kind: 'ban'; untilMs?: number };
export type Restriction = Punishment | { kind: 'unban' };

/** The audit log's actor id of an operator action (the admin API, `xinbox user ban`); moderators act under their own ids. */
export const OPERATOR_ACTOR = 0;

export interface ModerationOptions {
  /** Usernames with the moderator role. */
  readonly moderators: readonly string[];
  /** How long an account's restriction is trusted without a store read (when no invalidation arrives). */
  readonly restrictionCacheMs: number;
  readonly clock?: () => number;
}

const MAX_REASON = 200;
const MAX_EXCERPT = 500;

/**
 * Reports, review and punishment. Users report messages of conversations they
 * belong to; the filter reports flag-list matches (reporter 0). Moderators
 * (the usernames in `moderators`) list open reports and resolve them:
 * dismiss, mute the sender everywhere for a duration, or ban (every device
 * is disconnected and login refused). Every action writes an audit entry in
 * the same commit. `checkSender` / `checkAccount` answer from a bounded cache
 * invalidated on every restriction change (and on other nodes through the
 * cluster event), so the send path does not read the store per message.
 */
export class ModerationService {
  private readonly clock: () => number;
  private readonly cache = new Map<UserId, { r: RestrictionRecord | null; at: number }>();
  private readonly bannedListeners: Array<(userId: UserId) => void> = [];
  private readonly changedListeners: Array<(userId: UserId) => void> = [];

  constructor(
    private readonly store: ModerationStore,
    private readonly identity: IdentityStore,
    private readonly messages: MessageStore,
    private readonly requireMember: (userId: UserId, conversationId: ConversationId) => Promise<unknown>,
    private readonly opts: ModerationOptions,
  ) {
    this.clock = opts.clock ?? Date.now;
  }

  /** A ban happened here: disconnect the user's devices (the node wires this to its gateway and the cluster). */
  onBanned(listener: (userId: UserId) => void): void {
    this.bannedListeners.push(listener);
  }

  /** A restriction changed here (the cluster tells other nodes to drop their cached copy). */
  onChanged(listener: (userId: UserId) => void): void {
    this.changedListeners.push(listener);
  }

  /** Drop the cached restriction of a user (changed on another node). */
  invalidate(userId: UserId): void {
    this.cache.delete(userId);
  }

  /** Refuses a muted or banned sender (every conversation kind). */
  async checkSender(userId: UserId): Promise<void> {
    await this.checkSenderNow(userId);
  }

  /** checkSender, synchronous (throws at once, no promise) when the restriction is cached; same verdicts and errors. */
  checkSenderNow(userId: UserId): void | Promise<void> {
    const hit = this.cache.get(userId);
    if (hit && this.clock() - hit.at < this.opts.restrictionCacheMs) return this.senderVerdict(hit.r);
    return this.restriction(userId).then((r) => this.senderVerdict(r));
  }

  private senderVerdict(r: RestrictionRecord | null): void {
    if (!r) return;
    if (this.isBanned(r)) throw bannedError(r);
    if (r.mutedUntil > this.clock()) throw new XinboxError(Errors.MUTED, `you are muted until ${new Date(r.mutedUntil).toISOString()}`);
  }

  /** Refuses a banned account (login, refresh, connect). */
  async checkAccount(userId: UserId): Promise<void> {
    const r = await this.restriction(userId);
    if (r && this.isBanned(r)) throw bannedError(r);
  }

  /** A user reports a message (by conversation and seq) of a conversation they belong to. */
  async report(caller: Caller, conversationId: ConversationId, seq: number, reasonRaw: string): Promise<ReportRecord> {
    await this.requireMember(caller.userId, conversationId);
    const [m] = seq > 0 ? await this.messages.getRange(conversationId, seq, seq, 1) : [];
    if (!m) throw new XinboxError(Errors.NOT_FOUND, 'no such message');
    const report = this.newReport(m.id, conversationId, m.senderId, caller.userId, reasonRaw.trim().slice(0, MAX_REASON) || 'reported', excerpt(m.content));
    await this.store.addReport(report);
    return report;
  }

  /** The filter let a message through with flag-list words: queue it for review. */
  flagged(caller: Caller, ack: SendAckInfo, matches: readonly FilterMatch[], text: string): void {
    const lists = [...new Set(matches.map((m) => m.list))].join(',');
    const report = this.newReport(ack.messageId, ack.conversationId, caller.userId, 0, `filter:${lists}`, text.slice(0, MAX_EXCERPT));
    this.store.addReport(report).catch(() => undefined);
  }

  async listReports(moderatorId: UserId, status: ReportStatus, limit: number): Promise<ReportRecord[]> {
    await this.requireModerator(moderatorId);
    return this.store.listReports(status, Math.max(1, Math.min(200, limit || 50)));
  }

  /** Close a report, optionally punishing its sender; both in the audit log. */
  async resolve(moderatorId: UserId, reportId: string, action: Punishment, note: string): Promise<void> {
    await this.requireModerator(moderatorId);
    await this.resolveAs(moderatorId, reportId, action, note);
  }

  /** The operator's review queue (admin console): no moderator account involved. */
  async operatorReports(status: ReportStatus, limit: number): Promise<ReportRecord[]> {
    return this.store.listReports(status, Math.max(1, Math.min(200, limit || 50)));
  }

  /** The operator resolves a report (admin console), audited under OPERATOR_ACTOR; a ban closes the sender's devices. */
  async resolveByOperator(reportId: string, action: Punishment, note: string): Promise<ReportRecord> {
    await this.resolveAs(OPERATOR_ACTOR, reportId, action, note);
    return (await this.store.getReport(reportId))!;
  }

  private async resolveAs(moderatorId: UserId, reportId: string, action: Punishment, note: string): Promise<void> {
    const report = await this.store.getReport(reportId);
    if (!report) throw new XinboxError(Errors.NOT_FOUND, 'no such report');
    const at = this.clock();
    const ok = await this.store.resolveReport(reportId, moderatorId, action.kind, at,
      this.audit(moderatorId, `resolve:${action.kind}`, report.senderId, reportId, note, at));
    if (!ok) throw new XinboxError(Errors.PERMISSION_DENIED, 'the report is already resolved');
    if (action.kind !== 'dismiss') await this.restrict(moderatorId, report.senderId, action, note, reportId);
  }

  /** Mute, unmute (untilMs 0), ban or unban directly. */
  async punish(moderatorId: UserId, userId: UserId, action: Restriction, note: string, reportId = ''): Promise<RestrictionRecord | null> {
    await this.requireModerator(moderatorId);
    return this.restrict(moderatorId, userId, action, note, reportId);
  }

  /**
   * The operator's ban/unban (admin API, `xinbox user ban|unban`): no
   * moderator account involved, audited under OPERATOR_ACTOR; otherwise the
   * very path a moderator's ban takes (devices closed, login refused). The
   * username is looked up in `appId` (usernames are unique per app).
   */
  async restrictByOperator(username: string, action: Extract<Restriction, { kind: 'ban' | 'unban' }>, note: string, appId: AppId = DEFAULT_APP_ID):
    Promise<{ userId: UserId; restriction: RestrictionRecord }> {
    const user = await this.identity.findUserByName(username.trim().toLowerCase(), appId);
    if (!user) throw new XinboxError(Errors.NOT_FOUND, `no such user: ${username}`);
    const restriction = (await this.restrict(OPERATOR_ACTOR, user.id, action, note, ''))!;
    return { userId: user.id, restriction };
  }

  /**
   * The same restriction without the moderator check, for the application's
   * own backend (the server API, authenticated by an app secret) and the
   * operator; the audit entry names actor 0.
   */
  async restrict(actorId: UserId, userId: UserId, action: Restriction, note: string, reportId = ''): Promise<RestrictionRecord | null> {
    if (action.kind === 'dismiss') return null;
    const [target] = await this.identity.getUsers([userId]);
    if (!target) throw new XinboxError(Errors.NOT_FOUND, 'no such user');
    const at = this.clock();
    const patch = action.kind === 'mute' ? { mutedUntil: action.untilMs }
      : action.kind === 'ban' ? { banned: true, bannedUntil: action.untilMs ?? 0 }
        : { banned: false, bannedUntil: 0 };
    const until = action.kind === 'mute' || (action.kind === 'ban' && action.untilMs) ? `until=${action.untilMs} ` : '';
    const detail = `${until}${note}`.trim();
    const r = await this.store.restrict(userId, patch, at, this.audit(actorId, action.kind, userId, reportId, detail, at));
    this.cache.delete(userId);
    for (const l of this.changedListeners) l(userId);
    if (action.kind === 'ban') for (const l of this.bannedListeners) l(userId);
    return r;
  }

  /** Banned now: a timed ban ends by itself at bannedUntil. */
  private isBanned(r: RestrictionRecord): boolean {
    return r.banned && (r.bannedUntil === 0 || r.bannedUntil > this.clock());
  }

  async auditLog(moderatorId: UserId, afterSeq: number, limit: number): Promise<AuditEntry[]> {
    await this.requireModerator(moderatorId);
    return this.store.readAudit(afterSeq, Math.max(1, Math.min(500, limit || 100)));
  }

  async isModerator(userId: UserId): Promise<boolean> {
    if (this.opts.moderators.length === 0) return false;
    const [u] = await this.identity.getUsers([userId]);
    // Moderators are named in the config: users of the `default` app (the same name in another app is someone else).
    return !!u && (u.appId ?? DEFAULT_APP_ID) === DEFAULT_APP_ID && this.opts.moderators.includes(u.username);
  }

  private async requireModerator(userId: UserId): Promise<void> {
    if (!(await this.isModerator(userId))) throw new XinboxError(Errors.PERMISSION_DENIED, 'moderators only');
  }

  /** The user's account-wide state (the server API's user view). */
  async restrictionOf(userId: UserId): Promise<{ banned: boolean; mutedUntil: number }> {
    const r = await this.restriction(userId);
    return { banned: r ? this.isBanned(r) : false, mutedUntil: r?.mutedUntil ?? 0 };
  }

  private async restriction(userId: UserId): Promise<RestrictionRecord | null> {
    const now = this.clock();
    const hit = this.cache.get(userId);
    if (hit && now - hit.at < this.opts.restrictionCacheMs) return hit.r;
    const r = await this.store.getRestriction(userId);
    if (this.cache.size >= 100_000) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(userId, { r, at: now });
    return r;
  }

  private newReport(messageId: string, conversationId: ConversationId, senderId: UserId, reporterId: UserId, reason: string, text: string): ReportRecord {
    return {
      id: randomUUID(), messageId, conversationId, senderId, reporterId, reason, excerpt: text, status: 'open',
      createdAt: this.clock(), resolvedBy: 0, resolution: '', resolvedAt: 0,
    };
  }

  private audit(actorId: UserId, action: string, targetUserId: UserId, reportId: string, detail: string, at: number): Omit<AuditEntry, 'seq'> {
    return { at, actorId, action, targetUserId, reportId, detail: detail.slice(0, MAX_REASON) };
  }
}

function bannedError(r: RestrictionRecord): XinboxError {
  return r.bannedUntil ? new XinboxError(Errors.BANNED, `this account is banned until ${new Date(r.bannedUntil).toISOString()}`) : new XinboxError(Errors.BANNED);
}

function excerpt(content: Uint8Array): string {
  try {
    const c = fromBinary(ContentSchema, content);
    return c.kind.case === 'text' ? c.kind.value.text.slice(0, MAX_EXCERPT) : `[${c.kind.case ?? 'empty'}]`;
  } catch {
    return '[undecodable]';
  }
}
