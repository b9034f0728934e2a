import type { ConversationId, UserId } from '../core/model.js';
import type { Connection } from './connection.js';

/**
 * This gateway's authenticated connections, indexed for delivery: by user,
 * by session (revocation), by read-fan-out conversation (audience) and by
 * watched user (presence). Pure in-memory bookkeeping, no I/O.
 */
export class LocalSessions {
  private readonly byUser = new Map<UserId, Connection[]>();
  private readonly bySession = new Map<string, Connection>();
  private readonly audience = new Map<ConversationId, Set<UserId>>();
  private readonly audienceOf = new Map<UserId, Set<ConversationId>>();
  private readonly watchers = new Map<UserId, Set<Connection>>();
  private readonly watching = new Map<Connection, UserId[]>();

  /** Register an authenticated connection; returns the connection of the same device it replaces. */
  add(c: Connection): Connection | undefined {
    const list = this.byUser.get(c.userId) ?? [];
    const old = list.find((x) => x.deviceId === c.deviceId);
    const next = list.filter((x) => x !== old);
    next.push(c);
    this.byUser.set(c.userId, next);
    this.bySession.set(c.sessionId, c);
    if (old) this.dropIndexes(old);
    return old;
  }

  /** Unregister; returns true when this was the user's last local connection. */
  remove(c: Connection): boolean {
    const list = this.byUser.get(c.userId);
    if (!list || !list.includes(c)) return false;
    const next = list.filter((x) => x !== c);
    this.dropIndexes(c);
    if (next.length === 0) {
      this.byUser.delete(c.userId);
      for (const conv of this.audienceOf.get(c.userId) ?? []) this.audience.get(conv)?.delete(c.userId);
      this.audienceOf.delete(c.userId);
      return true;
    }
    this.byUser.set(c.userId, next);
    return false;
  }

  connectionsOf(userId: UserId): readonly Connection[] {
    return this.byUser.get(userId) ?? EMPTY;
  }

  bySessionId(sessionId: string): Connection | undefined {
    return this.bySession.get(sessionId);
  }

  get userCount(): number {
    return this.byUser.size;
  }

  /** Add users (who have local connections) to read-fan-out conversations' audience. */
  joinAudience(conversationId: ConversationId, userIds: readonly UserId[]): void {
    for (const u of userIds) {
      if (!this.byUser.has(u)) continue;
      let set = this.audience.get(conversationId);
      if (!set) this.audience.set(conversationId, (set = new Set()));
      set.add(u);
      let convs = this.audienceOf.get(u);
      if (!convs) this.audienceOf.set(u, (convs = new Set()));
      convs.add(conversationId);
    }
  }

  leaveAudience(conversationId: ConversationId, userIds: readonly UserId[]): void {
    const set = this.audience.get(conversationId);
    for (const u of userIds) {
      set?.delete(u);
      this.audienceOf.get(u)?.delete(conversationId);
    }
    if (set && set.size === 0) this.audience.delete(conversationId);
  }

  audienceUsers(conversationId: ConversationId): ReadonlySet<UserId> | undefined {
    return this.audience.get(conversationId);
  }

  /** Replace what a connection watches for presence. */
  watch(c: Connection, userIds: readonly UserId[]): void {
    for (const u of this.watching.get(c) ?? []) this.watchers.get(u)?.delete(c);
    this.watching.set(c, [...userIds]);
    for (const u of userIds) {
      let set = this.watchers.get(u);
      if (!set) this.watchers.set(u, (set = new Set()));
      set.add(c);
    }
  }

  watchersOf(userId: UserId): ReadonlySet<Connection> | undefined {
    return this.watchers.get(userId);
  }

  all(): Connection[] {
    return [...this.byUser.values()].flat();
  }

  private dropIndexes(c: Connection): void {
    if (this.bySession.get(c.sessionId) === c) this.bySession.delete(c.sessionId);
    for (const u of this.watching.get(c) ?? []) {
      const set = this.watchers.get(u);
      set?.delete(c);
      if (set && set.size === 0) this.watchers.delete(u);
    }
    this.watching.delete(c);
  }
}

const EMPTY: readonly Connection[] = Object.freeze([]);
