import { CloseCodes } from '@xinbox/protocol';
import type { Bus } from '../core/ports/bus.js';
import type { UserPresence } from '../core/model.js';
import type { Logger } from '../logger.js';
import type { IdentityService } from '../core/identity/identity-service.js';
import { EnvelopeType, Topics, decodeEnvelope, encodeEnvelope } from './envelope.js';
import { unpackDeliver, type AudienceHeader, type DeliverHeader } from './cluster-outbox.js';
import type { LocalOutbox } from './local-outbox.js';
import type { NodeDirectory, NodeInfo } from './node-directory.js';
import type { RequestExecutor } from './request-executor.js';
import type { GatewayControl, RoomPeerSink } from '../gateway/ports.js';
import type { RoomNotice } from '../core/rooms/room-broadcaster.js';
import { unpackRoomBatch, type RoomAudienceEvent, type RoomBatchHeader } from './bus-room-broadcaster.js';
import type { RpcClient, RequestHeader } from './rpc-client.js';

/** Control events every node receives on the broadcast topic. */
export type ClusterEvent =
  | { t: 'presence'; from: string; p: UserPresence }
  | { t: 'audience'; from: string; c: number; j: number[]; l: number[] }
  | { t: 'revoke'; from: string; sids: string[]; reason: 'logout' | 'replaced' }
  | { t: 'device'; from: string; u: number; d: string }
  | { t: 'node'; from: string; info: NodeInfo }
  | { t: 'hello'; from: string }
  | { t: 'room'; from: string; room: string; notice: RoomNotice }
  | { t: 'relations'; from: string; u: number[] }
  | { t: 'members'; from: string; c: number[] }
  | { t: 'restricted'; from: string; u: number; ban: boolean }
  | RoomAudienceEvent;

export interface ClusterLinkParts {
  readonly nodeId: string;
  readonly bus: Bus;
  readonly directory: NodeDirectory;
  readonly rpc: RpcClient;
  readonly executor: RequestExecutor | null;
  readonly local: LocalOutbox | null;
  readonly gateway: GatewayControl | null;
  readonly rooms: RoomPeerSink | null;
  readonly identity: IdentityService;
  /** Relationship writes here invalidate the block/privacy caches of every node. */
  readonly relations?: { changed(listener: (userIds: number[]) => void): void; invalidate(userIds: readonly number[]): void };
  /** The service router changed members of these conversations: every node drops its cached state of them. */
  readonly members?: { changed(listener: (conversationIds: number[]) => void): void; invalidate(conversationIds: readonly number[]): void };
  /** A mute or ban here: other nodes drop their cached restriction; a ban closes the user's connections everywhere. */
  readonly moderation?: {
    changed(listener: (userId: number) => void): void;
    banned(listener: (userId: number) => void): void;
    invalidate(userId: number): void;
  };
  readonly describe: () => NodeInfo;
  readonly log: Logger;
}

/**
 * This node's end of the inter-node protocol: subscribes to its own topic and
 * to the broadcast topic, and dispatches what arrives. Owns the protocol in
 * one place, as socket.io's cluster adapter does.
 */
export class ClusterLink {
  private unsubscribe: Array<() => Promise<void>> = [];
  private announceTimer: NodeJS.Timeout | null = null;

  constructor(private readonly p: ClusterLinkParts) {}

  async start(announceEveryMs = 2_000): Promise<void> {
    this.unsubscribe.push(await this.p.bus.subscribe(Topics.node(this.p.nodeId), (b) => this.onMessage(b)));
    this.unsubscribe.push(await this.p.bus.subscribe(Topics.broadcast, (b) => this.onMessage(b)));
    this.p.identity.onRevoked((sids, reason) => this.emit({ t: 'revoke', from: this.p.nodeId, sids, reason }));
    this.p.relations?.changed((u) => this.emit({ t: 'relations', from: this.p.nodeId, u }));
    this.p.members?.changed((c) => this.emit({ t: 'members', from: this.p.nodeId, c }));
    this.p.moderation?.changed((u) => this.emit({ t: 'restricted', from: this.p.nodeId, u, ban: false }));
    this.p.moderation?.banned((u) => this.emit({ t: 'restricted', from: this.p.nodeId, u, ban: true }));
    this.announce();
    this.emit({ t: 'hello', from: this.p.nodeId });
    this.announceTimer = setInterval(() => this.announce(), announceEveryMs);
    this.announceTimer.unref();
  }

