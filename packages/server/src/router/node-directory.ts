import type { Role } from '../config.js';

/** What a node tells the others about itself, every few seconds, over the bus. */
export interface NodeInfo {
  readonly nodeId: string;
  readonly roles: readonly Role[];
  /** Client-facing endpoints (gateways only). */
  readonly ws: string | null;
  readonly tcp: { host: string; port: number } | null;
  readonly region: string;
  readonly canary: boolean;
  readonly connections: number;
  readonly eventLoopLagMs: number;
  /** When the sender produced this (its clock). */
  readonly at: number;
}

/**
 * The live nodes with their latest self-description: membership says who is
 * alive, announcements say what each one is. Used for the owner ring (logic
 * nodes) and for access scheduling (gateways).
 */
export class NodeDirectory {
  private live = new Set<string>();
  private readonly info = new Map<string, NodeInfo>();
  private readonly listeners: Array<() => void> = [];

  setLive(members: readonly string[]): void {
    this.live = new Set(members);
    // Keep what dead nodes said for a while: a membership store that lost its
    // data (Redis restart) empties the live set only until nodes heartbeat again.
    const stale = Date.now() - 10 * 60_000;
    for (const [id, info] of this.info) if (!this.live.has(id) && info.at < stale) this.info.delete(id);
    this.changed();
  }

  announce(info: NodeInfo): void {
    const before = this.info.get(info.nodeId);
    this.info.set(info.nodeId, info);
    if (!before || before.roles.join() !== info.roles.join()) this.changed();
  }

  isLive(nodeId: string): boolean {
    return this.live.has(nodeId);
  }

  /** Live nodes that announced the role. */
  withRole(role: Role): NodeInfo[] {
    return [...this.info.values()].filter((n) => this.live.has(n.nodeId) && n.roles.includes(role));
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
