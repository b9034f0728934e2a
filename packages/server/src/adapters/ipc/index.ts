import type {
  Bus, ConversationStore, IdentityStore, MessageStore, NodeLeaseStore, NodeMembership, Presence, RouteRegistry,
} from '../../core/ports/index.js';
import type { RoomStore } from '../../core/ports/room-store.js';
import type { WebhookOutbox } from '../../core/ports/webhook-outbox.js';
import type { SocialStore } from '../../core/ports/social-store.js';
import type { ModerationStore } from '../../core/ports/moderation-store.js';
import type { MediaCatalog } from '../../core/ports/media-catalog.js';
import type { RateLimiter } from '../../core/ports/rate-limiter.js';
import type { PushTokenStore } from '../../core/ports/push-tokens.js';
import type { EventLogStore } from '../../core/ports/event-log.js';
import { IpcClient, type IpcMembership } from './ipc-client.js';
import type { IpcServices } from './ipc-peer.js';

export { IpcHub, MEMBERS_TOPIC, type IpcHubOptions } from './ipc-hub.js';
export { IpcClient, IpcMembership } from './ipc-client.js';
export { IpcPeer, IpcKind, type IpcServices } from './ipc-peer.js';
export { FrameSocket } from './frame-socket.js';

/** The ports a gateway process reaches through the primary, by the service name the hub serves them under. */
export const IPC_PORT_NAMES = [
  'identity', 'messages', 'conversations', 'leases', 'rooms', 'webhooks', 'social', 'moderation', 'media', 'pushTokens', 'eventLog',
  'presence', 'routes', 'limiter',
] as const;
export type IpcPortName = (typeof IPC_PORT_NAMES)[number];

export interface IpcAdapters {
  readonly identity: IdentityStore;
  readonly messages: MessageStore;
  readonly conversations: ConversationStore;
  readonly leases: NodeLeaseStore;
  readonly rooms: RoomStore;
  readonly webhooks: WebhookOutbox;
  readonly social: SocialStore;
  readonly moderation: ModerationStore;
  readonly media: MediaCatalog;
  readonly pushTokens: PushTokenStore;
  readonly eventLog: EventLogStore;
  readonly presence: Presence;
  readonly routes: RouteRegistry;
  readonly limiter: RateLimiter;
  readonly bus: Bus;
  readonly membership: NodeMembership & Pick<IpcMembership, 'stopHeartbeats'>;
  readonly client: IpcClient;
  close(): Promise<void>;
}

/** The primary's ports as the hub serves them (every name of IPC_PORT_NAMES). */
export type IpcServedPorts = Record<IpcPortName, object>;

/**
 * Connects to the primary's hub at `path`: every port is a proxy whose calls
 * run on the primary's adapter of that name (the SQLite storage thread, the
 * in-memory presence, routes and rate limiter), bus and membership are the
 * hub's. `services` are what the primary may call in this process.
 */
export async function openIpcAdapters(path: string, nodeId: string, services: IpcServices = {}): Promise<IpcAdapters> {
  const client = await IpcClient.connect(path, services);
  const membership = client.membership(nodeId);
  return {
    identity: client.port('identity'),
    messages: client.port('messages'),
    conversations: client.port('conversations'),
    leases: client.port('leases'),
    rooms: client.port('rooms'),
    webhooks: client.port('webhooks'),
    social: client.port('social'),
    moderation: client.port('moderation'),
    media: client.port('media'),
    pushTokens: client.port('pushTokens'),
    eventLog: client.port('eventLog'),
    presence: client.port('presence'),
    routes: client.port('routes'),
    limiter: client.port('limiter'),
    bus: client.bus,
    membership,
    client,
    close: async () => {
      await membership.close();
      client.close();
    },
  };
}
