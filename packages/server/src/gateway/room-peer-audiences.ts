import type { RoomId } from '../core/ports/room-store.js';
import type { AudienceShare } from '../core/rooms/room-broadcaster.js';

interface PeerShare {
  readonly rooms: Map<RoomId, number>;
  expiresAt: number;
}

/**
 * What the other gateways last reported about their room audiences (cluster).
 * A gateway that stops reporting (crashed, partitioned) is forgotten once
 * its last share's ttl has passed, so its viewers stop counting.
 */
export class PeerAudiences {
  private readonly peers = new Map<string, PeerShare>();

  update(nodeId: string, share: AudienceShare, now: number): void {
    let peer = this.peers.get(nodeId);
    if (!peer || share.full) this.peers.set(nodeId, (peer = { rooms: new Map(), expiresAt: 0 }));
    for (const [roomId, count] of share.counts) {
      if (count > 0) peer.rooms.set(roomId, count);
      else peer.rooms.delete(roomId);
    }
    peer.expiresAt = now + share.ttlMs;
    if (peer.rooms.size === 0) this.peers.delete(nodeId);
  }

  /** The room's audience on the other gateways. */
  audience(roomId: RoomId, now: number): number {
    let sum = 0;
    for (const [nodeId, peer] of this.peers) {
      if (peer.expiresAt <= now) this.peers.delete(nodeId);
      else sum += peer.rooms.get(roomId) ?? 0;
    }
    return sum;
  }
}
