import type { NodeMembership } from '../../core/ports/membership.js';
import { changeReporter } from '../membership-changes.js';

/**
 * The shared state of in-process memberships: node id -> expiry (ms on
 * `clock`). One hub stands for one membership store; tests and single-process
 * clusters create one and hand it to every node.
 */
export class MemoryMembershipHub {
  readonly expiries = new Map<string, number>();
  readonly listeners = new Set<() => void>();

  constructor(readonly clock: () => number = Date.now) {}

  live(): string[] {
    const now = this.clock();
    for (const [id, expiry] of this.expiries) if (expiry <= now) this.expiries.delete(id);
    return [...this.expiries.keys()].sort();
  }

  changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** The in-memory twin of RedisMembership (same contract: see NodeMembership). */
export class MemoryMembership implements NodeMembership {
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private readonly watchers = new Set<() => void>();

  constructor(private readonly hub: MemoryMembershipHub, readonly nodeId: string, private readonly options: { readonly ttlMs: number }) {}

  private get intervalMs(): number {
    return Math.max(20, Math.floor(this.options.ttlMs / 3));
  }

  async join(): Promise<void> {
    if (!this.heartbeatTimer) {
      this.heartbeatTimer = setInterval(() => this.heartbeat(), this.intervalMs);
      this.heartbeatTimer.unref();
    }
    this.heartbeat();
  }

  private heartbeat(): void {
    const wasLive = this.hub.live().includes(this.nodeId);
    this.hub.expiries.set(this.nodeId, this.hub.clock() + this.options.ttlMs);
    if (!wasLive) this.hub.changed();
  }

  /** Stop heartbeating without leaving, as a crashed node would: the entry lapses after ttlMs. */
  stopHeartbeats(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  async leave(): Promise<void> {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    this.hub.expiries.delete(this.nodeId);
    this.hub.changed();
  }

  async members(): Promise<string[]> {
    return this.hub.live();
  }

  watch(cb: (members: readonly string[]) => void): () => void {
    const report = changeReporter(cb);
    let stopped = false;
    // Deliver asynchronously, like the Redis twin: never inside the caller's join/leave.
    const check = (): void => {
      queueMicrotask(() => {
        if (!stopped) report(this.hub.live());
      });
    };
    const poll = setInterval(check, this.intervalMs);
    poll.unref();
    this.hub.listeners.add(check);
    check();
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      clearInterval(poll);
      this.hub.listeners.delete(check);
      this.watchers.delete(stop);
    };
    this.watchers.add(stop);
    return stop;
  }

  async close(): Promise<void> {
    for (const stop of [...this.watchers]) stop();
    if (this.heartbeatTimer) await this.leave();
  }
}
