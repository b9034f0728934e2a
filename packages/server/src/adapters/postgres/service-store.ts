import type { ConversationId, UserId } from '../../core/model.js';
import type { AgentRecord, ServiceConversationRecord, ServiceStatus, ServiceStore, ShopId, ShopRecord } from '../../core/ports/service-store.js';
import type { Sql } from './client.js';
import { insertBareConversation } from './commerce-rows.js';
import { explainForeignKey, pgErrorCode, PG } from './errors.js';

interface ShopRow { id: number; name: string; admin_id: number; skills: string; version: number; created_at: number }
interface AgentRow { shop_id: number; user_id: number; skills: string; capacity: number; available: boolean }
interface ServiceRow {
  conversation_id: number; shop_id: number; customer_id: number; status: ServiceStatus; agent_id: number; last_agent_id: number;
  skip_agent_id: number; skill: string; item_id: string; order_id: string; session: number; opened_at: number; queued_at: number;
  assigned_at: number; assigned_seq: number; answered: boolean; closed_at: number; rating: number; rating_comment: string;
}

const shop = (r: ShopRow): ShopRecord => ({ id: r.id, name: r.name, adminId: r.admin_id, skills: JSON.parse(r.skills) as string[], version: r.version, createdAt: r.created_at });
const agent = (r: AgentRow): AgentRecord => ({ shopId: r.shop_id, userId: r.user_id, skills: JSON.parse(r.skills) as string[], capacity: r.capacity, available: r.available });
const service = (r: ServiceRow): ServiceConversationRecord => ({
  conversationId: r.conversation_id, shopId: r.shop_id, customerId: r.customer_id, status: r.status, agentId: r.agent_id,
  lastAgentId: r.last_agent_id, skipAgentId: r.skip_agent_id, skill: r.skill, itemId: r.item_id, orderId: r.order_id, session: r.session,
  openedAt: r.opened_at, queuedAt: r.queued_at, assignedAt: r.assigned_at, assignedSeq: r.assigned_seq, answered: r.answered,
  closedAt: r.closed_at, rating: r.rating, ratingComment: r.rating_comment,
});

class Refused extends Error {}

/**
 * ServiceStore on PostgreSQL. commitRouting is one transaction that first
 * moves the shop's version with a conditional UPDATE (the row lock orders
 * two nodes' commits; the loser sees a changed version and writes nothing).
 */
export class PostgresServiceStore implements ServiceStore {
  constructor(private readonly sql: Sql) {}

  async createShop(name: string, adminId: UserId, skills: readonly string[], now: number): Promise<ShopRecord> {
    try {
      const [r] = await this.sql<ShopRow[]>`INSERT INTO shops (name, admin_id, skills, created_at) VALUES (${name}, ${adminId}, ${JSON.stringify(skills)}, ${now}) RETURNING *`;
      return shop(r!);
    } catch (e) {
      throw explainForeignKey(e);
    }
  }

  async getShop(id: ShopId): Promise<ShopRecord | null> {
    const [r] = await this.sql<ShopRow[]>`SELECT * FROM shops WHERE id = ${id}`;
    return r ? shop(r) : null;
  }

  async putAgent(a: AgentRecord): Promise<void> {
    await this.sql`INSERT INTO shop_agents (shop_id, user_id, skills, capacity, available) VALUES (${a.shopId}, ${a.userId}, ${JSON.stringify(a.skills)}, ${a.capacity}, ${a.available})
      ON CONFLICT (shop_id, user_id) DO UPDATE SET skills = excluded.skills, capacity = excluded.capacity, available = excluded.available`;
  }

  async removeAgent(shopId: ShopId, userId: UserId): Promise<boolean> {
    return (await this.sql`DELETE FROM shop_agents WHERE shop_id = ${shopId} AND user_id = ${userId}`).count > 0;
  }

  async listAgents(shopId: ShopId): Promise<AgentRecord[]> {
    return (await this.sql<AgentRow[]>`SELECT * FROM shop_agents WHERE shop_id = ${shopId} ORDER BY user_id`).map(agent);
  }

