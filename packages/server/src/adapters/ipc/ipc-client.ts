import { connect } from 'node:net';
import type { Bus } from '../../core/ports/bus.js';
import type { NodeMembership } from '../../core/ports/membership.js';
import { changeReporter } from '../membership-changes.js';
import { IpcPeer, type IpcServices } from './ipc-peer.js';
import { MEMBERS_TOPIC } from './ipc-hub.js';

interface Subscription {
  readonly handler: (payload: Uint8Array) => void;
  active: boolean;
}

/**
 * A gateway process's side of the local IPC link (see IpcHub): ports whose
 * methods are calls on the primary's, a Bus whose messages go through the
 * hub, and a NodeMembership kept by the hub.
 */
export class IpcClient {
  private readonly topics = new Map<string, Set<Subscription>>();
  readonly bus: Bus;

  private constructor(readonly peer: IpcPeer) {
    this.bus = {
      publish: async (topic, payload) => {
        if (this.peer.closed) throw new Error('ipc link closed');
        this.peer.publish(topic, payload);
      },
      subscribe: (topic, handler) => this.subscribe(topic, handler),
      close: async () => undefined,
    };
  }

  /** Connects to the hub at `path`; `services` are what the primary may call here (metrics). */
  static async connect(path: string, services: IpcServices = {}): Promise<IpcClient> {
    const socket = connect(path);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    let client: IpcClient | null = null;
    const peer = new IpcPeer(socket, services, (topic, payload) => client?.dispatch(topic, payload));
    client = new IpcClient(peer);
    return client;
  }

  /** A port implementation whose every method is a call on the primary's port named `service`. */
  port<T extends object>(service: string): T {
    const methods = new Map<string, (...args: unknown[]) => Promise<unknown>>();
    return new Proxy({} as T, {
      get: (_target, name) => {
        if (typeof name !== 'string' || name === 'then') return undefined;
        let fn = methods.get(name);
        if (!fn) {
          fn = (...args: unknown[]) => this.peer.call(service, name, args);
          methods.set(name, fn);
        }
        return fn;
      },
    });
  }

  membership(nodeId: string): IpcMembership {
    return new IpcMembership(this, nodeId);
  }

  close(): void {
    this.peer.close();
  }

  private async subscribe(topic: string, handler: (payload: Uint8Array) => void): Promise<() => Promise<void>> {
    const subscription: Subscription = { handler, active: true };
    let set = this.topics.get(topic);
    const first = !set;
    if (!set) this.topics.set(topic, (set = new Set()));
    set.add(subscription);
    if (first) await this.peer.call('$control', 'subscribe', [topic]);
    return async () => {
      subscription.active = false;
      const current = this.topics.get(topic);
      if (!current?.delete(subscription) || current.size > 0) return;
      this.topics.delete(topic);
      if (!this.peer.closed) await this.peer.call('$control', 'unsubscribe', [topic]);
    };
  }

  private dispatch(topic: string, payload: Uint8Array): void {
    const set = this.topics.get(topic);
    if (!set) return;
    for (const s of set) {
      if (!s.active) continue;
      try {
        s.handler(payload);
      } catch {
        // One failing handler never stops delivery to the others (as the other buses).
      }
    }
  }
}

/** NodeMembership kept by the hub; the hub heartbeats for this node while its link lives. */
export class IpcMembership implements NodeMembership {
  private readonly stops = new Set<() => void>();

  constructor(private readonly client: IpcClient, readonly nodeId: string) {}

  async join(): Promise<void> {
    await this.client.peer.call('$control', 'join', [this.nodeId]);
  }

  async leave(): Promise<void> {
    if (!this.client.peer.closed) await this.client.peer.call('$control', 'leave', [this.nodeId]);
  }

  /** As a crashed process would (its entry lapses after the TTL); for the contract tests. */
  stopHeartbeats(): void {
    void this.client.peer.call('$control', 'stopHeartbeats', [this.nodeId]).catch(() => undefined);
  }

  async members(): Promise<string[]> {
    return (await this.client.peer.call('$control', 'members', [])) as string[];
  }

  watch(cb: (members: readonly string[]) => void): () => void {
    const report = changeReporter(cb);
    let stopped = false;
    let unsubscribe: (() => Promise<void>) | null = null;
    void this.client.bus.subscribe(MEMBERS_TOPIC, (bytes) => {
      if (!stopped) report(JSON.parse(Buffer.from(bytes).toString('utf8')) as string[]);
    }).then(async (off) => {
      unsubscribe = off;
      if (stopped) return void off();
      const now = await this.members();
      if (!stopped) report(now);
    }).catch(() => undefined);
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      void unsubscribe?.().catch(() => undefined);
      this.stops.delete(stop);
    };
    this.stops.add(stop);
    return stop;
  }

  async close(): Promise<void> {
    for (const stop of [...this.stops]) stop();
    await this.leave().catch(() => undefined);
  }
}
