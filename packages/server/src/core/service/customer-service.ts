import type { AppLinks } from '../identity/user-apps.js';
import {
  Errors, XinboxError, create, encodeFrame, withLengthPrefix, ServiceBoardSchema, ShopSchema,
  type ServiceBoard, type ServiceConversation, type Shop,
} from '@xinbox/protocol';
import type { UserId } from '../model.js';
import type { IdentityStore } from '../ports/identity-store.js';
import type { Outbox, UserPush } from '../ports/outbox.js';
import type { ServiceConversationRecord, ServiceStore, ShopId, ShopRecord } from '../ports/service-store.js';
import { canTake, queuePositions } from './routing-rules.js';
import type { RoutingListener } from './service-router.js';
import type { ServiceRouter } from './service-router.js';
import type { RoutingTx } from './routing-tx.js';
import { agentToWire, serviceToWire } from './service-wire.js';

export interface CustomerServiceOptions {
  /** Queued conversations per shop (SHOP_LIMIT beyond). */
  readonly maxQueue: number;
}

const LIMITS = { name: 64, skills: 16, skill: 32, agents: 500, capacity: 100, comment: 500, ref: 128 } as const;
const SKILL = /^[\p{L}\p{N}_-]+$/u;
const DEFAULT_CAPACITY = 5;

/**
 * Customer service (消息分流, seed 000 §3): shops with agents in skill
 * groups; a customer's service conversation with a shop is an ordinary
 * conversation whose routing state (queued / assigned / closed, agent,
 * session, rating) the ServiceRouter keeps. Every request that changes
 * routing state runs as a routing pass of the shop's router.
 */
export class CustomerService implements RoutingListener {
  constructor(
    private readonly store: ServiceStore,
    private readonly router: ServiceRouter,
    private readonly identity: IdentityStore,
    private readonly outbox: Outbox,
    private readonly opts: CustomerServiceOptions,
    private readonly membersChangedHere: (conversationIds: readonly number[]) => void,
    private readonly clock: () => number = Date.now,
    /** Users' apps (ADR 0013): a shop is its admin's app's; agents and customers are of that app. */
    private readonly apps: AppLinks | null = null,
  ) {
    router.listen(this);
  }

  // ------------------------------------------------------------- shops and agents

  async createShop(callerId: UserId, name: string, skills: readonly string[]): Promise<Shop> {
    const clean = name.trim();
    if (clean === '' || clean.length > LIMITS.name) throw new XinboxError(Errors.INVALID_ARGUMENT, `name must be 1-${LIMITS.name} characters`);
    const shop = await this.store.createShop(clean, callerId, checkSkills(skills), this.clock());
    return this.shopToWire(shop, callerId);
  }

  async getShop(callerId: UserId, shopId: ShopId): Promise<Shop> {
    return this.shopToWire(await this.requireShop(shopId, callerId), callerId);
  }

  async setAgent(callerId: UserId, shopId: ShopId, userId: UserId, skills: readonly string[], capacity: number, remove: boolean): Promise<Shop> {
    const shop = await this.requireShop(shopId, callerId);
    if (shop.adminId !== callerId) throw new XinboxError(Errors.NOT_SHOP_ADMIN);
    if (remove) {
      await this.store.removeAgent(shopId, userId);
    } else {
      const [user] = await this.identity.getUsers([userId]);
      if (!user) throw new XinboxError(Errors.NOT_FOUND, 'no such user');
      await this.apps?.requireSameApp(shop.adminId, userId);
      const wanted = checkSkills(skills);
      for (const s of wanted) if (!shop.skills.includes(s)) throw new XinboxError(Errors.UNKNOWN_SKILL, `the shop has no skill group ${s}`);
      if (capacity > LIMITS.capacity) throw new XinboxError(Errors.INVALID_ARGUMENT, `capacity must be at most ${LIMITS.capacity}`);
      const agents = await this.store.listAgents(shopId);
      const current = agents.find((a) => a.userId === userId);
      if (!current && agents.length >= LIMITS.agents) throw new XinboxError(Errors.SHOP_LIMIT, `a shop has at most ${LIMITS.agents} agents`);
      await this.store.putAgent({ shopId, userId, skills: wanted, capacity: capacity || DEFAULT_CAPACITY, available: current?.available ?? false });
    }
    // A removed agent's conversations (or a lowered capacity) are routed again at once.
    await this.router.transact(shopId, () => undefined);
    return this.shopToWire(shop, callerId);
  }

  /** An agent switches themself available (takes new conversations) or not. */
  async setAvailable(callerId: UserId, shopId: ShopId, available: boolean): Promise<ServiceBoard> {
    const shop = await this.requireShop(shopId);
    const agent = (await this.store.listAgents(shopId)).find((a) => a.userId === callerId);
    if (!agent) throw new XinboxError(Errors.NOT_AN_AGENT);
    await this.store.putAgent({ ...agent, available });
    return this.board(callerId, shop.id);
  }

