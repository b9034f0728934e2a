import { Errors, XinboxError, type Frame } from '@xinbox/protocol';
import type { RateBucket, RateLimiter, RateRule } from '../core/ports/rate-limiter.js';
import type { ResolvedLimits } from '../core/apps/app-limits.js';
import { DEFAULT_APP_ID } from '../core/ports/app-store.js';

/** What a request costs against: sends, reads (history, sync, lists, pulls), creations (conversations, groups). */
export type LimitClass = 'send' | 'read' | 'create';

type BodyCase = NonNullable<Frame['body']['case']>;

/** Which requests are limited, and under which class. Anything else is bounded by flow control alone. */
export const LIMIT_CLASS: Partial<Record<BodyCase, LimitClass>> = {
  send: 'send',
  sync: 'read',
  history: 'read',
  pullRange: 'read',
  listConversations: 'read',
  groupMembers: 'read',
  groupGet: 'read',
  readReceipts: 'read',
  presenceQuery: 'read',
  roomPull: 'read',
  search: 'read',
  pinList: 'read',
  // Clients debounce drafts; each change is a feed entry.
  conversationSettingsSet: 'read',
  openDirect: 'create',
  groupCreate: 'create',
};

/** A rule per class for the user and for the client's IP address; null = unlimited. */
export type RequestLimitRules = Record<LimitClass, { readonly user: RateRule | null; readonly ip: RateRule | null }>;

/** Per-app limits (ADR 0013): the user rules of the user's app. */
export interface PerAppLimits {
  forUser(userId: number): ResolvedLimits | Promise<ResolvedLimits>;
  /** Burst of a per-second rule, in seconds of its rate (config limitBurstSeconds). */
  readonly burstSeconds: number;
}

/** Counted refusals per class (metrics). */
export type LimitCounters = Record<LimitClass, number>;

/**
 * Token-bucket limits per user and per IP on a connection's requests, checked
 * before the request runs. Buckets live behind the RateLimiter port: in this
 * process on one node, in Redis in a cluster (one atomic script per check),
 * so a user's budget is the same whichever gateway they are on.
 */
export class RequestLimits {
  readonly refused: LimitCounters = { send: 0, read: 0, create: 0 };

  /** User rules of each app, by app id (at most 10,000 apps' kept). */
  private readonly appRules = new Map<string, { version: number; rules: Record<LimitClass, RateRule | null> }>();

  constructor(
    private readonly limiter: RateLimiter,
    private readonly rules: RequestLimitRules,
    private readonly clock: () => number = Date.now,
    private readonly perApp: PerAppLimits | null = null,
  ) {}

  /** Resolves when the request may run; rejects with RATE_LIMITED (retryAfterMs set) when over a limit. */
  async check(cls: LimitClass, userId: number, ip: string): Promise<void> {
    const rule = this.rules[cls];
    const buckets: RateBucket[] = [];
    // The user's app decides the user rule; its buckets carry the app id (the default app's keep the keys they had before apps).
    const resolved = this.perApp?.forUser(userId);
    const app = resolved === undefined ? null : resolved instanceof Promise ? await resolved : resolved;
    if (app && app.appId !== DEFAULT_APP_ID) {
      const userRule = this.rulesOf(app)[cls];
      if (userRule) buckets.push({ key: `${cls}:u:${app.appId}:${userId}`, rule: userRule });
    } else if (rule.user) buckets.push({ key: `${cls}:u:${userId}`, rule: rule.user });
    if (rule.ip && ip) buckets.push({ key: `${cls}:ip:${ip}`, rule: rule.ip });
    if (buckets.length === 0) return;
    const d = await this.limiter.take(buckets, this.clock());
    if (d.allowed) return;
    this.refused[cls]++;
    throw new XinboxError(Errors.RATE_LIMITED, `too many ${cls} requests; retry in ${d.retryAfterMs} ms`, d.retryAfterMs);
  }

  private rulesOf(app: ResolvedLimits): Record<LimitClass, RateRule | null> {
    const hit = this.appRules.get(app.appId);
    if (hit && hit.version === app.version) return hit.rules;
    const burst = this.perApp!.burstSeconds;
    const rule = (perSec: number): RateRule | null => (perSec > 0 ? { perSec, burst: perSec * burst } : null);
    const rules = { send: rule(app.values.limitSendPerUser), read: rule(app.values.limitReadPerUser), create: rule(app.values.limitCreatePerUser) };
    if (this.appRules.size >= 10_000) this.appRules.delete(this.appRules.keys().next().value!);
    this.appRules.set(app.appId, { version: app.version, rules });
    return rules;
  }
}
