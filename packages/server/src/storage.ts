import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { XinboxConfig } from './config.js';
import type { DurableStores, NodeMembership, ProcessServices } from './core/ports/index.js';
import { createMemoryAdapters } from './adapters/memory/index.js';
import { redactUrl, StartupError } from './startup-error.js';

/**
 * The storage thread's `walCoalescingLibrary` option (ADR 0015): the library when the setting is on; a
 * StartupError naming both ways out when it is on and the library was never built.
 */
export function walCoalescingOption(enabled: boolean, library: string): { walCoalescingLibrary?: string } {
  if (!enabled) return {};
  if (!existsSync(library)) {
    throw new StartupError(
      `sqliteWalCoalescing is on but ${library} is missing: build it with \`npm run build\` (needs a C compiler) ` +
      'or set XINBOX_SQLITE_WAL_COALESCING=false',
    );
  }
  return { walCoalescingLibrary: library };
}

/** Every port the node needs, wired to adapters chosen by config. */
export interface Storage extends DurableStores, ProcessServices {
  /** Present in cluster mode: who else is alive. */
  readonly membership: NodeMembership | null;
  close(): Promise<void>;
}

/**
 * sqlite / memory: one process, presence/bus/routes in memory.
 * postgres: durable data in PostgreSQL; presence, routes, bus, membership and
 * leases in Redis (cluster mode).
 */
export async function openStorage(config: XinboxConfig, dataDir: string, nodeId: string): Promise<Storage> {
  if (config.storage === 'postgres') {
    // Drivers load on demand so an embedded node never needs them.
    const [{ openPostgresAdapters }, { openRedisAdapters }] = await Promise.all([
      import('./adapters/postgres/index.js'),
      import('./adapters/redis/index.js'),
    ]);
    const pg = await openPostgresAdapters({ url: config.postgresUrl }).catch((e: Error) => {
      throw new StartupError(`cannot use PostgreSQL at ${redactUrl(config.postgresUrl)} (XINBOX_POSTGRES_URL): ${e.message}`, { cause: e });
    });
    const redis = await openRedisAdapters({
      url: config.redisUrl,
      nodeId,
      membershipTtlMs: config.membershipTtlMs,
      presenceTtlMs: config.presenceTtlMs,
      presenceRetentionMs: config.presenceRetentionMs,
      routeTtlMs: config.routeTtlMs,
    }).catch(async (e: Error) => {
      await pg.close().catch(() => undefined);
      throw new StartupError(`cannot use Redis at ${redactUrl(config.redisUrl)} (XINBOX_REDIS_URL): ${e.message.replace(/^cannot connect to Redis at \S+: /, '')}`, { cause: e });
    });
    return {
      identity: pg.identity,
      messages: pg.messages,
      conversations: pg.conversations,
      // Snowflake node leases in PostgreSQL: they must survive a Redis restart.
      leases: pg.leases,
      presence: redis.presence,
      bus: redis.bus,
      routes: redis.routes,
      // Rooms in PostgreSQL: one seq per room across every gateway.
      rooms: pg.rooms,
      webhooks: pg.webhooks,
      social: pg.social,
      moderation: pg.moderation,
      media: pg.media,
      limiter: redis.limiter,
      pushTokens: pg.pushTokens,
      eventLog: pg.eventLog,
      service: pg.service,
      items: pg.items,
      search: pg.search,
      apps: pg.apps,
      membership: redis.membership,
      close: async () => {
        await redis.close();
        await pg.close();
      },
    };
  }
  const memory = createMemoryAdapters();
  if (config.storage === 'memory') return { ...memory, membership: null };
  // The database lives on a storage worker thread (ADR 0007): commits, reads,
  // checkpoints and WAL truncation never run on the event loop serving sockets.
  const { openSqliteWorkerAdapters, WAL_COALESCING_LIBRARY } = await import('./adapters/sqlite/index.js');
  const sqlite = await openSqliteWorkerAdapters({
    path: join(dataDir, 'xinbox.db'),
    synchronous: config.sqliteSync,
    threadNice: config.storageThreadNice,
    pageSize: config.sqlitePageSize,
    cacheMiB: config.sqliteCacheMb,
    ...walCoalescingOption(config.sqliteWalCoalescing, WAL_COALESCING_LIBRARY),
  });
  return {
    identity: sqlite.identity,
    messages: sqlite.messages,
    conversations: sqlite.conversations,
    leases: sqlite.leases,
    presence: memory.presence,
    bus: memory.bus,
    routes: memory.routes,
    rooms: sqlite.rooms,
    webhooks: sqlite.webhooks,
    social: sqlite.social,
    moderation: sqlite.moderation,
    media: sqlite.media,
    limiter: memory.limiter,
    pushTokens: sqlite.pushTokens,
    eventLog: sqlite.eventLog,
    service: sqlite.service,
    items: sqlite.items,
    search: sqlite.search,
    apps: sqlite.apps,
    membership: null,
    close: async () => {
      await sqlite.close();
      await memory.close();
    },
  };
}