  /** Tell other gateways a device is now connected here (they drop its stale connection). */
  deviceConnected(userId: number, deviceId: string): void {
    this.emit({ t: 'device', from: this.p.nodeId, u: userId, d: deviceId });
  }

  announce(): void {
    const info = this.p.describe();
    this.p.directory.announce(info);
    this.emit({ t: 'node', from: this.p.nodeId, info });
  }

  async stop(): Promise<void> {
    if (this.announceTimer) clearInterval(this.announceTimer);
    for (const u of this.unsubscribe) await u().catch(() => undefined);
    this.unsubscribe = [];
  }

  private emit(e: ClusterEvent): void {
    this.p.bus.publish(Topics.broadcast, encodeEnvelope(EnvelopeType.Event, e)).catch((err) => this.p.log.warn('broadcast failed', err));
  }

  private onMessage(bytes: Uint8Array): void {
    let env;
    try {
      env = decodeEnvelope(bytes);
    } catch (e) {
      this.p.log.warn('dropped a malformed bus message', e);
      return;
    }
    switch (env.type) {
      case EnvelopeType.Request:
        this.p.executor?.execute(env.header as RequestHeader, env.payload);
        return;
      case EnvelopeType.Reply:
        this.p.rpc.settle((env.header as { r: number }).r, env.payload);
        return;
      case EnvelopeType.Deliver:
        this.p.local?.toUsers(unpackDeliver(env.header as DeliverHeader, env.payload));
        return;
      case EnvelopeType.Audience: {
        const h = env.header as AudienceHeader;
        if (h.from !== this.p.nodeId) this.p.local?.toAudience(h.c, env.payload, h.m, h.xu ? { userId: h.xu, deviceId: h.xd } : undefined);
        return;
      }
      case EnvelopeType.Event:
        this.onEvent(env.header as ClusterEvent);
        return;
      case EnvelopeType.RoomBatch: {
        const h = env.header as RoomBatchHeader;
        if (h.from !== this.p.nodeId) this.p.rooms?.peerMessages(h.room, unpackRoomBatch(h, env.payload));
        return;
      }
    }
  }

  private onEvent(e: ClusterEvent): void {
    if (e.from === this.p.nodeId) return;
    switch (e.t) {
      case 'presence':
        this.p.local?.presenceChanged(e.p);
        return;
      case 'audience':
        this.p.local?.audienceChanged(e.c, e.j, e.l);
        return;
      case 'revoke':
        this.p.identity.evict(e.sids);
        this.p.gateway?.closeSessions(e.sids, e.reason === 'replaced' ? CloseCodes.REPLACED : CloseCodes.LOGGED_OUT);
        return;
      case 'device':
        this.p.gateway?.closeDevice(e.u, e.d, CloseCodes.REPLACED);
        return;
      case 'node':
        this.p.directory.announce(e.info);
        return;
      case 'hello':
        this.announce();
        return;
      case 'room':
        // peerNotice, not notice: this gateway's room service must follow another node's admin action.
        this.p.rooms?.peerNotice(e.room, e.notice);
        return;
      case 'relations':
        this.p.relations?.invalidate(e.u);
        return;
      case 'members':
        this.p.members?.invalidate(e.c);
        return;
      case 'restricted':
        this.p.moderation?.invalidate(e.u);
        if (e.ban) this.p.gateway?.closeUser(e.u, CloseCodes.BANNED);
        return;
      case 'room-audience':
        this.p.rooms?.peerAudience(e.from, { counts: e.c, full: e.full, ttlMs: e.ttl });
        return;
    }
  }
}
