import type { AppStore } from './app-store.js';
import type { Bus } from './bus.js';
import type { ConversationStore } from './conversation-store.js';
import type { EventLogStore } from './event-log.js';
import type { IdentityStore } from './identity-store.js';
import type { ItemConversationStore } from './item-conversation-store.js';
import type { MediaCatalog } from './media-catalog.js';
import type { MessageStore } from './message-store.js';
import type { ModerationStore } from './moderation-store.js';
import type { NodeLeaseStore } from './node-lease-store.js';
import type { Presence } from './presence.js';
import type { PushTokenStore } from './push-tokens.js';
import type { RateLimiter } from './rate-limiter.js';
import type { RoomStore } from './room-store.js';
import type { RouteRegistry } from './route-registry.js';
import type { SearchIndex } from './search-index.js';
import type { ServiceStore } from './service-store.js';
import type { SocialStore } from './social-store.js';
import type { WebhookOutbox } from './webhook-outbox.js';

/**
 * The durable stores every storage backend provides under these names:
 * memory, SQLite (its storage thread), PostgreSQL, and a gateway process's
 * proxies to its primary. One list, so a new store is added once.
 */
export interface DurableStores {
  readonly identity: IdentityStore;
  readonly messages: MessageStore;
  readonly conversations: ConversationStore;
  readonly leases: NodeLeaseStore;
  /** Live rooms: reliable seqs allocated by the store, continuous across nodes. */
  readonly rooms: RoomStore;
  /**
   * Webhook events waiting for delivery. In the same database as `messages`
   * (on SQLite in xinbox.db): `messages.append` writes an item's
   * webhookEvents here in the message's own transaction.
   */
  readonly webhooks: WebhookOutbox;
  /** Profiles, privacy, relationships, per-user conversation settings and the user's change feed. */
  readonly social: SocialStore;
  /** Reports, restrictions, audit log. */
  readonly moderation: ModerationStore;
  /** Metadata of uploaded media (the bytes are in the MediaStore). */
  readonly media: MediaCatalog;
  /** Devices' push tokens (on SQLite its own file, push-tokens.db). */
  readonly pushTokens: PushTokenStore;
  /** Login/logout and connection events, with retention (on SQLite its own file, event-log.db). */
  readonly eventLog: EventLogStore;
  /** Shops, agents and service-conversation routing state. */
  readonly service: ServiceStore;
  /** Item conversations: (buyer, seller, item) -> conversation. */
  readonly items: ItemConversationStore;
  /** Full-text search over messages; written by messages.append. */
  readonly search: SearchIndex;
  /** Apps (tenants) other than the config's `default` (ADR 0013); read through core/apps/app-directory.ts. */
  readonly apps: AppStore;
}

/** What a node's process adds to the stores: in memory on one node, Redis (or the primary) in a cluster. */
export interface ProcessServices {
  readonly presence: Presence;
  readonly bus: Bus;
  readonly routes: RouteRegistry;
  /** Request budgets: in this process, or shared by the cluster through Redis. */
  readonly limiter: RateLimiter;
}