  /** The workbench: the queue, the caller's active conversations (an admin sees all), the agents. */
  async board(callerId: UserId, shopId: ShopId): Promise<ServiceBoard> {
    const { tx } = await this.router.transact(shopId, (t) => {
      if (t.shop.adminId !== callerId && !t.agent(callerId)) throw new XinboxError(Errors.NOT_AN_AGENT);
    });
    const queued = tx.byStatus('queued');
    const active = tx.byStatus('assigned').filter((r) => tx.shop.adminId === callerId || r.agentId === callerId);
    const names = await this.names([...queued, ...active].map((r) => r.customerId).concat(tx.agents.map((a) => a.userId)));
    const positions = queuePositions(queued);
    return create(ServiceBoardSchema, {
      shopId: String(shopId),
      queue: queued.map((r) => serviceToWire(r, tx.shop, names.get(r.customerId) ?? '', positions.get(r.conversationId) ?? 0)),
      active: active.map((r) => serviceToWire(r, tx.shop, names.get(r.customerId) ?? '', 0)),
      agents: tx.agents.map((a) => agentToWire(a, tx.loadOf(a.userId), names.get(a.userId) ?? '')),
    });
  }

  // ------------------------------------------------------------- conversations

  /** A customer opens (or returns to) their service conversation with the shop; a closed one starts a new session in the queue. */
  async open(callerId: UserId, shopId: ShopId, skill: string, itemId: string, orderId: string): Promise<ServiceConversation> {
    const shop = await this.requireShop(shopId, callerId);
    if (skill !== '' && !shop.skills.includes(skill)) throw new XinboxError(Errors.UNKNOWN_SKILL, `the shop has no skill group ${skill}`);
    if (itemId.length > LIMITS.ref || orderId.length > LIMITS.ref) throw new XinboxError(Errors.INVALID_ARGUMENT, `item and order ids are at most ${LIMITS.ref} characters`);
    const { record } = await this.store.openConversation(shopId, callerId, this.clock());
    const { tx } = await this.router.transact(shopId, async (t) => {
      const r = (await t.get(record.conversationId))!;
      if (r.status !== 'closed') return;
      if (t.byStatus('queued').length >= this.opts.maxQueue) throw new XinboxError(Errors.SHOP_LIMIT, 'the shop\'s queue is full; try again later');
      t.set({
        ...r, status: 'queued', agentId: 0, skipAgentId: 0, skill, itemId, orderId, session: r.session + 1, openedAt: t.now,
        queuedAt: t.now, assignedAt: 0, assignedSeq: 0, answered: false, closedAt: 0, rating: 0, ratingComment: '',
      }, 'queued');
    });
    return this.current(tx, record.conversationId);
  }

  /** Hand a conversation to a named agent, or (toAgentId 0) back to the router for another agent. */
  async transfer(callerId: UserId, shopId: ShopId, conversationId: number, toAgentId: UserId, skill: string | undefined): Promise<ServiceConversation> {
    const { tx } = await this.router.transact(shopId, async (t) => {
      const r = await this.openRow(t, conversationId);
      if (r.agentId !== callerId && t.shop.adminId !== callerId) throw new XinboxError(Errors.NOT_AN_AGENT, 'only the serving agent or the shop admin may transfer');
      const nextSkill = skill === undefined || skill === '' ? r.skill : skill;
      if (!t.shop.skills.includes(nextSkill) && nextSkill !== '') throw new XinboxError(Errors.UNKNOWN_SKILL);
      if (toAgentId) {
        const load = t.loadOf(toAgentId);
        if (!load || toAgentId === r.agentId || !canTake(load, nextSkill, 0)) throw new XinboxError(Errors.AGENT_UNAVAILABLE);
        t.set({ ...r, skill: nextSkill, status: 'assigned', agentId: toAgentId, lastAgentId: toAgentId, assignedAt: t.now, answered: false }, 'transferred');
      } else {
        t.set({ ...r, skill: nextSkill, status: 'queued', agentId: 0, skipAgentId: r.agentId || r.skipAgentId }, 'transferred');
      }
    });
    return this.current(tx, conversationId);
  }

  /** The customer, the serving agent or the admin ends the session. */
  async close(callerId: UserId, shopId: ShopId, conversationId: number): Promise<ServiceConversation> {
    const { tx } = await this.router.transact(shopId, async (t) => {
      const r = await this.openRow(t, conversationId);
      if (r.customerId !== callerId && r.agentId !== callerId && t.shop.adminId !== callerId) throw new XinboxError(Errors.PERMISSION_DENIED);
      t.set({ ...r, status: 'closed', agentId: 0, closedAt: t.now }, 'closed');
    });
    return this.current(tx, conversationId);
  }

