import { join } from 'node:path';
import type { XinboxConfig } from './config.js';
import type { Bus, ConversationStore, IdentityStore, MessageStore, NodeLeaseStore, Presence, RouteRegistry } from './core/ports/index.js';
import { createMemoryAdapters } from './adapters/memory/index.js';

/** Every port the node needs, wired to adapters chosen by config. */
export interface Storage {
  readonly identity: IdentityStore;
  readonly messages: MessageStore;
  readonly conversations: ConversationStore;
  readonly leases: NodeLeaseStore;
  readonly presence: Presence;
  readonly bus: Bus;
  readonly routes: RouteRegistry;
  close(): Promise<void>;
}

export async function openStorage(config: XinboxConfig, dataDir: string): Promise<Storage> {
  const memory = createMemoryAdapters();
  if (config.storage === 'memory') return memory;
  if (config.storage === 'sqlite') {
    // Loaded on demand so memory-only and cluster nodes never load the native driver.
    const { openSqliteAdapters } = await import('./adapters/sqlite/index.js');
    const sqlite = openSqliteAdapters({ path: join(dataDir, 'xinbox.db'), synchronous: config.sqliteSync });
    return {
      identity: sqlite.identity,
      messages: sqlite.messages,
      conversations: sqlite.conversations,
      leases: sqlite.leases,
      presence: memory.presence,
      bus: memory.bus,
      routes: memory.routes,
      close: async () => {
        await sqlite.close();
        await memory.close();
      },
    };
  }
  throw new Error(`storage ${config.storage} is wired by the cluster composition`);
}
