import { Errors, XinboxError } from '@xinbox/protocol';
import type { ConversationId, UserId } from '../model.js';
import type { ConversationStore } from '../ports/conversation-store.js';
import type { MessageStore } from '../ports/message-store.js';
import type { Presence } from '../ports/presence.js';
import type { ServiceConversationRecord, ServiceStore, ShopId } from '../ports/service-store.js';
import { pickAgent, queuePositions } from './routing-rules.js';
import { RoutingTx, type ServiceReason } from './routing-tx.js';

export interface ServiceRouterOptions {
  /** An assigned agent who has not answered within this is skipped and the conversation rerouted. */
  readonly answerTimeoutMs: number;
  /** How often owned shops are re-checked (presence, answer times). */
  readonly sweepMs: number;
  readonly clock?: () => number;
}

/** What the router tells the rest of the node after a committed pass. */
export interface RoutingListener {
  /** Members of these conversations changed: drop cached membership (here and on every node). */
  membersChanged(conversationIds: readonly ConversationId[]): void;
  /** Routing state changed (or a queue position moved): tell the people concerned. */
  changed(tx: RoutingTx, updates: ReadonlyArray<{ prev: ServiceConversationRecord | null; next: ServiceConversationRecord; reason: ServiceReason; positions: ReadonlyMap<number, number> }>): void;
}

const MAX_ATTEMPTS = 5;
const SWEEP_SHOPS = 1_000;

/**
 * The shop router (消息分流): the single decider for each shop this node owns.
 *
 * Every decision is a pass: read the shop's agents and open conversations
 * from the store, the agents' presence, apply the caller's operation, then
 * the routing rules (routing-rules.ts), and commit the changed rows with a
 * compare-and-swap on the shop's version. Passes of one shop are serialised
 * on this node; a pass that loses the compare-and-swap (another node routed
 * the shop meanwhile, e.g. during a ring change) reads again and retries, so
 * two nodes can never both apply a decision made from the same state.
 *
 * Requests reach the shop's owner (OwnerRing: `s:<shopId>`); the sweep
 * re-runs a pass for each owned shop with open conversations every
 * `sweepMs`, which reroutes conversations of agents whose presence went
 * offline (dropped or killed connection: the presence TTL catches a silent
 * one) and of agents who did not answer within `answerTimeoutMs`.
 */
export class ServiceRouter {
  private readonly clock: () => number;
  private readonly chains = new Map<ShopId, Promise<unknown>>();
  private readonly lastPositions = new Map<ConversationId, number>();
  private timer: NodeJS.Timeout | null = null;
  private sweeping = false;
  private listener: RoutingListener | null = null;

  constructor(
    private readonly store: ServiceStore,
    private readonly conversations: ConversationStore,
    private readonly messages: MessageStore,
    private readonly presence: Presence,
    /** True when this node is the shop's owner on the ring. */
    private readonly owns: (shopId: ShopId) => boolean,
    private readonly opts: ServiceRouterOptions,
  ) {
    this.clock = opts.clock ?? Date.now;
  }

  listen(listener: RoutingListener): void {
    this.listener = listener;
  }

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.opts.sweepMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Ownership moved: positions pushed from here are no longer known to be current. */
  forget(): void {
    this.lastPositions.clear();
  }

