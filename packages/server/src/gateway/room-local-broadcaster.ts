import type { RoomId } from '../core/ports/room-store.js';
import type { AudienceShare, OutboundRoomMessage, RoomBroadcaster, RoomNotice } from '../core/rooms/room-broadcaster.js';
import type { RoomFanout } from './room-fanout.js';

/**
 * Single-node RoomBroadcaster: the service and the only gateway share a
 * process, so a batch goes straight to the local fan-out. The cluster
 * version publishes the same calls on the Bus broadcast topic instead, and
 * each gateway's subscriber feeds them to its own RoomFanout.
 */
export class LocalRoomBroadcaster implements RoomBroadcaster {
  constructor(private readonly fanout: RoomFanout) {}

  messages(roomId: RoomId, messages: readonly OutboundRoomMessage[]): void {
    this.fanout.messages(roomId, messages);
  }

  notice(roomId: RoomId, notice: RoomNotice): void {
    this.fanout.notice(roomId, notice);
  }

  /** No other gateway to tell: the local count is the whole room. */
  shareAudience(_share: AudienceShare): void {}
}
