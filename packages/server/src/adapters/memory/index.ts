import type { DurableStores, ProcessServices } from '../../core/ports/index.js';
import { MemoryRateLimiter } from './memory-rate-limiter.js';
import { MemoryRoomStore } from './memory-room-store.js';
import { MemoryWebhookOutbox } from './memory-webhook-outbox.js';
import { MemoryPushTokenStore } from './memory-push-token-store.js';
import { MemoryEventLog } from './memory-event-log.js';
import { MemorySocialStore } from './memory-social-store.js';
import { MemoryModerationStore } from './memory-moderation-store.js';
import { MemoryMediaCatalog } from './memory-media-catalog.js';
import { MemoryBus } from './memory-bus.js';
import { MemoryConversationStore } from './memory-conversation-store.js';
import { MemoryIdentityStore } from './memory-identity-store.js';
import { MemoryMessageStore } from './memory-message-store.js';
import { MemoryNodeLeaseStore } from './memory-node-lease-store.js';
import { MemoryPresence } from './memory-presence.js';
import { MemoryRouteRegistry } from './memory-route-registry.js';
import { MemoryTables } from './memory-tables.js';
import { MemoryServiceStore } from './memory-service-store.js';
import { MemoryItemConversationStore } from './memory-item-conversation-store.js';
import { MemorySearchIndex } from './memory-search-index.js';
import { MemoryAppStore } from './memory-app-store.js';

export { MemoryBus, type MemoryBusOptions } from './memory-bus.js';
export { MemoryConversationStore } from './memory-conversation-store.js';
export { MemoryIdentityStore } from './memory-identity-store.js';
export { MemoryMessageStore } from './memory-message-store.js';
export { MemoryNodeLeaseStore } from './memory-node-lease-store.js';
export { MemoryPresence, type MemoryPresenceOptions } from './memory-presence.js';
export { MemoryRouteRegistry, type MemoryRouteRegistryOptions } from './memory-route-registry.js';
export { MemoryTables } from './memory-tables.js';
export { MemoryRoomStore } from './memory-room-store.js';
export { MemoryWebhookOutbox } from './memory-webhook-outbox.js';
export { MemorySocialStore } from './memory-social-store.js';
export { MemoryModerationStore } from './memory-moderation-store.js';
export { MemoryMediaCatalog } from './memory-media-catalog.js';
export { MemoryRateLimiter } from './memory-rate-limiter.js';
export { MemoryPushTokenStore } from './memory-push-token-store.js';
export { MemoryEventLog } from './memory-event-log.js';
export { MemoryServiceStore } from './memory-service-store.js';
export { MemoryItemConversationStore } from './memory-item-conversation-store.js';
export { MemorySearchIndex } from './memory-search-index.js';
export { MemoryAppStore } from './memory-app-store.js';
export { ALL_MEMBERS, mentionTargets } from './mention-targets.js';

export interface MemoryAdapters extends DurableStores, ProcessServices {
  close(): Promise<void>;
}

export interface MemoryAdapterOptions {
  /** Presence TTL (default 90 s). */
  readonly presenceTtlMs?: number;
  /** Route TTL (default: routes never expire). */
  readonly routeTtlMs?: number;
  /** Clock for route expiry (default Date.now). */
  readonly clock?: () => number;
}

/**
 * Every port in memory, sharing one set of tables: the reference
 * implementation for tests, and the presence/bus/routes of single-node mode.
 * Nothing survives close().
 */
export function createMemoryAdapters(options: MemoryAdapterOptions = {}): MemoryAdapters {
  const tables = new MemoryTables();
  const bus = new MemoryBus();
  const webhooks = new MemoryWebhookOutbox();
  return {
    identity: new MemoryIdentityStore(tables),
    messages: new MemoryMessageStore(tables, webhooks),
    conversations: new MemoryConversationStore(tables),
    leases: new MemoryNodeLeaseStore(),
    presence: new MemoryPresence({ ttlMs: options.presenceTtlMs }),
    bus,
    routes: new MemoryRouteRegistry({ ttlMs: options.routeTtlMs, clock: options.clock }),
    rooms: new MemoryRoomStore(),
    webhooks,
    social: new MemorySocialStore(),
    moderation: new MemoryModerationStore(),
    media: new MemoryMediaCatalog(),
    limiter: new MemoryRateLimiter(),
    pushTokens: new MemoryPushTokenStore(),
    eventLog: new MemoryEventLog(),
    service: new MemoryServiceStore(tables),
    items: new MemoryItemConversationStore(tables),
    search: new MemorySearchIndex(tables),
    apps: new MemoryAppStore(),
    close: () => bus.close(),
  };
}
