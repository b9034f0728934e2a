import type { UserId } from '../../core/model.js';
import type { AuditEntry, ModerationStore, ReportRecord, ReportStatus, RestrictionRecord } from '../../core/ports/moderation-store.js';
import type { Sql } from './client.js';

interface ReportRow {
  id: string; message_id: string; conversation_id: number; sender_id: number; reporter_id: number; reason: string; excerpt: string;
  status: ReportStatus; created_at: number; resolved_by: number; resolution: string; resolved_at: number;
}
interface RestrictionRow { user_id: number; muted_until: number; banned: boolean; updated_at: number }
interface AuditRow { seq: number; at: number; actor_id: number; action: string; target_user_id: number; report_id: string; detail: string }

const report = (r: ReportRow): ReportRecord => ({
  id: r.id, messageId: r.message_id, conversationId: r.conversation_id, senderId: r.sender_id, reporterId: r.reporter_id, reason: r.reason,
  excerpt: r.excerpt, status: r.status, createdAt: r.created_at, resolvedBy: r.resolved_by, resolution: r.resolution, resolvedAt: r.resolved_at,
});
const restriction = (r: RestrictionRow): RestrictionRecord => ({ userId: r.user_id, mutedUntil: r.muted_until, banned: r.banned, updatedAt: r.updated_at });
const audit = (r: AuditRow): AuditEntry => ({
  seq: r.seq, at: r.at, actorId: r.actor_id, action: r.action, targetUserId: r.target_user_id, reportId: r.report_id, detail: r.detail,
});

/**
 * ModerationStore on PostgreSQL. Audit seqs come from a one-row counter
 * locked by `UPDATE ... RETURNING` inside the writing transaction, so they
 * are gapless and in commit order across nodes (a sequence would leave holes
 * on rollback).
 */
export class PostgresModerationStore implements ModerationStore {
  constructor(private readonly sql: Sql) {}

  async addReport(r: ReportRecord): Promise<void> {
    await this.sql`INSERT INTO reports (id, message_id, conversation_id, sender_id, reporter_id, reason, excerpt, status, created_at)
      VALUES (${r.id}, ${r.messageId}, ${r.conversationId}, ${r.senderId}, ${r.reporterId}, ${r.reason}, ${r.excerpt}, ${r.status}, ${r.createdAt})
      ON CONFLICT DO NOTHING`;
  }

  async getReport(id: string): Promise<ReportRecord | null> {
    const [r] = await this.sql<ReportRow[]>`SELECT * FROM reports WHERE id = ${id}`;
    return r ? report(r) : null;
  }

  async listReports(status: ReportStatus, limit: number): Promise<ReportRecord[]> {
    const rows = await this.sql<ReportRow[]>`SELECT * FROM reports WHERE status = ${status} ORDER BY created_at DESC, id DESC LIMIT ${limit}`;
    return rows.map(report);
  }

  async resolveReport(id: string, by: UserId, resolution: string, at: number, a: Omit<AuditEntry, 'seq'>): Promise<boolean> {
    return this.sql.begin(async (tx) => {
      const done = await tx`UPDATE reports SET status = 'resolved', resolved_by = ${by}, resolution = ${resolution}, resolved_at = ${at}
        WHERE id = ${id} AND status = 'open' RETURNING id`;
      if (done.length === 0) return false;
      await this.writeAudit(tx as unknown as Sql, a);
      return true;
    });
  }

  async restrict(userId: UserId, p: { mutedUntil?: number; banned?: boolean }, at: number, a: Omit<AuditEntry, 'seq'>): Promise<RestrictionRecord> {
    return this.sql.begin(async (tx) => {
      const [row] = await tx<RestrictionRow[]>`
        INSERT INTO restrictions (user_id, muted_until, banned, updated_at) VALUES (${userId}, ${p.mutedUntil ?? 0}, ${p.banned ?? false}, ${at})
        ON CONFLICT (user_id) DO UPDATE SET
          muted_until = coalesce(${p.mutedUntil ?? null}::bigint, restrictions.muted_until),
          banned = coalesce(${p.banned ?? null}::boolean, restrictions.banned),
          updated_at = ${at}
        RETURNING *`;
      await this.writeAudit(tx as unknown as Sql, a);
      return restriction(row!);
    });
  }

  async getRestriction(userId: UserId): Promise<RestrictionRecord | null> {
    const [r] = await this.sql<RestrictionRow[]>`SELECT * FROM restrictions WHERE user_id = ${userId}`;
    return r ? restriction(r) : null;
  }

  async readAudit(afterSeq: number, limit: number): Promise<AuditEntry[]> {
    const rows = await this.sql<AuditRow[]>`SELECT * FROM moderation_audit WHERE seq > ${afterSeq} ORDER BY seq LIMIT ${limit}`;
    return rows.map(audit);
  }

  private async writeAudit(tx: Sql, a: Omit<AuditEntry, 'seq'>): Promise<void> {
    const [head] = await tx<Array<{ head: number }>>`UPDATE moderation_audit_head SET head = head + 1 RETURNING head`;
    await tx`INSERT INTO moderation_audit (seq, at, actor_id, action, target_user_id, report_id, detail)
      VALUES (${head!.head}, ${a.at}, ${a.actorId}, ${a.action}, ${a.targetUserId}, ${a.reportId}, ${a.detail})`;
  }
}
