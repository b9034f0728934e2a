import type { UserId } from '../../core/model.js';
import type { AuditEntry, ModerationStore, ReportRecord, ReportStatus, RestrictionPatch, RestrictionRecord } from '../../core/ports/moderation-store.js';

/** In-memory ModerationStore; every call runs to completion synchronously, hence atomically. */
export class MemoryModerationStore implements ModerationStore {
  private readonly reports = new Map<string, ReportRecord>();
  private readonly restrictions = new Map<UserId, RestrictionRecord>();
  private readonly audit: AuditEntry[] = [];

  async addReport(report: ReportRecord): Promise<void> {
    if (!this.reports.has(report.id)) this.reports.set(report.id, Object.freeze({ ...report }));
  }

  async getReport(id: string): Promise<ReportRecord | null> {
    return this.reports.get(id) ?? null;
  }

  async listReports(status: ReportStatus, limit: number): Promise<ReportRecord[]> {
    return [...this.reports.values()].filter((r) => r.status === status)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).slice(0, limit);
  }

  async resolveReport(id: string, by: UserId, resolution: string, at: number, audit: Omit<AuditEntry, 'seq'>): Promise<boolean> {
    const r = this.reports.get(id);
    if (!r || r.status !== 'open') return false;
    this.reports.set(id, Object.freeze({ ...r, status: 'resolved', resolvedBy: by, resolution, resolvedAt: at }));
    this.audit.push(Object.freeze({ ...audit, seq: this.audit.length + 1 }));
    return true;
  }

  async restrict(userId: UserId, patch: RestrictionPatch, at: number, audit: Omit<AuditEntry, 'seq'>): Promise<RestrictionRecord> {
    const old = this.restrictions.get(userId);
    const row: RestrictionRecord = Object.freeze({
      userId, mutedUntil: patch.mutedUntil ?? old?.mutedUntil ?? 0, banned: patch.banned ?? old?.banned ?? false,
      bannedUntil: patch.bannedUntil ?? old?.bannedUntil ?? 0, updatedAt: at,
    });
    this.restrictions.set(userId, row);
    this.audit.push(Object.freeze({ ...audit, seq: this.audit.length + 1 }));
    return row;
  }

  async getRestriction(userId: UserId): Promise<RestrictionRecord | null> {
    return this.restrictions.get(userId) ?? null;
  }

  async readAudit(afterSeq: number, limit: number): Promise<AuditEntry[]> {
    return this.audit.slice(Math.max(0, afterSeq), Math.max(0, afterSeq) + limit);
  }
}
