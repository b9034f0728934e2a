import { Errors, XinboxError } from '@xinbox/protocol';
import type { UserId } from '../model.js';
import { DEFAULT_APP_ID, type AppId, type AppOfUser } from '../ports/app-store.js';

/** The app checks a service makes where it links two principals (UserApps implements it). */
export interface AppLinks {
  appOf(userId: UserId): Promise<AppId | null>;
  /** NOT_FOUND unless every one of `others` exists and is in `userId`'s app. */
  requireSameApp(userId: UserId, ...others: readonly UserId[]): Promise<void>;
}

/** The caller's app for a lookup scoped to it (`default` without app checks, or for an unknown caller). */
export async function appOfCaller(apps: AppLinks | null | undefined, userId: UserId): Promise<AppId> {
  return (apps ? await apps.appOf(userId) : null) ?? DEFAULT_APP_ID;
}

/** What the cache asks on a miss (IdentityStore.appOf). */
export interface AppOfUserSource {
  appOf(userId: UserId): Promise<AppId | null>;
}

/**
 * Which app each user belongs to (ADR 0013 §5), cached: a user's app never
 * changes, so an answer is good forever and the cache only needs a bound
 * (oldest entry out first). Unknown users are not cached (they may be
 * created a moment later): `appOf` of one is null and `sameApp` with one is
 * false, so a link to a user that does not exist is refused exactly like a
 * link to another app's user (NOT_FOUND: existence never leaks).
 *
 * Used only where two principals are linked (direct chat, friends, groups,
 * rooms, shops, item conversations, the server API): sends to an existing
 * conversation never ask, membership already implies the app.
 */
export class UserApps implements AppLinks {
  private readonly cache = new Map<UserId, AppId>();

  constructor(private readonly source: AppOfUserSource, private readonly maxEntries = 100_000) {}

  /** The user's app, or null when there is no such user. */
  async appOf(userId: UserId): Promise<AppId | null> {
    const hit = this.cache.get(userId);
    if (hit !== undefined) return hit;
    const app = await this.source.appOf(userId);
    if (app === null) return null;
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(userId, app);
    return app;
  }

  /** AppOfUser for platform code (webhooks, push, limits): an unknown user counts as `default`. */
  readonly appOfUser: AppOfUser = async (userId) => (await this.appOf(userId)) ?? DEFAULT_APP_ID;

  /** Whether every one of `others` exists and is in `userId`'s app. */
  async sameApp(userId: UserId, ...others: readonly UserId[]): Promise<boolean> {
    const app = await this.appOf(userId);
    if (app === null) return false;
    for (const other of others) if ((await this.appOf(other)) !== app) return false;
    return true;
  }

  /** Whether `userId` exists and belongs to `appId`. */
  async isIn(userId: UserId, appId: AppId): Promise<boolean> {
    return (await this.appOf(userId)) === appId;
  }

  /** NOT_FOUND unless every one of `others` is in `userId`'s app: a user of another app does not exist for this one. */
  async requireSameApp(userId: UserId, ...others: readonly UserId[]): Promise<void> {
    if (!(await this.sameApp(userId, ...others))) throw new XinboxError(Errors.NOT_FOUND, 'no such user');
  }

  /** NOT_FOUND unless `userId` exists and belongs to `appId`. */
  async requireIn(userId: UserId, appId: AppId): Promise<void> {
    if (!(await this.isIn(userId, appId))) throw new XinboxError(Errors.NOT_FOUND, 'no such user');
  }

  get size(): number {
    return this.cache.size;
  }
}
