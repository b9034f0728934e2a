import type { Logger } from '../../logger.js';
import type { ConversationId, StoredMessage, UserId } from '../../core/model.js';
import type { ConversationStore } from '../../core/ports/conversation-store.js';
import type { IdentityStore } from '../../core/ports/identity-store.js';
import type { Presence } from '../../core/ports/presence.js';
import type { PushNotification, PushNotifier } from '../../core/ports/push-notifier.js';
import type { PushProvider, PushRegistration, PushTokenStore } from '../../core/ports/push-tokens.js';
import { contentJson } from '../webhooks/message-events.js';

export interface PushServiceOptions {
  /** Messages to one user in one conversation within this window become one notification. */
  readonly coalesceMs: number;
  readonly retries: number;
  readonly retryBaseMs: number;
  /** Users with a burst being collected; beyond it new bursts are dropped (counted). */
  readonly maxPending: number;
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
   * Per-user conversation mute beyond the group member's do-not-disturb
   * flag: the user's conversation settings (ConversationSettingsService,
   * direct chats included), wired in node.ts; absent = only do-not-disturb.
   */
  readonly mutedFor?: (userId: UserId, conversationId: ConversationId) => Promise<boolean>;
  /** The badge from the store's total unread (per-user settings: muted conversations may not count); absent = the total. */
  readonly badgeFor?: (userId: UserId, total: number) => Promise<number>;
}

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
 * conversations the user chose not to count (badgeFor). Each token's
 * provider is tried with retries; a token the provider calls dead is
 * removed.
 */
export class PushService {
  private readonly pending = new Map<string, Burst>();
  private readonly clock: () => number;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  readonly counters = { notified: 0, skippedOnline: 0, skippedMuted: 0, skippedNoToken: 0, failed: 0, retried: 0, deadTokensRemoved: 0, droppedBursts: 0 };

  constructor(private readonly deps: PushServiceDeps, private readonly opts: PushServiceOptions) {
    this.clock = opts.clock ?? Date.now;
  }

  /** The send pipeline's committed listener: `recipients` are the users the message was written to. */
  committed(m: StoredMessage, recipients: readonly UserId[], system: boolean): void {
    if (this.stopped || system) return;
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
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        const b = this.pending.get(key);
        this.pending.delete(key);
        if (b) this.track(this.notify(b));
      }, this.opts.coalesceMs);
      this.timers.add(timer);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.pending.clear();
    await Promise.all([...this.inFlight]);
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async notify(b: Burst): Promise<void> {
    const { presence, conversations, tokens, identity, log } = this.deps;
    try {
      const [state] = await presence.query([b.userId], this.clock());
      if (state?.online) {
        this.counters.skippedOnline++;
        return;
      }
      // Tokens before membership and mute: most offline users have none, and each check is a storage call.
      const registrations = await tokens.tokensOf([b.userId]);
      if (registrations.length === 0) {
        this.counters.skippedNoToken++;
        return;
      }
      const member = await conversations.getMember(b.conversationId, b.userId);
      if (!member || member.doNotDisturb || (await this.deps.mutedFor?.(b.userId, b.conversationId))) {
        this.counters.skippedMuted++;
        return;
      }
      const [{ total }, [sender]] = await Promise.all([
        conversations.unreadCounts(b.userId, b.conversationId),
        identity.getUsers([b.last.senderId]),
      ]);
      const senderName = sender?.username ?? 'someone';
      const badge = this.deps.badgeFor ? await this.deps.badgeFor(b.userId, total) : total;
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

function summary(content: Uint8Array): string {
  const c = contentJson(content) as Record<string, { text?: string; kind?: string } | undefined>;
  if (c.text?.text) return c.text.text.length > 120 ? `${c.text.text.slice(0, 117)}...` : c.text.text;
  for (const [kind, label] of [['image', '[image]'], ['video', '[video]'], ['audio', '[voice message]'], ['file', '[file]']] as const) if (c[kind]) return label;
  return '[message]';
}