  /** The customer rates a closed session, once. */
  async rate(callerId: UserId, shopId: ShopId, conversationId: number, score: number, comment: string): Promise<ServiceConversation> {
    if (!Number.isInteger(score) || score < 1 || score > 5) throw new XinboxError(Errors.INVALID_ARGUMENT, 'score must be 1-5');
    if (comment.length > LIMITS.comment) throw new XinboxError(Errors.INVALID_ARGUMENT, `comment is at most ${LIMITS.comment} characters`);
    const { tx } = await this.router.transact(shopId, async (t) => {
      const r = await t.get(conversationId);
      if (!r || r.customerId !== callerId) throw new XinboxError(Errors.NOT_FOUND, 'no such service conversation of yours');
      if (r.status !== 'closed' || r.session === 0) throw new XinboxError(Errors.SERVICE_NOT_CLOSED);
      if (r.rating !== 0) throw new XinboxError(Errors.ALREADY_RATED);
      t.set({ ...r, rating: score, ratingComment: comment }, 'rated');
    });
    return this.current(tx, conversationId);
  }

  // ------------------------------------------------------------- RoutingListener

  membersChanged(conversationIds: readonly number[]): void {
    this.membersChangedHere(conversationIds);
  }

  changed(tx: RoutingTx, updates: Parameters<RoutingListener['changed']>[1]): void {
    void this.names(updates.map((u) => u.next.customerId)).then((names) => {
      const pushes: UserPush[] = [];
      const agents = tx.agents.map((a) => a.userId);
      for (const u of updates) {
        const wire = serviceToWire(u.next, tx.shop, names.get(u.next.customerId) ?? '', u.positions.get(u.next.conversationId) ?? 0);
        const frame = withLengthPrefix(encodeFrame({ body: { case: 'serviceEvent', value: { conversation: wire, reason: u.reason } } }));
        // The customer always; a routing change also reaches the shop's agents (their workbench queue) and admin.
        const to = new Set<UserId>([u.next.customerId]);
        if (u.reason !== 'position') for (const a of [...agents, tx.shop.adminId, u.prev?.agentId ?? 0, u.next.lastAgentId]) if (a) to.add(a);
        for (const userId of to) pushes.push({ userId, frame, syncSeq: 0 });
      }
      this.outbox.toUsers(pushes);
    }, () => undefined);
  }

  // ------------------------------------------------------------- helpers

  private async openRow(t: RoutingTx, conversationId: number): Promise<ServiceConversationRecord> {
    const r = await t.get(conversationId);
    if (!r) throw new XinboxError(Errors.NOT_FOUND, 'no such service conversation in this shop');
    if (r.status === 'closed') throw new XinboxError(Errors.SERVICE_CLOSED);
    return r;
  }

  private async current(tx: RoutingTx, conversationId: number): Promise<ServiceConversation> {
    const r = (await tx.get(conversationId))!;
    const names = await this.names([r.customerId]);
    return serviceToWire(r, tx.shop, names.get(r.customerId) ?? '', queuePositions(tx.byStatus('queued')).get(conversationId) ?? 0);
  }

  /** The shop, or SHOP_NOT_FOUND; with `callerId`, also for a shop of another app (it does not exist for the caller). */
  private async requireShop(shopId: ShopId, callerId?: UserId): Promise<ShopRecord> {
    const shop = await this.store.getShop(shopId);
    if (!shop) throw new XinboxError(Errors.SHOP_NOT_FOUND);
    if (this.apps && callerId !== undefined && callerId !== shop.adminId) {
      await this.apps.requireSameApp(callerId, shop.adminId).catch(() => {
        throw new XinboxError(Errors.SHOP_NOT_FOUND);
      });
    }
    return shop;
  }

  private async shopToWire(shop: ShopRecord, callerId: UserId): Promise<Shop> {
    const agents = await this.store.listAgents(shop.id);
    const insider = shop.adminId === callerId || agents.some((a) => a.userId === callerId);
    const names = insider ? await this.names(agents.map((a) => a.userId)) : new Map<UserId, string>();
    return create(ShopSchema, {
      shopId: String(shop.id), name: shop.name, adminId: String(shop.adminId), skills: [...shop.skills],
      agents: insider ? agents.map((a) => agentToWire(a, undefined, names.get(a.userId) ?? '')) : [],
    });
  }

  private async names(userIds: readonly UserId[]): Promise<Map<UserId, string>> {
    const users = await this.identity.getUsers([...new Set(userIds)]);
    return new Map(users.map((u) => [u.id, u.username]));
  }
}

function checkSkills(skills: readonly string[]): string[] {
  const out = [...new Set(skills.map((s) => s.trim()).filter(Boolean))];
  if (out.length > LIMITS.skills) throw new XinboxError(Errors.SHOP_LIMIT, `at most ${LIMITS.skills} skill groups`);
  for (const s of out) if (s.length > LIMITS.skill || !SKILL.test(s)) throw new XinboxError(Errors.INVALID_ARGUMENT, `skill names are 1-${LIMITS.skill} letters, digits, _ or -`);
  return out;
}
