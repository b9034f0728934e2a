import { TEST_ADMIN_TOKEN } from './admin.js';
import { createMemoryAdapters } from '../../src/adapters/memory/index.js';
import type { RateLimiter } from '../../src/core/ports/rate-limiter.js';
import { MemoryMembership, MemoryMembershipHub } from '../../src/adapters/memory/memory-membership.js';
import { startXinbox, type XinboxNode } from '../../src/index.js';
import type { Role } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { tempDir } from './temp-dir.js';

/**
 * Several nodes in one process sharing in-memory adapters (stores, bus,
 * routes, presence) and an in-memory membership: the cluster logic (routing,
 * ownership, cross-node delivery) without Redis or PostgreSQL.
 */
export class ClusterHarness {
  readonly shared = createMemoryAdapters();
  readonly hub = new MemoryMembershipHub();
  readonly nodes = new Map<string, XinboxNode>();
  private readonly dir = tempDir();

  /** `limiter`: shared request budgets instead of the in-memory ones (e.g. Redis, to test cluster-wide limits). */
  constructor(private readonly overrides: { readonly limiter?: RateLimiter } = {}) {}

  async start(nodeId: string, roles: Role[], extra: Record<string, unknown> = {}): Promise<XinboxNode> {
    const membership = new MemoryMembership(this.hub, nodeId, { ttlMs: 1_000 });
    const node = await startXinbox(
      { host: '127.0.0.1', port: 0, tcpPort: 0, dataDir: this.dir.path, storage: 'memory', nodeId, roles, tokenSecret: 'harness-secret-0123456789', scryptCost: 4, logLevel: 'error', adminToken: TEST_ADMIN_TOKEN, rateLimits: false, ...extra },
      { storage: { ...this.shared, ...this.overrides, membership }, log: createLogger('error', nodeId) },
    );
    this.nodes.set(nodeId, node);
    return node;
  }

  node(id: string): XinboxNode {
    return this.nodes.get(id)!;
  }

  async stop(id: string): Promise<void> {
    await this.nodes.get(id)?.stop();
    this.nodes.delete(id);
  }

  async close(): Promise<void> {
    for (const id of [...this.nodes.keys()]) await this.stop(id);
    await this.shared.close();
    this.dir.remove();
  }
}
