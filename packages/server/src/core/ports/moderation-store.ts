import type { ConversationId, MessageId, UserId } from '../model.js';

export type ReportStatus = 'open' | 'resolved';

/** A message reported by a user, or flagged by the filter (reporterId 0). */
export interface ReportRecord {
  readonly id: string;
  readonly messageId: MessageId;
  readonly conversationId: ConversationId;
  readonly senderId: UserId;
  /** 0: the sensitive-word filter. */
  readonly reporterId: UserId;
  readonly reason: string;
  /** The reported text as it was stored (for the reviewer). */
  readonly excerpt: string;
  readonly status: ReportStatus;
  readonly createdAt: number;
  readonly resolvedBy: UserId;
  readonly resolution: string;
  readonly resolvedAt: number;
}

/** The fields of a restriction a `restrict` call changes; absent ones keep their value. */
export interface RestrictionPatch {
  readonly mutedUntil?: number;
  readonly banned?: boolean;
  readonly bannedUntil?: number;
}

/** Account-wide restrictions set by moderators (and by operators through the admin API). */
export interface RestrictionRecord {
  readonly userId: UserId;
  /** Muted everywhere (no sends) until this time; 0 = not muted. */
  readonly mutedUntil: number;
  readonly banned: boolean;
  /** When banned: the ban ends at this time (ms); 0 = until unbanned. */
  readonly bannedUntil: number;
  readonly updatedAt: number;
}

export interface AuditEntry {
  /** 1, 2, 3, ... in commit order. */
  readonly seq: number;
  readonly at: number;
  readonly actorId: UserId;
  readonly action: string;
  readonly targetUserId: UserId;
  readonly reportId: string;
  readonly detail: string;
}

/**
 * Reports, account restrictions and the moderation audit log.
 *
 * Contract:
 * - `resolveReport` is a compare-and-swap from 'open': of concurrent calls
 *   for one report exactly one returns true.
 * - `restrict` and the audit entry it carries commit together (never a
 *   restriction without its audit entry); audit seqs are 1, 2, 3, ... without
 *   holes, in commit order.
 * - `restrict` changes only the fields it names.
 */
export interface ModerationStore {
  addReport(report: ReportRecord): Promise<void>;
  getReport(id: string): Promise<ReportRecord | null>;
  /** Newest first. */
  listReports(status: ReportStatus, limit: number): Promise<ReportRecord[]>;
  resolveReport(id: string, by: UserId, resolution: string, at: number, audit: Omit<AuditEntry, 'seq'>): Promise<boolean>;
  restrict(userId: UserId, patch: RestrictionPatch, at: number, audit: Omit<AuditEntry, 'seq'>): Promise<RestrictionRecord>;
  getRestriction(userId: UserId): Promise<RestrictionRecord | null>;
  /** Entries with seq > afterSeq, ascending. */
  readAudit(afterSeq: number, limit: number): Promise<AuditEntry[]>;
}
