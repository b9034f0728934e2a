import { createServer, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import type { Bus } from '../../core/ports/bus.js';
import type { NodeMembership } from '../../core/ports/membership.js';
import { MemoryBus } from '../memory/memory-bus.js';
import { MemoryMembership, MemoryMembershipHub } from '../memory/memory-membership.js';
import { IpcPeer, type IpcServices } from './ipc-peer.js';

/** The bus topic on which the hub tells its processes the live member set (JSON array). */
export const MEMBERS_TOPIC = '$members';

export interface IpcHubOptions {
  /** Unix domain socket path the hub listens on. */
  readonly path: string;
  /** TTL of a member that stops heartbeating without its link closing. */
  readonly membershipTtlMs: number;
  /** A bus handler threw (default: ignored, like the memory bus's delivery to others). */
  readonly onHandlerError?: (error: unknown, topic: string) => void;
}

/**
 * The primary's side of the local IPC link: serves the primary's ports
 * (stores, presence, routes, rate limiter) to its gateway processes, and is
 * the bus and membership store they share with it. It is the same role Redis
 * plays for a cluster, over a unix domain socket: a message published by any
 * process reaches every subscriber of its topic, the primary's own included,
 * in the publisher's order. A process whose link closes leaves the
 * membership at once (its process is gone), and its subscriptions end.
 */
export class IpcHub {
  private readonly local: MemoryBus;
  private readonly remote = new Map<string, Set<IpcPeer>>();
  private readonly peers = new Set<IpcPeer>();
  private readonly peerNodes = new Map<IpcPeer, Map<string, MemoryMembership>>();
  private readonly members: MemoryMembershipHub = new MemoryMembershipHub();
  private readonly watcher: MemoryMembership;
  private stopWatch: () => void = () => undefined;
  private server: Server | null = null;
  private closed = false;
  readonly bus: Bus;

  constructor(private readonly services: IpcServices, private readonly options: IpcHubOptions) {
    this.local = new MemoryBus({ onHandlerError: options.onHandlerError ?? (() => undefined) });
    this.bus = {
      publish: async (topic, payload) => this.deliver(topic, payload),
      subscribe: (topic, handler) => this.local.subscribe(topic, handler),
      close: async () => undefined,
    };
    this.watcher = new MemoryMembership(this.members, '$watch', { ttlMs: options.membershipTtlMs });
  }

  get path(): string {
    return this.options.path;
  }

  /** Processes connected now. */
  get connected(): number {
    return this.peers.size;
  }

  async listen(): Promise<void> {
    rmSync(this.options.path, { force: true });
    this.stopWatch = this.watcher.watch((m) => this.deliver(MEMBERS_TOPIC, Buffer.from(JSON.stringify(m))));
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.path, () => resolve());
    });
  }

  /** A membership on the hub's store (the primary's own node). */
  membership(nodeId: string): NodeMembership {
    return new MemoryMembership(this.members, nodeId, { ttlMs: this.options.membershipTtlMs });
  }

  /** Calls `service.method(...args)` in every connected process that serves it; one answer (or error) per process. */
  async callEach(service: string, method: string, args: readonly unknown[] = []): Promise<Array<PromiseSettledResult<unknown>>> {
    return Promise.allSettled([...this.peers].map((p) => p.call(service, method, args)));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopWatch();
    for (const p of this.peers) p.destroy();
    this.peers.clear();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    rmSync(this.options.path, { force: true });
    await this.local.close();
  }

  private deliver(topic: string, payload: Uint8Array): void {
    if (this.closed) return; // at most once: a reply finishing after close is dropped, as by a stopped broker
    this.local.publish(topic, payload).catch(() => undefined);
    const subscribers = this.remote.get(topic);
    if (subscribers) for (const p of subscribers) p.publish(topic, payload);
  }

  private accept(socket: Socket): void {
    const nodes = new Map<string, MemoryMembership>();
    const subscribed = new Set<string>();
    // Per process: its subscriptions and memberships, which end with its link.
    const control = {
      subscribe: (topic: string) => {
        subscribed.add(topic);
        let set = this.remote.get(topic);
        if (!set) this.remote.set(topic, (set = new Set()));
        set.add(peer);
      },
      unsubscribe: (topic: string) => {
        subscribed.delete(topic);
        this.remote.get(topic)?.delete(peer);
      },
      join: async (nodeId: string) => {
        let m = nodes.get(nodeId);
        if (!m) nodes.set(nodeId, (m = this.membership(nodeId) as MemoryMembership));
        await m.join();
      },
      leave: async (nodeId: string) => {
        await nodes.get(nodeId)?.leave();
        nodes.delete(nodeId);
      },
      stopHeartbeats: (nodeId: string) => {
        nodes.get(nodeId)?.stopHeartbeats();
        nodes.delete(nodeId);
      },
      members: () => this.members.live(),
      ports: () => Object.keys(this.services),
    };
    const peer: IpcPeer = new IpcPeer(socket, { ...this.services, $control: control }, (topic, payload) => this.deliver(topic, payload));
    this.peers.add(peer);
    this.peerNodes.set(peer, nodes);
    peer.onClose(() => {
      this.peers.delete(peer);
      this.peerNodes.delete(peer);
      for (const topic of subscribed) this.remote.get(topic)?.delete(peer);
      for (const m of nodes.values()) void m.leave();
    });
  }
}
