import type { DurableStores } from '../../core/ports/index.js';
import { PostgresMediaCatalog } from './media-catalog.js';
import { checkSchemaName, createClient, type Sql } from './client.js';
import { PostgresConversationStore } from './conversation-store.js';
import { PostgresIdentityStore } from './identity-store.js';
import { PostgresMessageStore } from './message-store.js';
import { migrate } from './migrations.js';
import { PostgresNodeLeaseStore } from './node-lease-store.js';
import { PostgresRoomStore } from './room-store.js';
import { PostgresWebhookOutbox } from './webhook-outbox.js';
import { PostgresPushTokenStore } from './push-token-store.js';
import { PostgresEventLog } from './event-log.js';
import { PostgresSearchIndex } from './search-index.js';
import { PostgresSocialStore } from './social-store.js';
import { PostgresServiceStore } from './service-store.js';
import { PostgresItemConversationStore } from './item-conversation-store.js';
import { PostgresModerationStore } from './moderation-store.js';
import { PostgresAppStore } from './app-store.js';

export { PostgresConversationStore } from './conversation-store.js';
export { PostgresIdentityStore } from './identity-store.js';
export { PostgresMessageStore } from './message-store.js';
export { MIGRATIONS, migrate, type Migration } from './migrations.js';
export { PostgresNodeLeaseStore } from './node-lease-store.js';
export { PostgresRoomStore } from './room-store.js';
export { PostgresWebhookOutbox } from './webhook-outbox.js';
export { PostgresSocialStore } from './social-store.js';
export { PostgresServiceStore } from './service-store.js';
export { PostgresItemConversationStore } from './item-conversation-store.js';
export { PostgresModerationStore } from './moderation-store.js';
export { PostgresMediaCatalog } from './media-catalog.js';
export { PostgresSearchIndex } from './search-index.js';
export { PostgresAppStore } from './app-store.js';

export interface PostgresAdapterOptions {
  /** postgres://user:password@host:port/database */
  readonly url: string;
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
  /** Schema to use instead of `public`; created if missing (tests, or several deployments in one database). */
  readonly schema?: string;
}

export interface PostgresAdapters extends DurableStores {
  /** Waits for running queries, then closes every connection. */
  close(): Promise<void>;
}

/**
 * Connects, migrates the schema to the latest version (safe when several
 * nodes start at once) and builds the PostgreSQL stores over one pool.
 *
 * Durability: a resolved write is committed with the server's
 * synchronous_commit setting (on by default: flushed to WAL).
 */
export async function openPostgresAdapters(options: PostgresAdapterOptions): Promise<PostgresAdapters> {
  const schema = options.schema === undefined ? undefined : checkSchemaName(options.schema);
  if (schema) {
    const admin = createClient({ url: options.url, poolSize: 1 });
    try {
      // IF NOT EXISTS still races on the catalog when two nodes create it at once.
      await admin.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(hashtext(${`xinbox.schema:${schema}`}))`;
        await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      });
    } finally {
      await admin.end();
    }
  }
  const sql: Sql = createClient({ url: options.url, poolSize: options.poolSize, schema });
  try {
    await migrate(sql);
  } catch (error) {
    await sql.end();
    throw error;
  }
  return {
    identity: new PostgresIdentityStore(sql),
    messages: new PostgresMessageStore(sql),
    conversations: new PostgresConversationStore(sql),
    leases: new PostgresNodeLeaseStore(sql),
    rooms: new PostgresRoomStore(sql),
    webhooks: new PostgresWebhookOutbox(sql),
    social: new PostgresSocialStore(sql),
    moderation: new PostgresModerationStore(sql),
    media: new PostgresMediaCatalog(sql),
    pushTokens: new PostgresPushTokenStore(sql),
    eventLog: new PostgresEventLog(sql),
    service: new PostgresServiceStore(sql),
    items: new PostgresItemConversationStore(sql),
    search: new PostgresSearchIndex(sql),
    apps: new PostgresAppStore(sql),
    close: () => sql.end({ timeout: 5 }),
  };
}
