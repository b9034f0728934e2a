import type {
  ConversationStore, DurableStores, IdentityStore, MessageStore, NodeLeaseStore,
} from '../../../core/ports/index.js';
import type { RoomStore } from '../../../core/ports/room-store.js';
import type { WebhookOutbox } from '../../../core/ports/webhook-outbox.js';
import type { SocialStore } from '../../../core/ports/social-store.js';
import type { ModerationStore } from '../../../core/ports/moderation-store.js';
import type { MediaCatalog } from '../../../core/ports/media-catalog.js';
import type { PushTokenStore } from '../../../core/ports/push-tokens.js';
import type { EventLogStore } from '../../../core/ports/event-log.js';
import type { ServiceStore } from '../../../core/ports/service-store.js';
import type { ItemConversationStore } from '../../../core/ports/item-conversation-store.js';
import type { SearchIndex } from '../../../core/ports/search-index.js';
import type { AppStore } from '../../../core/ports/app-store.js';
import type { SqliteOpenOptions } from '../sqlite-database.js';
import { StorageWorkerClient } from './storage-worker-client.js';

/** The SQLite ports served by the storage thread; same contracts as the in-thread adapters. */
export interface SqliteWorkerAdapters extends DurableStores {
  /** Store calls sent to the thread and not yet answered. */
  outstanding(): number;
  close(): Promise<void>;
}

/**
 * Opens the database on a storage worker thread (see ADR 0007): every
 * commit, timeline insert, read, checkpoint and WAL truncation runs there, so
 * the event loop that serves sockets never waits on disk. A store call
 * resolves when the worker's transaction has committed, so durability is the
 * same as openSqliteAdapters' (per `synchronous`).
 */
export async function openSqliteWorkerAdapters(
  options: SqliteOpenOptions,
  onFailure?: (error: Error) => void,
): Promise<SqliteWorkerAdapters> {
  const client = await StorageWorkerClient.start(options, onFailure);
  return {
    identity: client.port<IdentityStore>('identity'),
    messages: client.port<MessageStore>('messages', { append: (batch) => client.append(batch) }),
    conversations: client.port<ConversationStore>('conversations'),
    leases: client.port<NodeLeaseStore>('leases'),
    rooms: client.port<RoomStore>('rooms'),
    webhooks: client.port<WebhookOutbox>('webhooks'),
    social: client.port<SocialStore>('social'),
    moderation: client.port<ModerationStore>('moderation'),
    media: client.port<MediaCatalog>('media'),
    pushTokens: client.port<PushTokenStore>('pushTokens'),
    eventLog: client.port<EventLogStore>('eventLog'),
    service: client.port<ServiceStore>('service'),
    items: client.port<ItemConversationStore>('items'),
    search: client.port<SearchIndex>('search'),
    apps: client.port<AppStore>('apps'),
    outstanding: () => client.outstanding,
    close: () => client.close(),
  };
}
