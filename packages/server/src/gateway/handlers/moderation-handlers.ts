import { Errors, ModAction, XinboxError, create, ModAuditSchema, ModReportsSchema, ReportSchema, type Report } from '@xinbox/protocol';
import type { ModerationService, Punishment } from '../../core/moderation/moderation-service.js';
import type { ReportRecord } from '../../core/ports/moderation-store.js';
import type { HandlerTable } from './types.js';
import { parseId } from './ids.js';

function toWire(r: ReportRecord): Report {
  return create(ReportSchema, {
    reportId: r.id, messageId: r.messageId, conversationId: String(r.conversationId), senderId: String(r.senderId),
    reporterId: String(r.reporterId), reason: r.reason, excerpt: r.excerpt, resolved: r.status === 'resolved',
    createdAt: r.createdAt, resolvedBy: String(r.resolvedBy), resolution: r.resolution,
  });
}

function punishment(action: ModAction, mutedUntil: number): Punishment | { kind: 'unban' } {
  switch (action) {
    case ModAction.DISMISS: return { kind: 'dismiss' };
    case ModAction.MUTE:
      if (!Number.isFinite(mutedUntil) || mutedUntil < 0) throw new XinboxError(Errors.INVALID_ARGUMENT, 'mutedUntil must be a time in ms (0 unmutes)');
      return { kind: 'mute', untilMs: mutedUntil };
    case ModAction.BAN: return { kind: 'ban' };
    case ModAction.UNBAN: return { kind: 'unban' };
    default: throw new XinboxError(Errors.INVALID_ARGUMENT, 'unknown moderation action');
  }
}

const OK = { case: 'ok' as const, value: {} };

/** Reports (any user) and moderator review (moderators only); see docs/protocol.md "Moderation". */
export function moderationHandlers(moderation: ModerationService): HandlerTable {
  return {
    reportMessage: async ({ caller }, v) => ({
      case: 'reportInfo',
      value: { report: toWire(await moderation.report(caller, parseId(v.conversationId, 'conversationId'), v.seq, v.reason)) },
    }),
    modReportList: async ({ caller }, v) => ({
      case: 'modReports',
      value: create(ModReportsSchema, { reports: (await moderation.listReports(caller.userId, v.resolved ? 'resolved' : 'open', v.limit)).map(toWire) }),
    }),
    modResolve: async ({ caller }, v) => {
      const p = punishment(v.action, v.mutedUntil);
      if (p.kind === 'unban') throw new XinboxError(Errors.INVALID_ARGUMENT, 'a report is resolved by DISMISS, MUTE or BAN');
      await moderation.resolve(caller.userId, v.reportId, p, v.note);
      return OK;
    },
    modPunish: async ({ caller }, v) => {
      await moderation.punish(caller.userId, parseId(v.userId, 'userId'), punishment(v.action, v.mutedUntil), v.note);
      return OK;
    },
    modAuditRead: async ({ caller }, v) => ({
      case: 'modAudit',
      value: create(ModAuditSchema, {
        entries: (await moderation.auditLog(caller.userId, v.afterSeq, v.limit)).map((e) => ({
          seq: e.seq, at: e.at, actorId: String(e.actorId), action: e.action, targetUserId: String(e.targetUserId), reportId: e.reportId, detail: e.detail,
        })),
      }),
    }),
  };
}
