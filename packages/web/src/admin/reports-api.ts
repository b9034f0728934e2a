/** The moderation queue's calls (/v1/admin/reports). */
import type { AdminApi } from './admin-api.js';

export interface AdminReport {
  readonly id: string;
  readonly messageId: string;
  readonly conversationId: string;
  readonly senderId: string;
  /** "0": flagged by the content filter. */
  readonly reporterId: string;
  readonly reason: string;
  readonly excerpt: string;
  readonly status: 'open' | 'resolved';
  readonly createdAt: number;
  readonly resolution: string;
  readonly resolvedAt: number;
}

export type ReportAction = { action: 'dismiss' } | { action: 'mute' | 'ban'; minutes?: number };

export async function listReports(api: AdminApi, status: 'open' | 'resolved'): Promise<AdminReport[]> {
  return ((await api.call('GET', `/v1/admin/reports?status=${status}&limit=100`)) as { reports: AdminReport[] }).reports;
}

export async function resolveReport(api: AdminApi, reportId: string, action: ReportAction, note: string): Promise<AdminReport> {
  return (await api.call('POST', `/v1/admin/reports/${encodeURIComponent(reportId)}/resolve`, { ...action, note })) as AdminReport;
}
