import type { Logger } from '../../logger.js';
import type { UserId } from '../../core/model.js';
import type { AppDirectory } from '../../core/apps/app-directory.js';
import { DEFAULT_APP_ID, type AppId, type AppOfUser, type AppRecord } from '../../core/ports/app-store.js';
import { EventFilter } from './event-filter.js';
import { WebhookPoster } from './webhook-poster.js';
import { AppSnapshotRefresh } from '../../core/apps/app-snapshot-refresh.js';

export interface AppWebhooksOptions {
  readonly timeoutMs: number;
  /** Kept-alive connections per receiver. */
  readonly maxSockets: number;
  /** How often the list of apps with a webhook is read again (a new webhook starts getting events within this). Default 2 s. */
  readonly refreshMs?: number;
  /** Most receivers with an open poster at once (least recently used closed first). Default 256. */
  readonly maxPosters?: number;
}

/**
 * The webhooks of every app (ADR 0013): which app an event belongs to, whether
 * that app subscribes to it, and the poster (URL, signing secrets) of its
 * receiver. `default` is the config's webhook, as before apps.
 *
 * An event's app is the app of its acting user (`actor`): the sender of a
 * message, the actor of a group notice or room event, the user coming online.
 * Every member of a conversation or room is in one app (linking checks,
 * ADR 0013 (5)), so any of them names the same app. An event with no user
 * (none today) belongs to `default`.
 *
 * Emitting must not wait, so `wants` answers from a snapshot of the
 * subscribed apps refreshed every `refreshMs`; the exact per-app decision
 * (`appFor`) is made off the emit path, when the emitter appends.
 */
export class AppWebhooks {
  private readonly filters = new Map<AppId, { version: number; events: string; filter: EventFilter }>();
  private readonly posters = new Map<AppId, { version: number; poster: WebhookPoster }>();
  private subscribed: EventFilter[] = [];
  private messages = false;
  private refresher: AppSnapshotRefresh | null = null;

  constructor(
    private readonly apps: AppDirectory,
    private readonly appOfUser: AppOfUser,
    private readonly log: Logger,
    private readonly opts: AppWebhooksOptions,
  ) {}

  /** Reads the apps once (so `wants` is right from the first event), then every refreshMs. */
  async start(): Promise<void> {
    this.refresher ??= new AppSnapshotRefresh(() => this.refresh(), this.opts.refreshMs ?? 2_000, this.log, "the apps' webhooks");
    await this.refresher.start();
  }

  async refresh(): Promise<void> {
    const list = await this.apps.listRecent();
    this.subscribed = list.filter((a) => a.webhook).map((a) => this.filterOf(a)).filter((f) => !f.none);
    this.messages = this.subscribed.some((f) => f.matches('message.sent') || f.mayMatchPrefix('group.'));
    // Forget filters of apps that lost their webhook or were deleted (the map stays as large as the apps).
    const live = new Set(list.filter((a) => a.webhook).map((a) => a.id));
    for (const id of this.filters.keys()) if (!live.has(id)) this.filters.delete(id);
  }

  /** Some app has a webhook. */
  get any(): boolean {
    return this.subscribed.length > 0;
  }

  /** Could some app want events of this type? (Sync; from the snapshot.) */
  wants(type: string): boolean {
    for (const f of this.subscribed) if (f.matches(type)) return true;
    return false;
  }

  /** Could some app want `message.sent` or `group.*` (from the snapshot; read per committed message)? */
  get wantsMessages(): boolean {
    return this.messages;
  }

  /** The app whose receiver gets this event, or null: that app has no webhook or does not subscribe to the type. */
  async appFor(type: string, actor: string | null): Promise<AppId | null> {
    const appId = actor && actor !== '0' ? await this.appOfUser(Number(actor)) : DEFAULT_APP_ID;
    const app = await this.apps.get(appId);
    if (!app?.webhook) return null;
    return this.filterOf(app).matches(type) ? app.id : null;
  }

  /**
   * The app of a message's sender and that app's event filter, or null when
   * the app has no webhook: after-send events are built for it alone.
   */
  async messageFilterFor(senderId: UserId): Promise<{ appId: AppId; filter: EventFilter } | null> {
    const app = await this.apps.get(await this.appOfUser(senderId));
    if (!app?.webhook) return null;
    const filter = this.filterOf(app);
    return filter.none ? null : { appId: app.id, filter };
  }

  /** The poster of the app's receiver, or null when the app has no webhook (any more). */
  async posterFor(appId: AppId): Promise<WebhookPoster | null> {
    const app = await this.apps.get(appId);
    const hit = this.posters.get(appId);
    if (!app?.webhook) {
      if (hit) this.closePoster(appId);
      return null;
    }
    if (hit && hit.version === app.version) {
      // Most recently used last.
      this.posters.delete(appId);
      this.posters.set(appId, hit);
      return hit.poster;
    }
    if (hit) this.closePoster(appId);
    if (this.posters.size >= (this.opts.maxPosters ?? 256)) this.closePoster(this.posters.keys().next().value!);
    const poster = new WebhookPoster(app.webhook.url, app.webhook.signingSecrets, this.opts.timeoutMs, this.opts.maxSockets);
    this.posters.set(appId, { version: app.version, poster });
    return poster;
  }

  stop(): void {
    this.refresher?.stop();
    for (const id of [...this.posters.keys()]) this.closePoster(id);
  }

  private closePoster(appId: AppId): void {
    // A request in flight on it finishes; the agent's idle sockets close.
    this.posters.get(appId)?.poster.close();
    this.posters.delete(appId);
  }

  private filterOf(app: AppRecord): EventFilter {
    const events = app.webhook?.events ?? '';
    const hit = this.filters.get(app.id);
    if (hit && hit.version === app.version && hit.events === events) return hit.filter;
    const filter = new EventFilter(events);
    this.filters.set(app.id, { version: app.version, events, filter });
    return filter;
  }
}

/**
 * The acting user of an event, from its data (all ids are strings in event
 * JSON): the sender of a message, the actor of a group notice or room event,
 * a room's host, the user of a presence event; else the `user:<id>` order key.
 */
export function actorOf(orderKey: string, data: Record<string, unknown>): string | null {
  for (const field of ['senderId', 'actorId', 'hostId', 'userId'] as const) {
    const v = data[field];
    if (typeof v === 'string' && v !== '' && v !== '0') return v;
  }
  return orderKey.startsWith('user:') ? orderKey.slice(5) : null;
}
