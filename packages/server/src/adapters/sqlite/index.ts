import type Database from 'better-sqlite3';
import type { ConversationStore, IdentityStore, NodeLeaseStore } from '../../core/ports/index.js';
import { SqliteConversationStore } from './sqlite-conversation-store.js';
import { openSqliteDatabase, type SqliteOpenOptions } from './sqlite-database.js';
import { BackgroundCheckpointer } from './background-checkpointer.js';
import { SqliteIdentityStore } from './sqlite-identity-store.js';
import { SqliteMessageStore } from './sqlite-message-store.js';
import { SqliteNodeLeaseStore } from './sqlite-node-lease-store.js';
import { SqliteSocialStore } from './sqlite-social-store.js';
import { SqliteModerationStore } from './sqlite-moderation-store.js';
import type { ModerationStore } from '../../core/ports/moderation-store.js';
import type { SocialStore } from '../../core/ports/social-store.js';

export { SqliteConversationStore } from './sqlite-conversation-store.js';
export {
  openSqliteDatabase, SQLITE_CACHE_MIB, SQLITE_PAGE_SIZE, WAL_CHECKPOINT_BYTES, walCheckpointPages, type SqliteOpenOptions, type SqliteSynchronous,
} from './sqlite-database.js';
export { loadWalCoalescing, WAL_COALESCING_LIBRARY, walCoalescingStats } from './wal-coalescing.js';
export { SqliteIdentityStore } from './sqlite-identity-store.js';
export { SqliteMessageStore } from './sqlite-message-store.js';
export { SqliteRoomStore } from './sqlite-room-store.js';
export { SqliteWebhookOutbox } from './sqlite-webhook-outbox.js';
export { SqliteMediaCatalog } from './sqlite-media-catalog.js';
export { SqlitePushTokenStore } from './sqlite-push-token-store.js';
export { SqliteEventLog } from './sqlite-event-log.js';
export { SqliteSearchIndex } from './sqlite-search-index.js';
export { SqliteNodeLeaseStore } from './sqlite-node-lease-store.js';
export { SqliteSocialStore } from './sqlite-social-store.js';
export { SqliteModerationStore } from './sqlite-moderation-store.js';
export { SqliteServiceStore } from './sqlite-service-store.js';
export { SqliteItemConversationStore } from './sqlite-item-conversation-store.js';
export { SqliteAppStore } from './sqlite-app-store.js';
export { MIGRATIONS } from './migrations.js';

export interface SqliteAdapters {
  readonly identity: IdentityStore;
  /** The class, not just the port: the storage thread calls its synchronous append. */
  readonly messages: SqliteMessageStore;
  readonly conversations: ConversationStore;
  readonly leases: NodeLeaseStore;
  readonly social: SocialStore;
  readonly moderation: ModerationStore;
  /** The open connection, for backups and diagnostics. */
  readonly database: Database.Database;
  close(): Promise<void>;
}

/**
 * The durable ports on one SQLite file (single-node mode; presence, bus and
 * routes stay in memory). Opening migrates the schema.
 *
 * Durability: WAL mode. With synchronous 'normal' (default) every resolved
 * store call survives a crash or SIGKILL of the process, but the transactions
 * since the last checkpoint may be lost on power loss or an OS crash; with 'full' each
 * commit is fsynced before the call resolves and survives power loss too.
 * See openSqliteDatabase for the details.
 *
 * `writeBehind` (the storage thread only): conversation summaries are kept in
 * memory up to summaryFlushMs (ADR 0016); the caller must run
 * `messages.flushSummaries()` before any store call other than
 * `messages.append`, as the storage thread's dispatcher does. Without it
 * (in-thread adapters, tests) every append writes its summaries.
 */
export function openSqliteAdapters(options: SqliteOpenOptions, writeBehind?: { summaryFlushMs: number }): SqliteAdapters {
  const db = openSqliteDatabase(options);
  const messages = new SqliteMessageStore(db, writeBehind?.summaryFlushMs);
  const checkpointer = new BackgroundCheckpointer(db, options.path, undefined, options.threadNice ?? 0);
  checkpointer.start();
  return {
    identity: new SqliteIdentityStore(db),
    messages,
    conversations: new SqliteConversationStore(db),
    leases: new SqliteNodeLeaseStore(db),
    social: new SqliteSocialStore(db),
    moderation: new SqliteModerationStore(db),
    database: db,
    close: async () => {
      try {
        if (db.open) messages.closeSummaries();
      } catch {
        // Not written (e.g. another connection held the lock past busy_timeout): the next open redoes them from the watermark.
      }
      await checkpointer.stop();
      if (db.open) db.close();
    },
  };
}
export { openSqliteWorkerAdapters, type SqliteWorkerAdapters } from './worker/index.js';
