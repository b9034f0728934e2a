import { Errors, XinboxError } from '@xinbox/protocol';
import { BoundedLru } from '../bounded-lru.js';
import type { UserId } from '../model.js';
import type { Audience, PrivacyRecord, SocialStore } from '../ports/social-store.js';
import type { PermissionChecks } from './permission-checks.js';
import { DEFAULT_PRIVACY } from './profile-rules.js';

/** What one user's checks against another need: both relation rows and the target's privacy. */
interface PairFacts {
  /** a blocked b, or b blocked a. */
  readonly blocked: boolean;
  readonly friends: boolean;
  /** b's privacy settings. */
  readonly privacy: PrivacyRecord;
  readonly loadedEpoch: number;
  readonly loadedAt: number;
}

export interface RelationGuardOptions {
  /** How long a pair's facts are trusted when no invalidation arrives (covers a lost cluster event). */
  readonly ttlMs: number;
  readonly capacity?: number;
  readonly clock?: () => number;
}

/**
 * The permission checks other features ask of the relationship chain
 * (messages, group invites, presence), answered from a bounded cache so the
 * send path pays a store read only on a miss. A relationship write
 * invalidates both users at once on this node (and, in a cluster, on every
 * node through the `relations` event); the TTL bounds staleness if such an
 * event is lost.
 */
export class RelationGuard implements PermissionChecks {
  private readonly pairs: BoundedLru<PairKey, PairFacts>;
  private readonly invalidated = new Map<UserId, { epoch: number; at: number }>();
  private readonly loading = new Map<PairKey, Promise<PairFacts>>();
  private epoch = 0;
  private readonly clock: () => number;

  constructor(private readonly store: SocialStore, private readonly opts: RelationGuardOptions) {
    this.clock = opts.clock ?? Date.now;
    this.pairs = new BoundedLru(opts.capacity ?? 100_000);
  }

  /** Forget what is cached about these users (their relations or privacy changed). */
  invalidate(userIds: readonly UserId[]): void {
    const now = this.clock();
    this.epoch++;
    for (const u of userIds) this.invalidated.set(u, { epoch: this.epoch, at: now });
    if (this.invalidated.size > 100_000) {
      // Entries older than the TTL invalidate nothing that is still trusted.
      for (const [u, v] of this.invalidated) if (now - v.at > this.opts.ttlMs) this.invalidated.delete(u);
    }
  }

  /** `sender` may send to `recipient` in a direct chat. */
  async checkMessage(sender: UserId, recipient: UserId): Promise<void> {
    await this.checkMessageNow(sender, recipient);
  }

  /**
   * The same check, synchronous when the pair's facts are cached and fresh
   * (throws the refusal at once, no promise); otherwise a promise that loads
   * them and then applies the same verdict.
   */
  checkMessageNow(sender: UserId, recipient: UserId): void | Promise<void> {
    const cached = this.cachedFacts(sender, recipient);
    if (cached !== undefined) return this.messageVerdict(cached);
    return this.facts(sender, recipient).then((f) => this.messageVerdict(f));
  }

  private messageVerdict(f: PairFacts): void {
    if (f.blocked) throw new XinboxError(Errors.BLOCKED);
    this.checkAudience(f, f.privacy.messageFrom, 'accepts messages');
  }

  /** `inviter` may add `invitee` to a group. */
  async checkGroupAdd(inviter: UserId, invitee: UserId): Promise<void> {
    const f = await this.facts(inviter, invitee);
    if (f.blocked) throw new XinboxError(Errors.BLOCKED, `user ${invitee} cannot be added by you`);
    this.checkAudience(f, f.privacy.groupInviteFrom, 'accepts group invitations');
  }

  /** `viewer` may see `user`'s presence (the contact rule is checked by the presence service). */
  async checkPresence(viewer: UserId, user: UserId): Promise<void> {
    if (viewer === user) return;
    const f = await this.facts(viewer, user);
    if (f.blocked) throw new XinboxError(Errors.BLOCKED, `the presence of user ${user} is not visible to you`);
    this.checkAudience(f, f.privacy.presenceTo, 'shares presence');
  }

  /** `a` and `b` are friends (two-way). */
  async areFriends(a: UserId, b: UserId): Promise<boolean> {
    return (await this.facts(a, b)).friends;
  }

  private checkAudience(f: PairFacts, audience: Audience, what: string): void {
    if (audience === 'nobody') throw new XinboxError(Errors.PRIVACY_RESTRICTED, `the user ${what} from nobody`);
    if (audience === 'friends' && !f.friends) throw new XinboxError(Errors.PRIVACY_RESTRICTED, `the user ${what} from friends only`);
  }

  /** The pair's facts when cached and still trusted (counts as a use), else undefined. */
  private cachedFacts(a: UserId, b: UserId): PairFacts | undefined {
    const hit = this.pairs.get(pairKey(a, b));
    return hit && this.fresh(hit, a, b) ? hit : undefined;
  }

  private async facts(a: UserId, b: UserId): Promise<PairFacts> {
    const key = pairKey(a, b);
    const hit = this.pairs.get(key);
    if (hit && this.fresh(hit, a, b)) return hit;
    let p = this.loading.get(key);
    if (!p) {
      p = this.load(a, b, key).finally(() => this.loading.delete(key));
      this.loading.set(key, p);
    }
    return p;
  }

  private fresh(f: PairFacts, a: UserId, b: UserId): boolean {
    if (this.clock() - f.loadedAt > this.opts.ttlMs) return false;
    const ia = this.invalidated.get(a);
    const ib = this.invalidated.get(b);
    return (!ia || ia.epoch <= f.loadedEpoch) && (!ib || ib.epoch <= f.loadedEpoch);
  }

  private async load(a: UserId, b: UserId, key: PairKey): Promise<PairFacts> {
    // The epoch is taken before reading: an invalidation during the read makes this entry stale at once.
    const loadedEpoch = this.epoch;
    const loadedAt = this.clock();
    const [ab, ba, profiles] = await Promise.all([
      this.store.getRelations(a, [b]), this.store.getRelations(b, [a]), this.store.getProfiles([b]),
    ]);
    const facts: PairFacts = {
      blocked: !!(ab[0]?.blocked || ba[0]?.blocked),
      friends: !!(ab[0]?.friend && ba[0]?.friend),
      privacy: profiles[0]?.privacy ?? DEFAULT_PRIVACY,
      loadedEpoch,
      loadedAt,
    };
    this.pairs.set(key, facts);
    return facts;
  }
}

/** One number for the ordered pair while both ids are below 2^21 (every real deployment), else a string. */
type PairKey = number | string;
const PAIR_SHIFT = 2 ** 21;

/**
 * The cache key of (a, b). A number needs no string built per send (two
 * number-to-string conversions and a concatenation, then hashing the string,
 * on the send path's relation check); ids at or beyond 2^21 fall back to
 * `${a}:${b}`, which can never equal a number key.
 */
export function pairKey(a: UserId, b: UserId): PairKey {
  return a >= 0 && b >= 0 && a < PAIR_SHIFT && b < PAIR_SHIFT && Number.isInteger(a) && Number.isInteger(b) ? a * PAIR_SHIFT + b : `${a}:${b}`;
}
