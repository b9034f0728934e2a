import type Database from 'better-sqlite3';
import type { ConversationId, UserId } from '../../core/model.js';
import type { AgentRecord, ServiceConversationRecord, ServiceStatus, ServiceStore, ShopId, ShopRecord } from '../../core/ports/service-store.js';
import { bareConversationStatements } from './sqlite-commerce-rows.js';

interface ShopRow { id: number; name: string; admin_id: number; skills: string; version: number; created_at: number }
interface AgentRow { shop_id: number; user_id: number; skills: string; capacity: number; available: number }
interface ServiceRow {
  conversation_id: number; shop_id: number; customer_id: number; status: ServiceStatus; agent_id: number; last_agent_id: number;
  skip_agent_id: number; skill: string; item_id: string; order_id: string; session: number; opened_at: number; queued_at: number;
  assigned_at: number; assigned_seq: number; answered: number; closed_at: number; rating: number; rating_comment: string;
}

const shop = (r: ShopRow): ShopRecord => ({ id: r.id, name: r.name, adminId: r.admin_id, skills: JSON.parse(r.skills) as string[], version: r.version, createdAt: r.created_at });
const agent = (r: AgentRow): AgentRecord => ({ shopId: r.shop_id, userId: r.user_id, skills: JSON.parse(r.skills) as string[], capacity: r.capacity, available: r.available !== 0 });
export const serviceRecord = (r: ServiceRow): ServiceConversationRecord => ({
  conversationId: r.conversation_id, shopId: r.shop_id, customerId: r.customer_id, status: r.status, agentId: r.agent_id,
  lastAgentId: r.last_agent_id, skipAgentId: r.skip_agent_id, skill: r.skill, itemId: r.item_id, orderId: r.order_id, session: r.session,
  openedAt: r.opened_at, queuedAt: r.queued_at, assignedAt: r.assigned_at, assignedSeq: r.assigned_seq, answered: r.answered !== 0,
  closedAt: r.closed_at, rating: r.rating, ratingComment: r.rating_comment,
});

/**
 * ServiceStore on SQLite (served by the storage thread). openConversation and
 * commitRouting are single transactions under the single writer; the
 * version compare-and-swap is a conditional UPDATE of the shop row.
 */
export class SqliteServiceStore implements ServiceStore {
  private readonly stmts;
  private readonly openTx;
  private readonly commitTx;

