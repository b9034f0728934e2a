import type { XinboxConfig } from '../config.js';
import type { AccessEndpoint } from '../api/http-api.js';
import { hash32 } from '../router/hash-ring.js';
import type { NodeDirectory, NodeInfo } from '../router/node-directory.js';

/**
 * Access scheduling (seed 000 §8.8, seed 002 "smart load balancing"): which
 * gateways a client should try, best first.
 *
 * Rules, in order of precedence:
 * 1. Gray release: clients whose version starts with one of
 *    `canaryClientVersions` go to canary gateways; everyone else avoids them.
 *    (Either side falls back to the other group when its own is empty.)
 * 2. Pinning: `app` (tenant) or `room` hints rank gateways by rendezvous hash
 *    of (hint, node), so one tenant's or one live room's audience
 *    concentrates on the same few gateways (the top 2 go first).
 * 3. Region: gateways in the hinted `region` before others.
 * 4. Load: within a tier, lower connection count and event-loop lag first.
 */
export class AccessService {
  private readonly canaryPrefixes: string[];

  constructor(
    private readonly directory: NodeDirectory,
    config: Pick<XinboxConfig, 'canaryClientVersions'>,
    /** Single-node mode: this node describes itself (no directory traffic). */
    private readonly self: () => NodeInfo | null,
  ) {
    this.canaryPrefixes = config.canaryClientVersions.split(',').map((s) => s.trim()).filter(Boolean);
  }

  rank(query: URLSearchParams): AccessEndpoint[] {
    const self = this.self();
    const all = (self ? [self] : this.directory.withRole('gateway')).filter((n) => n.ws);
    if (all.length === 0) return [];
    const version = query.get('clientVersion') ?? '';
    const wantsCanary = version !== '' && this.canaryPrefixes.some((p) => version.startsWith(p));
    const group = all.filter((n) => n.canary === wantsCanary);
    const pool = group.length > 0 ? group : all;

    const pin = query.get('room') ? `room:${query.get('room')}` : query.get('app') ? `app:${query.get('app')}` : '';
    const pinned = new Set(pin ? [...pool].sort((a, b) => hash32(`${pin}|${b.nodeId}`) - hash32(`${pin}|${a.nodeId}`)).slice(0, 2).map((n) => n.nodeId) : []);
    const region = query.get('region') ?? '';

    const scored = pool.map((n) => ({
      n,
      tier: (pinned.has(n.nodeId) ? 0 : 2) + (region && n.region === region ? 0 : 1),
      weight: 1 / (1 + n.connections / 1000 + n.eventLoopLagMs / 10),
    }));
    scored.sort((a, b) => a.tier - b.tier || b.weight - a.weight || (a.n.nodeId < b.n.nodeId ? -1 : 1));
    return scored.map(({ n, weight }) => ({ ws: n.ws!, tcp: n.tcp, weight: Math.round(weight * 1000) / 1000, nodeId: n.nodeId }));
  }
}
