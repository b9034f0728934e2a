/**
 * Live rooms (issue #7), assembled: the composition point of the feature, so
 * the node wires it with a handful of lines (see createRooms). It joins core
 * pieces (RoomService, AudienceReporter) with their gateway counterparts
 * (RoomFanout, handlers). It lives in the gateway because the gateway may
import the core, never the other way round (see docs/architecture.md).
 */
import type { Logger } from '../logger.js';
import type { AppLinks } from '../core/identity/user-apps.js';
import type { Connection } from './connection.js';
import { roomHandlers } from './handlers/room-handlers.js';
import type { HandlerTable } from './handlers/types.js';
import { RoomFanout, type RoomFanoutStats } from './room-fanout.js';
import { LocalRoomBroadcaster } from './room-local-broadcaster.js';
import type { RoomStore } from '../core/ports/room-store.js';
import { AudienceReporter } from '../core/rooms/audience-reporter.js';
import type { RoomBroadcaster } from '../core/rooms/room-broadcaster.js';
import { roomOptions, type RoomOptions } from '../core/rooms/room-options.js';
import { RoomService, type RoomStats } from '../core/rooms/room-service.js';
import type { PlatformEvents } from '../core/ports/platform-events.js';

export type { RoomBroadcaster, AudienceCounter, AudienceShare, OutboundRoomMessage, RoomNotice } from '../core/rooms/room-broadcaster.js';
export { defaultRoomOptions, roomOptions, type RoomOptions } from '../core/rooms/room-options.js';
export { RoomService, type RoomStats } from '../core/rooms/room-service.js';

export interface RoomsDeps {
  readonly store: RoomStore;
  /** Message ids: the node's snowflake generator (share the instance; never a second one with the same node number). */
  readonly ids: { next(): string };
  readonly options?: Partial<RoomOptions>;
  /**
   * How the service reaches the audience. Default: straight to this node's
   * fan-out (single node). A cluster passes a Bus-backed broadcaster and
   * feeds what the bus brings to `fanout` on every gateway.
   */
  readonly broadcaster?: (fanout: RoomFanout) => RoomBroadcaster;
  readonly clock?: () => number;
  readonly log?: Logger;
  /** room.created, room.closed, room.muted ... (webhooks). */
  readonly events?: PlatformEvents;
  /** A moderator's account-wide mute or ban refuses room sends too. */
  readonly senderCheck?: (userId: number) => Promise<void>;
  /** Users' apps (ADR 0013): joins stay within the room's app. */
  readonly apps?: AppLinks | null;
}

export interface Rooms {
  /** roomJoin, roomLeave, roomSend, roomPushAck, roomPull, roomAdmin: spread into the gateway's table. */
  readonly handlers: HandlerTable;
  /** Call from the gateway's closed hook: drops the connection from every room. */
  onConnectionClosed(conn: Connection): void;
  /** Counters for /v1/metrics. */
  stats(): RoomStats & RoomFanoutStats & { roomConnections: number };
  readonly service: RoomService;
  readonly fanout: RoomFanout;
  stop(): void;
}

export function createRooms(deps: RoomsDeps): Rooms {
  const options = roomOptions(deps.options);
  const clock = deps.clock ?? Date.now;
  const fanout = new RoomFanout({
    retryMs: options.reliableRetryMs, retries: options.reliableRetries, window: options.reliableWindow, pushBudgetPerSec: options.pushBudgetPerSec,
  }, clock);
  const broadcaster = deps.broadcaster ? deps.broadcaster(fanout) : new LocalRoomBroadcaster(fanout);
  const service = new RoomService({ store: deps.store, broadcaster, ids: deps.ids, options, clock, log: deps.log, events: deps.events, senderCheck: deps.senderCheck, apps: deps.apps });
  // Cluster: other gateways' gifts and admin notices update this service's cached rooms before local members hear of them.
  fanout.onPeer({ reliable: (roomId, seq) => service.peerReliable(roomId, seq), notice: (roomId, notice) => service.peerNotice(roomId, notice) });
  const reporter = new AudienceReporter(fanout, broadcaster, options.audienceEventMs);
  return {
    handlers: roomHandlers(service, fanout),
    onConnectionClosed: (conn) => fanout.removeConnection(conn),
    stats: () => ({ ...service.stats(), ...fanout.stats(), roomConnections: fanout.connectionCount }),
    service,
    fanout,
    stop: () => {
      reporter.stop();
      service.stop();
      fanout.stop();
    },
  };
}