  async shopsOfAgent(userId: UserId): Promise<ShopId[]> {
    return (await this.sql<Array<{ shop_id: number }>>`SELECT shop_id FROM shop_agents WHERE user_id = ${userId} ORDER BY shop_id`).map((r) => r.shop_id);
  }

  async openConversation(shopId: ShopId, customerId: UserId, now: number): Promise<{ record: ServiceConversationRecord; created: boolean }> {
    const existing = await this.getByCustomer(shopId, customerId);
    if (existing) return { record: existing, created: false };
    try {
      const id = await this.sql.begin(async (tx) => {
        const conversationId = await insertBareConversation(tx, 'group', [customerId], now);
        // A concurrent opener of the same (shop, customer) makes this wait for it, then do nothing.
        const rows = await tx`INSERT INTO service_conversations (conversation_id, shop_id, customer_id, status, opened_at)
          VALUES (${conversationId}, ${shopId}, ${customerId}, 'closed', ${now}) ON CONFLICT (shop_id, customer_id) DO NOTHING RETURNING 1`;
        if (rows.length === 0) throw new Refused();
        return conversationId;
      });
      return { record: (await this.getConversation(id))!, created: true };
    } catch (e) {
      if (!(e instanceof Refused)) throw explainForeignKey(e);
      const winner = await this.getByCustomer(shopId, customerId);
      if (!winner) throw new Error(`service conversation ${shopId}:${customerId} vanished`, { cause: e });
      return { record: winner, created: false };
    }
  }

  private async getByCustomer(shopId: ShopId, customerId: UserId): Promise<ServiceConversationRecord | null> {
    const [r] = await this.sql<ServiceRow[]>`SELECT * FROM service_conversations WHERE shop_id = ${shopId} AND customer_id = ${customerId}`;
    return r ? service(r) : null;
  }

  async getConversation(conversationId: ConversationId): Promise<ServiceConversationRecord | null> {
    const [r] = await this.sql<ServiceRow[]>`SELECT * FROM service_conversations WHERE conversation_id = ${conversationId}`;
    return r ? service(r) : null;
  }

  async listOpen(shopId: ShopId): Promise<ServiceConversationRecord[]> {
    return (await this.sql<ServiceRow[]>`SELECT * FROM service_conversations WHERE shop_id = ${shopId} AND status <> 'closed'
      ORDER BY queued_at, conversation_id`).map(service);
  }

  async shopsWithOpen(limit: number): Promise<ShopId[]> {
    return (await this.sql<Array<{ shop_id: number }>>`SELECT DISTINCT shop_id FROM service_conversations WHERE status <> 'closed'
      ORDER BY shop_id LIMIT ${limit}`).map((r) => r.shop_id);
  }

  async commitRouting(shopId: ShopId, expectVersion: number, rows: readonly ServiceConversationRecord[]): Promise<boolean> {
    try {
      await this.sql.begin(async (tx) => {
        const bumped = await tx`UPDATE shops SET version = version + 1 WHERE id = ${shopId} AND version = ${expectVersion} RETURNING 1`;
        if (bumped.length === 0) throw new Refused();
        for (const r of rows) {
          const done = await tx`UPDATE service_conversations SET status = ${r.status}, agent_id = ${r.agentId}, last_agent_id = ${r.lastAgentId},
            skip_agent_id = ${r.skipAgentId}, skill = ${r.skill}, item_id = ${r.itemId}, order_id = ${r.orderId}, session = ${r.session},
            opened_at = ${r.openedAt}, queued_at = ${r.queuedAt}, assigned_at = ${r.assignedAt}, assigned_seq = ${r.assignedSeq},
            answered = ${r.answered}, closed_at = ${r.closedAt}, rating = ${r.rating}, rating_comment = ${r.ratingComment}
            WHERE conversation_id = ${r.conversationId} AND shop_id = ${shopId} RETURNING 1`;
          if (done.length === 0) throw new Refused();
        }
      });
      return true;
    } catch (e) {
      if (e instanceof Refused) return false;
      if (pgErrorCode(e) === PG.serializationFailure) return false;
      throw e;
    }
  }
}