  constructor(db: Database.Database) {
    const bare = bareConversationStatements(db);
    this.stmts = {
      insertShop: db.prepare<[string, number, string, number], ShopRow>('INSERT INTO shops (name, admin_id, skills, created_at) VALUES (?, ?, ?, ?) RETURNING *'),
      getShop: db.prepare<[number], ShopRow>('SELECT * FROM shops WHERE id = ?'),
      putAgent: db.prepare(`INSERT INTO shop_agents (shop_id, user_id, skills, capacity, available) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (shop_id, user_id) DO UPDATE SET skills = excluded.skills, capacity = excluded.capacity, available = excluded.available`),
      removeAgent: db.prepare('DELETE FROM shop_agents WHERE shop_id = ? AND user_id = ?'),
      listAgents: db.prepare<[number], AgentRow>('SELECT * FROM shop_agents WHERE shop_id = ? ORDER BY user_id'),
      shopsOfAgent: db.prepare<[number], number>('SELECT shop_id FROM shop_agents WHERE user_id = ? ORDER BY shop_id').pluck(),
      byCustomer: db.prepare<[number, number], number>('SELECT conversation_id FROM service_conversations WHERE shop_id = ? AND customer_id = ?').pluck(),
      insertRow: db.prepare("INSERT INTO service_conversations (conversation_id, shop_id, customer_id, status, opened_at) VALUES (?, ?, ?, 'closed', ?)"),
      get: db.prepare<[number], ServiceRow>('SELECT * FROM service_conversations WHERE conversation_id = ?'),
      listOpen: db.prepare<[number], ServiceRow>("SELECT * FROM service_conversations WHERE shop_id = ? AND status <> 'closed' ORDER BY queued_at, conversation_id"),
      shopsWithOpen: db.prepare<[number], number>("SELECT DISTINCT shop_id FROM service_conversations WHERE status <> 'closed' ORDER BY shop_id LIMIT ?").pluck(),
      bumpVersion: db.prepare('UPDATE shops SET version = version + 1 WHERE id = ? AND version = ?'),
      updateRow: db.prepare(`UPDATE service_conversations SET status = @status, agent_id = @agentId, last_agent_id = @lastAgentId,
        skip_agent_id = @skipAgentId, skill = @skill, item_id = @itemId, order_id = @orderId, session = @session, opened_at = @openedAt,
        queued_at = @queuedAt, assigned_at = @assignedAt, assigned_seq = @assignedSeq, answered = @answered, closed_at = @closedAt,
        rating = @rating, rating_comment = @ratingComment WHERE conversation_id = @conversationId AND shop_id = @commitShop`),
    };
    this.openTx = db.transaction((shopId: ShopId, customerId: UserId, now: number) => {
      const existing = this.stmts.byCustomer.get(shopId, customerId);
      if (existing !== undefined) return { id: existing, created: false };
      const id = bare.insert('group', [customerId], now);
      this.stmts.insertRow.run(id, shopId, customerId, now);
      return { id, created: true };
    });
    this.commitTx = db.transaction((shopId: ShopId, expectVersion: number, rows: readonly ServiceConversationRecord[]) => {
      if (this.stmts.bumpVersion.run(shopId, expectVersion).changes === 0) return false;
      for (const r of rows) {
        const changed = this.stmts.updateRow.run({ ...r, answered: r.answered ? 1 : 0, commitShop: shopId }).changes;
        // A row of another shop (or none): undo the whole commit.
        if (changed === 0) throw new RowMissing();
      }
      return true;
    });
  }

  async createShop(name: string, adminId: UserId, skills: readonly string[], now: number): Promise<ShopRecord> {
    return shop(this.stmts.insertShop.get(name, adminId, JSON.stringify(skills), now)!);
  }

  async getShop(id: ShopId): Promise<ShopRecord | null> {
    const r = this.stmts.getShop.get(id);
    return r ? shop(r) : null;
  }

  async putAgent(a: AgentRecord): Promise<void> {
    this.stmts.putAgent.run(a.shopId, a.userId, JSON.stringify(a.skills), a.capacity, a.available ? 1 : 0);
  }

  async removeAgent(shopId: ShopId, userId: UserId): Promise<boolean> {
    return this.stmts.removeAgent.run(shopId, userId).changes > 0;
  }

  async listAgents(shopId: ShopId): Promise<AgentRecord[]> {
    return this.stmts.listAgents.all(shopId).map(agent);
  }

  async shopsOfAgent(userId: UserId): Promise<ShopId[]> {
    return this.stmts.shopsOfAgent.all(userId);
  }

  async openConversation(shopId: ShopId, customerId: UserId, now: number): Promise<{ record: ServiceConversationRecord; created: boolean }> {
    const { id, created } = this.openTx.immediate(shopId, customerId, now);
    return { record: serviceRecord(this.stmts.get.get(id)!), created };
  }

  async getConversation(conversationId: ConversationId): Promise<ServiceConversationRecord | null> {
    const r = this.stmts.get.get(conversationId);
    return r ? serviceRecord(r) : null;
  }

  async listOpen(shopId: ShopId): Promise<ServiceConversationRecord[]> {
    return this.stmts.listOpen.all(shopId).map(serviceRecord);
  }

  async shopsWithOpen(limit: number): Promise<ShopId[]> {
    return this.stmts.shopsWithOpen.all(limit);
  }

  async commitRouting(shopId: ShopId, expectVersion: number, rows: readonly ServiceConversationRecord[]): Promise<boolean> {
    try {
      return this.commitTx(shopId, expectVersion, rows);
    } catch (e) {
      if (e instanceof RowMissing) return false;
      throw e;
    }
  }
}

class RowMissing extends Error {}
