/**
 * The admin console's moderation queue (/v1/admin/reports), behind the admin
 * token: list reports (user reports and filter flags), and resolve one —
 * dismiss, mute the sender for some minutes, or ban them (their devices
 * close with 4011 at once). The very ModerationService path a moderator
 * takes, audited under the operator (actor 0).
 */
import type { FastifyInstance } from 'fastify';
import type { Punishment } from '../core/moderation/moderation-service.js';
import type { ReportRecord, ReportStatus } from '../core/ports/moderation-store.js';
import type { RouteRegistrar } from './http-api.js';
import { adminGuard } from './admin-routes.js';

/** The part of ModerationService these routes use. */
export interface OperatorReports {
  operatorReports(status: ReportStatus, limit: number): Promise<ReportRecord[]>;
  resolveByOperator(reportId: string, action: Punishment, note: string): Promise<ReportRecord>;
}

const errors = { '4xx': { $ref: 'XinboxError#' }, '5xx': { $ref: 'XinboxError#' } } as const;
const security = [{ adminBearer: [] }];
const tags = ['admin console'];
/** Longest timed mute or ban from the console: one year (omit `minutes` for a ban until lifted). */
const MAX_MINUTES = 366 * 24 * 60;

const report = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    messageId: { type: 'string' },
    conversationId: { type: 'string' },
    senderId: { type: 'string' },
    reporterId: { type: 'string', description: '"0": flagged by the content filter' },
    reason: { type: 'string' },
    excerpt: { type: 'string', description: 'The reported text as stored' },
    status: { type: 'string', enum: ['open', 'resolved'] },
    createdAt: { type: 'number' },
    resolvedBy: { type: 'string', description: '"0": the operator (admin console)' },
    resolution: { type: 'string', description: "'' while open; dismiss, mute or ban" },
    resolvedAt: { type: 'number' },
  },
  required: ['id', 'messageId', 'conversationId', 'senderId', 'reporterId', 'reason', 'excerpt', 'status', 'createdAt', 'resolvedBy', 'resolution', 'resolvedAt'],
} as const;

export const adminReportsSchema = {
  summary: 'Moderation reports, newest first (open ones by default)', tags, security,
  querystring: {
    type: 'object', additionalProperties: false,
    properties: { status: { type: 'string', enum: ['open', 'resolved'], description: 'default open' }, limit: { type: 'string', pattern: '^[0-9]{1,3}$', description: '1-200 (default 50)' } },
  },
  response: { 200: { type: 'object', properties: { reports: { type: 'array', items: report } }, required: ['reports'] }, ...errors },
} as const;

export const adminResolveReportSchema = {
  summary: 'Resolve an open report: dismiss it, or mute or ban its sender (a ban closes their devices with 4011)', tags, security,
  params: { type: 'object', properties: { reportId: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['reportId'] },
  body: {
    type: 'object', additionalProperties: false,
    properties: {
      action: { type: 'string', enum: ['dismiss', 'mute', 'ban'] },
      minutes: { type: 'integer', minimum: 1, maximum: MAX_MINUTES, description: 'Mute length (absent = one hour); ban length (absent = until lifted)' },
      note: { type: 'string', maxLength: 200, description: 'Kept in the moderation audit log' },
    },
    required: ['action'],
  },
  response: { 200: report, ...errors },
} as const;

type ResolveRoute = { Params: { reportId: string }; Body: { action: 'dismiss' | 'mute' | 'ban'; minutes?: number; note?: string } };

export function adminReportRoutes(moderation: OperatorReports, adminToken: string, clock: () => number = Date.now): RouteRegistrar {
  return (root: FastifyInstance) => {
    void root.register(async (app) => {
      app.addHook('onRequest', adminGuard(adminToken, 'main'));
      app.get<{ Querystring: { status?: ReportStatus; limit?: string } }>('/reports', { schema: adminReportsSchema }, async (req) =>
        ({ reports: (await moderation.operatorReports(req.query.status ?? 'open', Number(req.query.limit ?? 50))).map(reportJson) }));
      app.post<ResolveRoute>('/reports/:reportId/resolve', { schema: adminResolveReportSchema }, async (req) => {
        const { action, minutes, note = '' } = req.body;
        const until = minutes ? clock() + minutes * 60_000 : 0;
        // A mute without a length would be no mute at all: one hour unless told.
        const punishment: Punishment = action === 'dismiss' ? { kind: 'dismiss' }
          : action === 'mute' ? { kind: 'mute', untilMs: until || clock() + 60 * 60_000 }
            : { kind: 'ban', untilMs: until };
        return reportJson(await moderation.resolveByOperator(req.params.reportId, punishment, note));
      });
    }, { prefix: '/v1/admin' });
  };
}

function reportJson(r: ReportRecord): Record<string, unknown> {
  return {
    ...r, conversationId: String(r.conversationId), senderId: String(r.senderId), reporterId: String(r.reporterId), resolvedBy: String(r.resolvedBy),
  };
}
