export * from './identity-store.js';
export * from './message-store.js';
export * from './conversation-store.js';
export * from './id-allocator.js';
export * from './presence.js';
export * from './bus.js';
export * from './route-registry.js';
export * from './outbox.js';
