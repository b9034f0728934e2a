import type { Logger } from '../../logger.js';
import type { ConversationId, StoredMessage, UserId } from '../../core/model.js';
import type { ConversationStore } from '../../core/ports/conversation-store.js';
import type { IdentityStore } from '../../core/ports/identity-store.js';
import type { Presence } from '../../core/ports/presence.js';
import type { PushNotification, PushNotifier } from '../../core/ports/push-notifier.js';
import type { PushProvider, PushRegistration, PushTokenStore } from '../../core/ports/push-tokens.js';
import type { UserPushSettings } from '../../core/settings/conversation-settings-service.js';
import { contentJson } from '../webhooks/message-events.js';

export interface PushServiceOptions {
  /** Messages to one user in one conversation within this window become one notification. */
  readonly coalesceMs: number;
  readonly retries: number;
  readonly retryBaseMs: number;
  /** Users with a burst being collected; beyond it new bursts are dropped (counted). */
  readonly maxPending: number;
  /** Bursts resolved together at most (their windows closed in the same tick); default 256. */
  readonly maxBatch?: number;
  readonly clock?: () => number;
}

export interface PushServiceDeps {
  readonly tokens: PushTokenStore;
  readonly presence: Presence;
  readonly conversations: ConversationStore;
  readonly identity: IdentityStore;
  /** The notifiers of a recipient's app (AppNotifiers, ADR 0013): its credentials, not another app's. */
  readonly notifiersOf: (userId: UserId) => Promise<ReadonlyMap<PushProvider, PushNotifier>>;
  readonly log: Logger;
  /**
   * The user's conversation settings (ConversationSettingsService.pushView,
   * direct chats included, wired in node.ts), read once per user per batch:
   * mute beyond the group member's do-not-disturb flag, and the badge from
   * the store's total unread (muted conversations may not count). Absent =
   * only do-not-disturb, badge = the total.
   */
  readonly settingsOf?: (userId: UserId) => Promise<UserPushSettings>;
}

const DEFAULT_MAX_BATCH = 256;

interface Burst {
  readonly userId: UserId;
  readonly conversationId: ConversationId;
  count: number;
  last: StoredMessage;
}

/**
 * Offline push notifications (docs/integration.md "Push notifications").
 * After commit, every recipient of a message (not the sender) starts or
 * joins a burst for (user, conversation); when the burst's window closes
 * the user gets ONE notification for it — only if none of the user's
 * devices is online, the conversation is not muted (do-not-disturb), and
 * the user has push tokens. Badge = the user's total unread, less muted
 * conversations the user chose not to count (settingsOf). Each token's
 * provider is tried with retries; a token the provider calls dead is
 * removed.
 *
 * Bursts started in the same millisecond share one timer; bursts whose
 * windows close in the same tick (at load, many) are resolved as one batch
 * of at most maxBatch: one presence query, one token read and
 * one sender lookup for all of them, one settings read per user; then per
 * burst the member row and the unread count. If a shared read fails, each
 * burst of the batch is tried alone; a failure of one burst's own reads
 * fails that burst only (counted in `failed`).
 */
export class PushService {
  private readonly pending = new Map<string, Burst>();
  private readonly clock: () => number;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Keys of the bursts whose window closes at this clock time: one timer per millisecond, not per burst. */
  private readonly due = new Map<number, string[]>();
  private closing: Burst[] = [];
  private flushing: NodeJS.Immediate | null = null;
  readonly counters = { notified: 0, skippedOnline: 0, skippedMuted: 0, skippedNoToken: 0, failed: 0, retried: 0, deadTokensRemoved: 0, droppedBursts: 0 };

  constructor(private readonly deps: PushServiceDeps, private readonly opts: PushServiceOptions) {
    this.clock = opts.clock ?? Date.now;
  }

  /** The send pipeline's committed listener: `recipients` are the users the message was written to. */
  committed(m: StoredMessage, recipients: readonly UserId[], system: boolean): void {
    if (this.stopped || system) return;
    let closesAt = 0;
    for (const userId of recipients) {
      if (userId === m.senderId) continue;
      const key = `${userId}:${m.conversationId}`;
      const burst = this.pending.get(key);
      if (burst) {
        burst.count++;
        burst.last = m;
        continue;
      }
      if (this.pending.size >= this.opts.maxPending) {
        this.counters.droppedBursts++;
        continue;
      }
      this.pending.set(key, { userId, conversationId: m.conversationId, count: 1, last: m });
      closesAt ||= this.clock() + this.opts.coalesceMs;
      this.closeAt(closesAt, key);
    }
  }

