import { joinChunks } from '@xinbox/protocol';
import type { Bus } from '../core/ports/bus.js';
import type { RoomId } from '../core/ports/room-store.js';
import type { AudienceShare, OutboundRoomMessage, RoomBroadcaster, RoomNotice } from '../core/rooms/room-broadcaster.js';
import type { RoomLocalSink } from '../gateway/ports.js';
import type { Logger } from '../logger.js';
import { EnvelopeType, Topics, encodeEnvelope } from './envelope.js';

/** Header of a RoomBatch envelope: the room, and per message its reliable seq and byte length. */
export interface RoomBatchHeader {
  readonly from: string;
  readonly room: RoomId;
  readonly m: Array<{ s: number; n: number }>;
}

/** A gateway's room audience counts (AudienceShare) on the broadcast topic: an Event header. */
export interface RoomAudienceEvent {
  readonly t: 'room-audience';
  readonly from: string;
  readonly full: boolean;
  readonly ttl: number;
  readonly c: ReadonlyArray<readonly [RoomId, number]>;
}

/**
 * Cluster RoomBroadcaster: one bus message per room per tick on the broadcast
 * topic; every gateway (ClusterLink) feeds it to its own RoomFanout, which
 * pushes to its local audience. This node's own audience is served directly.
 * Notices go the same way; ClusterLink hands other nodes' ones to
 * RoomFanout.peerNotice. Audience counts are shared, not announced: every
 * gateway adds up the shares and tells its own members the room's total.
 */
export class BusRoomBroadcaster implements RoomBroadcaster {
  constructor(private readonly nodeId: string, private readonly bus: Bus, private readonly fanout: RoomLocalSink, private readonly log: Logger) {}

  messages(roomId: RoomId, messages: readonly OutboundRoomMessage[]): void {
    this.fanout.messages(roomId, messages);
    const header: RoomBatchHeader = { from: this.nodeId, room: roomId, m: messages.map((m) => ({ s: m.seq, n: m.bytes.length })) };
    this.publish(encodeEnvelope(EnvelopeType.RoomBatch, header, joinChunks(messages.map((m) => m.bytes))));
  }

  notice(roomId: RoomId, notice: RoomNotice): void {
    this.fanout.notice(roomId, notice);
    this.publish(encodeEnvelope(EnvelopeType.Event, { t: 'room', from: this.nodeId, room: roomId, notice }));
  }

  shareAudience(share: AudienceShare): void {
    const event: RoomAudienceEvent = { t: 'room-audience', from: this.nodeId, full: share.full, ttl: share.ttlMs, c: share.counts };
    this.publish(encodeEnvelope(EnvelopeType.Event, event));
  }

  private publish(bytes: Uint8Array): void {
    this.bus.publish(Topics.broadcast, bytes).catch((e) => this.log.warn('room broadcast failed (reliable messages are retransmitted)', e));
  }
}

/** Split a RoomBatch back into messages for the local fan-out. */
export function unpackRoomBatch(header: RoomBatchHeader, payload: Uint8Array): OutboundRoomMessage[] {
  const out: OutboundRoomMessage[] = [];
  let at = 0;
  for (const m of header.m) {
    out.push({ seq: m.s, bytes: payload.subarray(at, at + m.n) });
    at += m.n;
  }
  return out;
}
