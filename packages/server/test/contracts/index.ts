/**
 * Port contract suites. An adapter's test file calls each describe...Contract
 * with a factory that opens fresh adapters (optionally with openPeer, a second
 * handle on the same storage). See contract-support.ts for the rules.
 */
export * from './contract-support.js';
export { describeIdentityStoreContract, type IdentityPorts } from './identity-store.contract.js';
export { describeMessageStoreContract, type MessageStorePorts } from './message-store.contract.js';
export { describeConversationStoreContract, type ConversationStorePorts } from './conversation-store.contract.js';
export { describeNodeLeaseStoreContract, type NodeLeaseStorePorts } from './node-lease-store.contract.js';
export { describePresenceContract, type PresencePorts, type PresenceSettings } from './presence.contract.js';
export { describeBusContract, type BusPorts } from './bus.contract.js';
export { describeModerationStoreContract, type ModerationStorePorts } from './moderation-store.contract.js';
export { describeSocialStoreContract, type SocialStorePorts } from './social-store.contract.js';
export { describeRouteRegistryContract, type RouteRegistryPorts, type RouteRegistrySettings } from './route-registry.contract.js';
export { describeWebhookOutboxContract, type WebhookOutboxPorts } from './webhook-outbox.contract.js';
export { describeMessageWebhookEventsContract, type MessageWebhookEventPorts } from './message-webhook-events.contract.js';
export { describeMediaStoreContract, type MediaStorePorts } from './media-store.contract.js';
export { describeMediaCatalogContract, type MediaCatalogPorts } from './media-catalog.contract.js';
export { describeRateLimiterContract, type RateLimiterPorts } from './rate-limiter.contract.js';
export { describePushTokenStoreContract, type PushTokenPorts } from './push-token-store.contract.js';
export { describeEventLogContract, type EventLogPorts } from './event-log.contract.js';
export { describeCommerceContract, type CommercePorts } from './service-store.contract.js';
export { describeSearchIndexContract, type SearchIndexPorts } from './search-index.contract.js';
export { describeAppStoreContract, type AppStorePorts } from './app-store.contract.js';