  private closeAt(at: number, key: string): void {
    const keys = this.due.get(at);
    if (keys) {
      keys.push(key);
      return;
    }
    this.due.set(at, [key]);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      for (const k of this.due.get(at) ?? []) {
        const b = this.pending.get(k);
        this.pending.delete(k);
        if (b) this.close(b);
      }
      this.due.delete(at);
    }, this.opts.coalesceMs);
    this.timers.add(timer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.due.clear();
    this.pending.clear();
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = null;
    this.closing = [];
    await Promise.all([...this.inFlight]);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Windows closing in this tick are collected and resolved together after it. */
  private close(b: Burst): void {
    this.closing.push(b);
    this.flushing ??= setImmediate(() => {
      this.flushing = null;
      const all = this.closing;
      this.closing = [];
      const size = this.opts.maxBatch ?? DEFAULT_MAX_BATCH;
      for (let i = 0; i < all.length; i += size) this.track(this.notifyBatch(all.slice(i, i + size)));
    });
  }

  private async notifyBatch(batch: readonly Burst[]): Promise<void> {
    const { presence, tokens, identity, log } = this.deps;
    const users = [...new Set(batch.map((b) => b.userId))];
    let online: Set<UserId>, tokensByUser: Map<UserId, PushRegistration[]>, names: Map<UserId, string>;
    try {
      // Tokens and senders alongside presence: one read each for the batch, whatever the verdicts.
      const [states, registrations, senders] = await Promise.all([
        presence.query(users, this.clock()),
        tokens.tokensOf(users),
        identity.getUsers([...new Set(batch.map((b) => b.last.senderId))]),
      ]);
      online = new Set(states.filter((s) => s.online).map((s) => s.userId));
      tokensByUser = groupBy(registrations, (r) => r.userId);
      names = new Map(senders.map((u) => [u.id, u.username]));
    } catch (e) {
      if (batch.length > 1) {
        await Promise.all(batch.map((b) => this.notifyBatch([b])));
        return;
      }
      this.counters.failed++;
      log.warn('push notification failed', e);
      return;
    }
    const settings = new Map<UserId, Promise<UserPushSettings | null>>();
    const settingsOf = (userId: UserId): Promise<UserPushSettings | null> => {
      let p = settings.get(userId);
      if (!p) settings.set(userId, (p = this.deps.settingsOf ? this.deps.settingsOf(userId) : Promise.resolve(null)));
      return p;
    };
    await Promise.all(batch.map((b) => {
      if (online.has(b.userId)) {
        this.counters.skippedOnline++;
        return undefined;
      }
      const registrations = tokensByUser.get(b.userId);
      if (!registrations) {
        this.counters.skippedNoToken++;
        return undefined;
      }
      return this.notify(b, registrations, names.get(b.last.senderId) ?? 'someone', settingsOf(b.userId));
    }));
  }

  /** One burst of an offline user with tokens: its own reads, so its failure is its own. */
  private async notify(b: Burst, registrations: readonly PushRegistration[], senderName: string, settingsP: Promise<UserPushSettings | null>): Promise<void> {
    const { conversations, log } = this.deps;
    try {
      const [member, settings] = await Promise.all([conversations.getMember(b.conversationId, b.userId), settingsP]);
      if (!member || member.doNotDisturb || (await settings?.muted(b.conversationId))) {
        this.counters.skippedMuted++;
        return;
      }
      const { total } = await conversations.unreadCounts(b.userId, b.conversationId);
      const badge = settings ? await settings.badge(total) : total;
      const notifiers = await this.deps.notifiersOf(b.userId);
      await Promise.all(registrations.map((r) => this.deliver(notifiers, r, this.render(b, r.preview, senderName, badge))));
    } catch (e) {
      this.counters.failed++;
      log.warn('push notification failed', e);
    }
  }

  /** Without preview (privacy), nothing about the sender or the text leaves the server. */
  private render(b: Burst, preview: boolean, senderName: string, badge: number): PushNotification {
    const base = { badge, conversationId: String(b.conversationId), collapseKey: `conversation-${b.conversationId}`, count: b.count };
    if (!preview) return { ...base, title: 'New message', body: b.count > 1 ? `${b.count} new messages` : 'You have a new message' };
    const text = summary(b.last.content);
    return { ...base, title: senderName, body: b.count > 1 ? `${b.count} new messages · ${text}` : text };
  }

  private async deliver(notifiers: ReadonlyMap<PushProvider, PushNotifier>, r: PushRegistration, n: PushNotification): Promise<void> {
    const notifier = notifiers.get(r.provider);
    if (!notifier) return;
    for (let attempt = 0; ; attempt++) {
      const result = await notifier.send(r, n);
      if (result.ok) {
        this.counters.notified++;
        return;
      }
      if (result.dead) {
        this.counters.deadTokensRemoved += await this.deps.tokens.removeToken(r.provider, r.token);
        return;
      }
      if (!result.retryable || attempt >= this.opts.retries || this.stopped) {
        this.counters.failed++;
        this.deps.log.warn(`push to ${r.provider} failed: ${result.error}`);
        return;
      }
      this.counters.retried++;
      await new Promise((res) => setTimeout(res, this.opts.retryBaseMs * 2 ** attempt));
    }
  }
}

function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}

function summary(content: Uint8Array): string {
  const c = contentJson(content) as Record<string, { text?: string; kind?: string } | undefined>;
  if (c.text?.text) return c.text.text.length > 120 ? `${c.text.text.slice(0, 117)}...` : c.text.text;
  for (const [kind, label] of [['image', '[image]'], ['video', '[video]'], ['audio', '[voice message]'], ['file', '[file]']] as const) if (c[kind]) return label;
  return '[message]';
}
