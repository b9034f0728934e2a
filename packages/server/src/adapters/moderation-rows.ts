/**
 * Row shapes of the moderation tables and their mapping to port records,
 * shared by the SQLite and PostgreSQL ModerationStores (the tables have the
 * same columns; SQLite returns booleans as 0/1, PostgreSQL as booleans).
 */
import type { AuditEntry, ReportRecord, ReportStatus, RestrictionRecord } from '../core/ports/moderation-store.js';

export interface ReportRow {
  id: string; message_id: string; conversation_id: number; sender_id: number; reporter_id: number; reason: string; excerpt: string;
  status: ReportStatus; created_at: number; resolved_by: number; resolution: string; resolved_at: number;
}
export interface RestrictionRow { user_id: number; muted_until: number; banned: boolean | number; banned_until: number; updated_at: number }
export interface AuditRow { seq: number; at: number; actor_id: number; action: string; target_user_id: number; report_id: string; detail: string }

export const reportOf = (r: ReportRow): ReportRecord => ({
  id: r.id, messageId: r.message_id, conversationId: r.conversation_id, senderId: r.sender_id, reporterId: r.reporter_id, reason: r.reason,
  excerpt: r.excerpt, status: r.status, createdAt: r.created_at, resolvedBy: r.resolved_by, resolution: r.resolution, resolvedAt: r.resolved_at,
});

export const restrictionOf = (r: RestrictionRow): RestrictionRecord => ({
  userId: r.user_id, mutedUntil: r.muted_until, banned: Boolean(r.banned), bannedUntil: r.banned_until, updatedAt: r.updated_at,
});

export const auditOf = (r: AuditRow): AuditEntry => ({
  seq: r.seq, at: r.at, actorId: r.actor_id, action: r.action, targetUserId: r.target_user_id, reportId: r.report_id, detail: r.detail,
});
