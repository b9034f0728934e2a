import type { Logger } from '../../logger.js';
import type { UserId } from '../model.js';
import { DEFAULT_APP_ID, type AppId, type AppLimits, type AppOfUser } from '../ports/app-store.js';
import type { AppDirectory } from './app-directory.js';
import { AppSnapshotRefresh } from './app-snapshot-refresh.js';

/** The limits an app may override (AppLimits), by their config names. */
export const APP_LIMIT_KEYS = ['limitSendPerUser', 'limitReadPerUser', 'limitCreatePerUser', 'limitRegisterPerIpPerMin', 'limitLoginPerIpPerMin'] as const satisfies ReadonlyArray<keyof AppLimits>;

/** Every per-app limit with its value: the app's override, else the config's. */
export type LimitValues = { readonly [K in keyof AppLimits]-?: number };

/** A user's (or an app's) limits, and the app they belong to. `version` changes when the values may have. */
export interface ResolvedLimits {
  readonly appId: AppId;
  readonly version: number;
  readonly values: LimitValues;
}

/**
 * Per-app request limits (ADR 0013 (8)): `app.limits.x ?? config.x`. Asked
 * before every limited request, so the common case costs nothing: while no
 * stored app overrides any limit (a snapshot of the apps read every
 * `refreshMs`), every user gets the config's values synchronously, with no
 * app lookup. Otherwise the user's app is looked up (AppOfUser, cached by
 * its provider; the app, cached by the AppDirectory).
 */
export class AppLimitResolver {
  private readonly base: ResolvedLimits;
  private readonly resolved = new Map<AppId, ResolvedLimits & { appVersion: number }>();
  private overridden = false;
  private refresher: AppSnapshotRefresh | null = null;

  constructor(
    private readonly apps: AppDirectory,
    private readonly appOfUser: AppOfUser,
    config: LimitValues,
    private readonly log: Pick<Logger, 'warn'>,
    private readonly refreshMs = 2_000,
  ) {
    const values = Object.fromEntries(APP_LIMIT_KEYS.map((k) => [k, config[k]])) as LimitValues;
    this.base = Object.freeze({ appId: DEFAULT_APP_ID, version: 0, values: Object.freeze(values) });
  }

  async start(): Promise<void> {
    this.refresher ??= new AppSnapshotRefresh(() => this.refresh(), this.refreshMs, this.log, "the apps' limits");
    await this.refresher.start();
  }

  stop(): void {
    this.refresher?.stop();
  }

  async refresh(): Promise<void> {
    const list = await this.apps.listRecent();
    this.overridden = list.some((a) => Object.values(a.limits).some((v) => v !== undefined));
  }

  /** The limits of a user's app; synchronous while no app overrides a limit. */
  forUser(userId: UserId): ResolvedLimits | Promise<ResolvedLimits> {
    if (!this.overridden) return this.base;
    return this.appOfUser(userId).then((appId) => this.forApp(appId));
  }

  /** Whether the app exists (the directory's cached answer), so a request naming an unknown app is counted as `default`'s. */
  async knows(appId: AppId): Promise<boolean> {
    return appId === DEFAULT_APP_ID || (await this.apps.get(appId)) !== null;
  }

  /** The limits of an app (an unknown app: the config's). */
  async forApp(appId: AppId): Promise<ResolvedLimits> {
    if (appId === DEFAULT_APP_ID || !this.overridden) return this.base;
    const app = await this.apps.get(appId);
    if (!app) return this.base;
    const hit = this.resolved.get(appId);
    if (hit && hit.appVersion === app.version) return hit;
    const values = { ...this.base.values };
    for (const k of APP_LIMIT_KEYS) if (app.limits[k] !== undefined) values[k] = app.limits[k];
    // Versions of the default (0) and of apps differ, so a rule cache keyed by app + version never mixes them.
    const r = Object.freeze({ appId, version: app.version, appVersion: app.version, values: Object.freeze(values) });
    if (this.resolved.size >= 10_000) this.resolved.delete(this.resolved.keys().next().value!);
    this.resolved.set(appId, r);
    return r;
  }
}
