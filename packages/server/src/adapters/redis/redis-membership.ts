import type { Redis } from 'ioredis';
import { LUA_NOW_MS, LuaScript } from './lua-script.js';
import type { NodeMembership } from '../../core/ports/membership.js';
import { changeReporter } from '../membership-changes.js';
import type { RedisSubscriber } from './subscriber.js';

export interface RedisMembershipOptions {
  readonly keyPrefix: string;
  /** A node that has not heartbeated for this long is gone. */
  readonly ttlMs: number;
}

// Sorted set: member = node id, score = expiry on the Redis clock (one clock for all nodes).

// ARGV: nodeId, ttlMs. Returns 1 when the node was not live before (a join to announce).
const HEARTBEAT = new LuaScript(`${LUA_NOW_MS}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', nowMs)
local added = redis.call('ZADD', KEYS[1], nowMs + tonumber(ARGV[2]), ARGV[1])
return added`);

const MEMBERS = new LuaScript(`${LUA_NOW_MS}
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. nowMs, '+inf')`);

/**
 * Node membership in Redis: each node heartbeats its entry in one sorted
 * set; joins and leaves are announced on a channel so watchers re-read at
 * once, and watchers also poll to notice expiries. See NodeMembership.
 */
export class RedisMembership implements NodeMembership {
  private readonly key: string;
  private readonly channel: string;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private readonly watchers = new Set<() => void>();

  constructor(
    private readonly client: Redis,
    private readonly subscriber: RedisSubscriber,
    readonly nodeId: string,
    private readonly options: RedisMembershipOptions,
  ) {
    this.key = `${options.keyPrefix}members`;
    this.channel = `${options.keyPrefix}members-changed`;
  }

  private get intervalMs(): number {
    return Math.max(20, Math.floor(this.options.ttlMs / 3));
  }

  async join(): Promise<void> {
    if (!this.heartbeatTimer) {
      this.heartbeatTimer = setInterval(() => void this.heartbeat().catch(() => {}), this.intervalMs);
      this.heartbeatTimer.unref();
    }
    await this.heartbeat();
    await this.announce();
  }

  /** Write this node's entry now (also called after a reconnect, when Redis may have lost it). */
  async heartbeat(): Promise<void> {
    if (!this.heartbeatTimer) return;
    const added = Number(await HEARTBEAT.run(this.client, [this.key], [this.nodeId, this.options.ttlMs]));
    if (added === 1) await this.announce();
  }

  /** Stop heartbeating without leaving, as a crashed node would: the entry lapses after ttlMs. */
  stopHeartbeats(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  async leave(): Promise<void> {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    await this.client.zrem(this.key, this.nodeId);
    await this.announce();
  }

  async members(): Promise<string[]> {
    const ids = (await MEMBERS.run(this.client, [this.key], [])) as string[];
    return ids.map(String).sort();
  }

  watch(cb: (members: readonly string[]) => void): () => void {
    const report = changeReporter(cb);
    let stopped = false;
    let chain = Promise.resolve();
    const check = (): void => {
      chain = chain.then(async () => {
        if (stopped) return;
        const current = await this.members().catch(() => null); // Redis away: keep the last known set
        if (current && !stopped) report(current);
      });
    };
    const poll = setInterval(check, this.intervalMs);
    poll.unref();
    const subscribed = this.subscriber.subscribe(this.channel, check).catch(() => null);
    check();
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      clearInterval(poll);
      this.watchers.delete(stop);
      void subscribed.then((unsubscribe) => unsubscribe?.());
    };
    this.watchers.add(stop);
    return stop;
  }

  private async announce(): Promise<void> {
    await this.client.publish(this.channel, this.nodeId);
  }

  async close(): Promise<void> {
    for (const stop of [...this.watchers]) stop();
    if (this.heartbeatTimer) await this.leave().catch(() => {});
  }
}
