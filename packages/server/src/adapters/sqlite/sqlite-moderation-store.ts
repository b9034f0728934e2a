import type Database from 'better-sqlite3';
import type { UserId } from '../../core/model.js';
import type { AuditEntry, ModerationStore, ReportRecord, ReportStatus, RestrictionPatch, RestrictionRecord } from '../../core/ports/moderation-store.js';
import { auditOf as audit, reportOf as report, restrictionOf as restriction, type AuditRow, type ReportRow, type RestrictionRow } from '../moderation-rows.js';

/** ModerationStore on SQLite; each write with its audit entry is one transaction. */
export class SqliteModerationStore implements ModerationStore {
  private readonly s;
  private readonly resolveTx;
  private readonly restrictTx;

  constructor(db: Database.Database) {
    this.s = {
      add: db.prepare(`INSERT INTO reports (id, message_id, conversation_id, sender_id, reporter_id, reason, excerpt, status, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      get: db.prepare<[string], ReportRow>('SELECT * FROM reports WHERE id = ?'),
      list: db.prepare<[string, number], ReportRow>('SELECT * FROM reports WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ?'),
      resolve: db.prepare(`UPDATE reports SET status = 'resolved', resolved_by = ?, resolution = ?, resolved_at = ? WHERE id = ? AND status = 'open'`),
      restrict: db.prepare<[number, number, number, number, number, number | null, number | null, number | null, number], RestrictionRow>(
        `INSERT INTO restrictions (user_id, muted_until, banned, banned_until, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET muted_until = coalesce(?, muted_until), banned = coalesce(?, banned),
         banned_until = coalesce(?, banned_until), updated_at = ?
         RETURNING *`),
      getRestriction: db.prepare<[number], RestrictionRow>('SELECT * FROM restrictions WHERE user_id = ?'),
      audit: db.prepare('INSERT INTO moderation_audit (at, actor_id, action, target_user_id, report_id, detail) VALUES (?, ?, ?, ?, ?, ?)'),
      readAudit: db.prepare<[number, number], AuditRow>('SELECT * FROM moderation_audit WHERE seq > ? ORDER BY seq LIMIT ?'),
    };
    const writeAudit = (a: Omit<AuditEntry, 'seq'>) => this.s.audit.run(a.at, a.actorId, a.action, a.targetUserId, a.reportId, a.detail);
    this.resolveTx = db.transaction((id: string, by: number, resolution: string, at: number, a: Omit<AuditEntry, 'seq'>): boolean => {
      if (this.s.resolve.run(by, resolution, at, id).changes === 0) return false;
      writeAudit(a);
      return true;
    });
    this.restrictTx = db.transaction((userId: number, p: RestrictionPatch, at: number, a: Omit<AuditEntry, 'seq'>): RestrictionRecord => {
      const banned = p.banned === undefined ? null : p.banned ? 1 : 0;
      const row = this.s.restrict.get(userId, p.mutedUntil ?? 0, banned ?? 0, p.bannedUntil ?? 0, at,
        p.mutedUntil ?? null, banned, p.bannedUntil ?? null, at)!;
      writeAudit(a);
      return restriction(row);
    });
  }

  async addReport(r: ReportRecord): Promise<void> {
    this.s.add.run(r.id, r.messageId, r.conversationId, r.senderId, r.reporterId, r.reason, r.excerpt, r.status, r.createdAt);
  }

  async getReport(id: string): Promise<ReportRecord | null> {
    const r = this.s.get.get(id);
    return r ? report(r) : null;
  }

  async listReports(status: ReportStatus, limit: number): Promise<ReportRecord[]> {
    return this.s.list.all(status, limit).map(report);
  }

  async resolveReport(id: string, by: UserId, resolution: string, at: number, a: Omit<AuditEntry, 'seq'>): Promise<boolean> {
    return this.resolveTx(id, by, resolution, at, a);
  }

  async restrict(userId: UserId, patch: RestrictionPatch, at: number, a: Omit<AuditEntry, 'seq'>): Promise<RestrictionRecord> {
    return this.restrictTx(userId, patch, at, a);
  }

  async getRestriction(userId: UserId): Promise<RestrictionRecord | null> {
    const r = this.s.getRestriction.get(userId);
    return r ? restriction(r) : null;
  }

  async readAudit(afterSeq: number, limit: number): Promise<AuditEntry[]> {
    return this.s.readAudit.all(afterSeq, limit).map(audit);
  }
}