  /** Re-route the owned shops with open conversations (the periodic check). */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const shops = await this.store.shopsWithOpen(SWEEP_SHOPS);
      for (const shopId of shops) if (this.owns(shopId)) await this.transact(shopId, () => undefined).catch(() => undefined);
    } finally {
      this.sweeping = false;
    }
  }

  /** A user's connection closed here: if they are an agent of an owned shop, check at once instead of at the next sweep. */
  async agentMayHaveLeft(userId: UserId): Promise<void> {
    const shops = await this.store.shopsOfAgent(userId);
    for (const shopId of shops) if (this.owns(shopId)) await this.transact(shopId, () => undefined).catch(() => undefined);
  }

  /**
   * Runs `op` inside a routing pass of the shop, serialised with the shop's
   * other passes on this node, and commits. Returns op's value and the pass.
   */
  transact<T>(shopId: ShopId, op: (tx: RoutingTx) => Promise<T> | T): Promise<{ value: T; tx: RoutingTx }> {
    const prev = this.chains.get(shopId) ?? Promise.resolve();
    const run = prev.catch(() => undefined).then(() => this.attempt(shopId, op));
    const tail = run.catch(() => undefined);
    this.chains.set(shopId, tail);
    void tail.then(() => {
      if (this.chains.get(shopId) === tail) this.chains.delete(shopId);
    });
    return run;
  }

  private async attempt<T>(shopId: ShopId, op: (tx: RoutingTx) => Promise<T> | T): Promise<{ value: T; tx: RoutingTx }> {
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const shop = await this.store.getShop(shopId);
      if (!shop) throw new XinboxError(Errors.SHOP_NOT_FOUND);
      const [agents, open] = await Promise.all([this.store.listAgents(shopId), this.store.listOpen(shopId)]);
      const now = this.clock();
      const presence = agents.length > 0 ? await this.presence.query(agents.map((a) => a.userId), now) : [];
      const online = new Set(presence.filter((p) => p.online).map((p) => p.userId));
      const tx = new RoutingTx(shop, agents, open, online, now, this.store);
      const value = await op(tx);
      await this.route(tx);
      const changes = tx.changes();
      if (changes.length > 0 && !(await this.store.commitRouting(shopId, shop.version, changes.map((c) => c.next)))) continue;
      await this.applyMembership(changes.map((c) => c.next).filter((n, k) => n.agentId !== changes[k]!.prev.agentId || n.status === 'closed'));
      this.announce(tx, changes);
      return { value, tx };
    }
    throw new XinboxError(Errors.UNAVAILABLE, 'the shop is being routed elsewhere; retry');
  }

  /** The rules: reroute what must move, then serve the queue in order. */
  private async route(tx: RoutingTx): Promise<void> {
    for (const r of tx.byStatus('assigned')) {
      const load = tx.loadOf(r.agentId);
      if (!load || !load.online) {
        // Offline (dropped, killed, timed out) or no longer an agent: back to the queue, keeping its place.
        tx.set({ ...r, status: 'queued', agentId: 0 }, 'rerouted');
      } else if (!r.answered && tx.now - r.assignedAt >= this.opts.answerTimeoutMs) {
        if (await this.hasAnswered(r)) tx.set({ ...r, answered: true }, tx.reasons.get(r.conversationId) ?? 'assigned');
        else tx.set({ ...r, status: 'queued', agentId: 0, skipAgentId: r.agentId }, 'rerouted');
      }
    }
    for (const r of tx.byStatus('queued')) {
      const pick = pickAgent(tx.loads, r);
      if (!pick) continue;
      const conversation = await this.conversations.getConversation(r.conversationId);
      const previous = tx.reasons.get(r.conversationId);
      tx.set({
        ...r, status: 'assigned', agentId: pick.agent.userId, lastAgentId: pick.agent.userId, assignedAt: tx.now,
        assignedSeq: conversation?.lastSeq ?? 0, answered: false,
      }, previous === 'transferred' || previous === 'rerouted' ? previous : 'assigned');
    }
  }

  private async hasAnswered(r: ServiceConversationRecord): Promise<boolean> {
    const after = await this.messages.getRange(r.conversationId, r.assignedSeq + 1, Number.MAX_SAFE_INTEGER, 500);
    return after.some((m) => m.senderId === r.agentId);
  }

  /**
   * The conversation's members follow the routing state: the customer and
   * the serving agent (history from seq 1, so a new agent sees everything).
   * Runs after the commit; a crash in between leaves an assigned agent
   * without membership, who then cannot answer, so the answer timeout
   * reroutes it (and the next change removes any leftover member).
   */
  private async applyMembership(rows: readonly ServiceConversationRecord[]): Promise<void> {
    if (rows.length === 0) return;
    const now = this.clock();
    for (const r of rows) {
      if (r.status === 'assigned' && r.agentId) await this.conversations.addMembers(r.conversationId, [r.agentId], 'member', 1, now);
      const members = await this.conversations.memberIds(r.conversationId);
      const extra = members.filter((u) => u !== r.customerId && !(r.status === 'assigned' && u === r.agentId));
      if (extra.length > 0) await this.conversations.removeMembers(r.conversationId, extra);
    }
    this.listener?.membersChanged(rows.map((r) => r.conversationId));
  }

  private announce(tx: RoutingTx, changes: ReturnType<RoutingTx['changes']>): void {
    const positions = queuePositions(tx.byStatus('queued'));
    const updates: Array<{ prev: ServiceConversationRecord | null; next: ServiceConversationRecord; reason: ServiceReason; positions: ReadonlyMap<number, number> }> = [];
    const changed = new Set<number>();
    for (const c of changes) {
      changed.add(c.next.conversationId);
      updates.push({ ...c, positions });
    }
    // Customers whose place in the queue moved learn it (pushed, not polled).
    for (const r of tx.byStatus('queued')) {
      const p = positions.get(r.conversationId)!;
      if (!changed.has(r.conversationId) && this.lastPositions.get(r.conversationId) !== p) updates.push({ prev: null, next: r, reason: 'position', positions });
    }
    for (const u of updates) {
      if (u.next.status === 'queued') this.lastPositions.set(u.next.conversationId, positions.get(u.next.conversationId)!);
      else this.lastPositions.delete(u.next.conversationId);
    }
    if (updates.length > 0) this.listener?.changed(tx, updates);
  }
}
