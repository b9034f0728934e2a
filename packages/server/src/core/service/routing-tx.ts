import type { UserId } from '../model.js';
import type { AgentRecord, ServiceConversationRecord, ServiceStore, ShopRecord } from '../ports/service-store.js';
import type { AgentLoad } from './routing-rules.js';

/** Why a service conversation's state changed (ServiceEvent.reason). */
export type ServiceReason = 'queued' | 'assigned' | 'rerouted' | 'transferred' | 'closed' | 'rated' | 'position';

/**
 * One routing pass's view of a shop: read from the store at the start,
 * changed in memory by the operation and the rules, committed as a whole
 * (compare-and-swap on the shop's version) at the end.
 */
export class RoutingTx {
  private readonly original = new Map<number, ServiceConversationRecord>();
  private readonly current = new Map<number, ServiceConversationRecord>();
  readonly reasons = new Map<number, ServiceReason>();
  readonly loads: AgentLoad[];

  constructor(
    readonly shop: ShopRecord,
    readonly agents: readonly AgentRecord[],
    open: readonly ServiceConversationRecord[],
    readonly online: ReadonlySet<UserId>,
    readonly now: number,
    private readonly store: ServiceStore,
  ) {
    for (const r of open) {
      this.original.set(r.conversationId, r);
      this.current.set(r.conversationId, r);
    }
    this.loads = agents.map((agent) => ({ agent, online: online.has(agent.userId), active: 0 }));
    for (const r of open) {
      const l = r.status === 'assigned' ? this.loadOf(r.agentId) : undefined;
      if (l) l.active++;
    }
  }

  loadOf(userId: UserId): AgentLoad | undefined {
    return this.loads.find((l) => l.agent.userId === userId);
  }

  agent(userId: UserId): AgentRecord | undefined {
    return this.agents.find((a) => a.userId === userId);
  }

  /** A row of this shop (closed ones are read on demand); null when it is not this shop's. */
  async get(conversationId: number): Promise<ServiceConversationRecord | null> {
    const have = this.current.get(conversationId);
    if (have) return have;
    const r = await this.store.getConversation(conversationId);
    if (!r || r.shopId !== this.shop.id) return null;
    this.original.set(conversationId, r);
    this.current.set(conversationId, r);
    return r;
  }

  /** Replace a row; agent loads follow the assignment. */
  set(next: ServiceConversationRecord, reason: ServiceReason): void {
    const prev = this.current.get(next.conversationId);
    if (prev?.status === 'assigned') {
      const l = this.loadOf(prev.agentId);
      if (l) l.active--;
    }
    if (next.status === 'assigned') {
      const l = this.loadOf(next.agentId);
      if (l) l.active++;
    }
    this.current.set(next.conversationId, next);
    this.reasons.set(next.conversationId, reason);
  }

  rows(): ServiceConversationRecord[] {
    return [...this.current.values()];
  }

  byStatus(status: ServiceConversationRecord['status']): ServiceConversationRecord[] {
    return this.rows().filter((r) => r.status === status).sort((a, b) => a.queuedAt - b.queuedAt || a.conversationId - b.conversationId);
  }

  /** Rows changed in this pass with their state before it. */
  changes(): Array<{ prev: ServiceConversationRecord; next: ServiceConversationRecord; reason: ServiceReason }> {
    const out: Array<{ prev: ServiceConversationRecord; next: ServiceConversationRecord; reason: ServiceReason }> = [];
    for (const [id, next] of this.current) {
      const prev = this.original.get(id)!;
      if (prev !== next) out.push({ prev, next, reason: this.reasons.get(id)! });
    }
    return out;
  }
}
