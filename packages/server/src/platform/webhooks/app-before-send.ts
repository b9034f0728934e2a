import type { Logger } from '../../logger.js';
import type { AppDirectory } from '../../core/apps/app-directory.js';
import { DEFAULT_APP_ID, type AppId, type AppOfUser, type AppRecord } from '../../core/ports/app-store.js';
import type { SendAdmission } from '../../core/ports/send-admission.js';
import type { Caller, SendRequest } from '../../core/messaging/send-types.js';
import { BeforeSendHook } from './before-send-hook.js';
import { AppSnapshotRefresh } from '../../core/apps/app-snapshot-refresh.js';

export interface AppBeforeSendOptions {
  /** The config's settings: `default`'s hook, and what an app's hook without its own timeout / failure mode uses. */
  readonly timeoutMs: number;
  readonly onFailure: 'allow' | 'reject';
  /** Kept-alive connections to each app's check server. */
  readonly maxSockets: number;
  /** How often the apps are read again (a hook added or removed takes effect within this). Default 2 s. */
  readonly refreshMs?: number;
  /** Most apps with a live hook client at once (least recently used closed first). Default 256. */
  readonly maxHooks?: number;
}

type HookStats = ReturnType<BeforeSendHook['stats']>;

/**
 * The before-send check per app (ADR 0013): a client message is checked by
 * the hook of its sender's app (`AppWebhook.beforeSend`, signed with that
 * app's webhook signing secrets); `default` keeps the config's hook
 * (beforeSendUrl, as before apps); an app without one admits everything.
 *
 * `enabled` is false while no app has a hook (from a snapshot refreshed
 * every `refreshMs`): the send pipeline then skips admission altogether, so
 * a deployment without hooks pays one property read per send, as before.
 */
export class AppBeforeSend implements SendAdmission {
  private readonly hooks = new Map<AppId, { version: number; hook: BeforeSendHook }>();
  /** Counters of hooks closed since (an app's hook replaced or removed), so `stats` never goes backwards. */
  private readonly retired: HookStats = { allowed: 0, rejected: 0, rewritten: 0, failures: 0, lastFailure: '' };
  private anyAppHook = false;
  private refresher: AppSnapshotRefresh | null = null;

  constructor(
    private readonly apps: AppDirectory,
    private readonly appOfUser: AppOfUser,
    /** The config's hook, for `default`'s users; undefined when beforeSendUrl is empty. */
    private readonly defaultHook: BeforeSendHook | undefined,
    private readonly log: Logger,
    private readonly opts: AppBeforeSendOptions,
  ) {}

  /** Reads the apps once (so `enabled` is right from the first send), then every refreshMs. */
  async start(): Promise<void> {
    this.refresher ??= new AppSnapshotRefresh(() => this.refresh(), this.opts.refreshMs ?? 2_000, this.log, "the apps' before-send hooks");
    await this.refresher.start();
  }

  async refresh(): Promise<void> {
    const list = await this.apps.listRecent();
    this.anyAppHook = list.some((a) => a.id !== DEFAULT_APP_ID && a.webhook?.beforeSend);
    const live = new Set(list.filter((a) => a.webhook?.beforeSend).map((a) => a.id));
    for (const id of [...this.hooks.keys()]) if (!live.has(id)) this.closeHook(id);
  }

  /** Some app (or the config, for `default`) has a before-send hook. */
  get enabled(): boolean {
    return this.defaultHook !== undefined || this.anyAppHook;
  }

  async admit(caller: Caller, req: SendRequest): Promise<SendRequest> {
    const appId = await this.appOfUser(caller.userId);
    const hook = appId === DEFAULT_APP_ID ? this.defaultHook : await this.hookOf(appId);
    return hook ? hook.admit(caller, req) : req;
  }

  /** Every hook's counters, summed (the config's included). */
  stats(): HookStats {
    const all = [...(this.defaultHook ? [this.defaultHook.stats()] : []), ...[...this.hooks.values()].map((h) => h.hook.stats()), this.retired];
    const sum = { allowed: 0, rejected: 0, rewritten: 0, failures: 0, lastFailure: '' };
    for (const s of all) {
      sum.allowed += s.allowed;
      sum.rejected += s.rejected;
      sum.rewritten += s.rewritten;
      sum.failures += s.failures;
      sum.lastFailure ||= s.lastFailure;
    }
    return sum;
  }

  close(): void {
    this.refresher?.stop();
    for (const id of [...this.hooks.keys()]) this.closeHook(id);
    this.defaultHook?.close();
  }

  /** The app's hook client, built again when the app changed (version), or undefined when it has none. */
  private async hookOf(appId: AppId): Promise<BeforeSendHook | undefined> {
    const app = await this.apps.get(appId);
    const hit = this.hooks.get(appId);
    if (!app?.webhook?.beforeSend) {
      if (hit) this.closeHook(appId);
      return undefined;
    }
    if (hit && hit.version === app.version) return hit.hook;
    if (hit) this.closeHook(appId);
    if (this.hooks.size >= (this.opts.maxHooks ?? 256)) this.closeHook(this.hooks.keys().next().value!);
    const hook = this.build(app);
    this.hooks.set(appId, { version: app.version, hook });
    return hook;
  }

  private build(app: AppRecord): BeforeSendHook {
    const { url, timeoutMs, onFailure } = app.webhook!.beforeSend!;
    return new BeforeSendHook({
      url, secrets: app.webhook!.signingSecrets, timeoutMs: timeoutMs ?? this.opts.timeoutMs, onFailure: onFailure ?? this.opts.onFailure,
      maxSockets: this.opts.maxSockets,
    }, this.log.child({ app: app.id }));
  }

  private closeHook(appId: AppId): void {
    const hit = this.hooks.get(appId);
    if (!hit) return;
    const s = hit.hook.stats();
    this.retired.allowed += s.allowed;
    this.retired.rejected += s.rejected;
    this.retired.rewritten += s.rewritten;
    this.retired.failures += s.failures;
    this.retired.lastFailure = s.lastFailure || this.retired.lastFailure;
    // Its sockets close: a check in flight on it (the app changed that very moment) counts as a failed check (onFailure).
    hit.hook.close();
    this.hooks.delete(appId);
  }
}
