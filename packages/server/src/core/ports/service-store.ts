import type { ConversationId, UserId } from '../model.js';

export type ShopId = number;

export interface ShopRecord {
  readonly id: ShopId;
  readonly name: string;
  readonly adminId: UserId;
  /** The skill groups customers may ask for (e.g. "presale", "aftersale"). */
  readonly skills: readonly string[];
  /** Fencing token of the shop's routing state: bumped by every commitRouting. */
  readonly version: number;
  readonly createdAt: number;
}

export interface AgentRecord {
  readonly shopId: ShopId;
  readonly userId: UserId;
  readonly skills: readonly string[];
  /** Most conversations the agent handles at once. */
  readonly capacity: number;
  /** The agent's own switch; routing also requires the agent to be online. */
  readonly available: boolean;
}

export type ServiceStatus = 'queued' | 'assigned' | 'closed';

/** Routing state of a customer's service conversation with a shop (one per (shop, customer)). */
export interface ServiceConversationRecord {
  readonly conversationId: ConversationId;
  readonly shopId: ShopId;
  readonly customerId: UserId;
  readonly status: ServiceStatus;
  /** Serving agent; 0 unless assigned. */
  readonly agentId: UserId;
  /** The agent who served this customer last (sticky routing); 0: none yet. */
  readonly lastAgentId: UserId;
  /** An agent not to route to in this session (did not answer in time); 0: none. */
  readonly skipAgentId: UserId;
  readonly skill: string;
  readonly itemId: string;
  readonly orderId: string;
  /** 1, 2, 3 ... one per opening; 0 before the first. */
  readonly session: number;
  readonly openedAt: number;
  /** Queue order key: when the session entered the queue (kept when rerouted, so it keeps its place). */
  readonly queuedAt: number;
  readonly assignedAt: number;
  /** The conversation's lastSeq when the agent was assigned: an agent message above it is an answer. */
  readonly assignedSeq: number;
  readonly answered: boolean;
  readonly closedAt: number;
  readonly rating: number;
  readonly ratingComment: string;
}

/**
 * Shops, their agents, and the routing state of service conversations. The
 * conversations themselves are ordinary conversations (kind 'group' without a
 * group row) in the same database; this store creates them and keeps the
 * routing state beside them. Membership changes go through ConversationStore.
 *
 * Contract:
 * - Shop ids are positive and unique.
 * - `openConversation` is atomic on (shop, customer): concurrent calls return
 *   the same conversation and row; exactly one reports created = true. A new
 *   row has status 'closed', session 0, and the customer as the
 *   conversation's only member.
 * - `commitRouting` is a compare-and-swap on the shop's version: it writes
 *   every row and bumps the version only when the version is `expectVersion`;
 *   otherwise it writes nothing and returns false. So of two routers acting on
 *   one shop state, exactly one commits (the fence of single ownership).
 * - `listOpen` returns queued and assigned rows in queue order (queuedAt,
 *   then conversation id).
 */
export interface ServiceStore {
  createShop(name: string, adminId: UserId, skills: readonly string[], now: number): Promise<ShopRecord>;
  getShop(id: ShopId): Promise<ShopRecord | null>;
  /** Inserts or replaces an agent row. */
  putAgent(agent: AgentRecord): Promise<void>;
  removeAgent(shopId: ShopId, userId: UserId): Promise<boolean>;
  /** Agents of a shop ordered by user id. */
  listAgents(shopId: ShopId): Promise<AgentRecord[]>;
  /** Shops in which the user is an agent. */
  shopsOfAgent(userId: UserId): Promise<ShopId[]>;
  openConversation(shopId: ShopId, customerId: UserId, now: number): Promise<{ record: ServiceConversationRecord; created: boolean }>;
  getConversation(conversationId: ConversationId): Promise<ServiceConversationRecord | null>;
  listOpen(shopId: ShopId): Promise<ServiceConversationRecord[]>;
  /** Shops with at least one queued or assigned conversation, at most `limit`. */
  shopsWithOpen(limit: number): Promise<ShopId[]>;
  commitRouting(shopId: ShopId, expectVersion: number, rows: readonly ServiceConversationRecord[]): Promise<boolean>;
}
