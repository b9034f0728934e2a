import type { UserId } from '../../core/model.js';
import type { AuditEntry, ModerationStore, ReportRecord, ReportStatus, RestrictionPatch, RestrictionRecord } from '../../core/ports/moderation-store.js';
import { auditOf as audit, reportOf as report, restrictionOf as restriction, type AuditRow, type ReportRow, type RestrictionRow } from '../moderation-rows.js';
import type { Sql } from './client.js';

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

  async restrict(userId: UserId, p: RestrictionPatch, at: number, a: Omit<AuditEntry, 'seq'>): Promise<RestrictionRecord> {
    return this.sql.begin(async (tx) => {
      const [row] = await tx<RestrictionRow[]>`
        INSERT INTO restrictions (user_id, muted_until, banned, banned_until, updated_at)
        VALUES (${userId}, ${p.mutedUntil ?? 0}, ${p.banned ?? false}, ${p.bannedUntil ?? 0}, ${at})
        ON CONFLICT (user_id) DO UPDATE SET
          muted_until = coalesce(${p.mutedUntil ?? null}::bigint, restrictions.muted_until),
          banned = coalesce(${p.banned ?? null}::boolean, restrictions.banned),
          banned_until = coalesce(${p.bannedUntil ?? null}::bigint, restrictions.banned_until),
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
