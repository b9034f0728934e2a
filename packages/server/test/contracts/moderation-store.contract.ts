import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { UserId } from '../../src/core/model.js';
import type { AuditEntry, ModerationStore, ReportRecord } from '../../src/core/ports/moderation-store.js';
import { uniqueUserId, useFixture, type FixtureFactory } from './contract-support.js';

export interface ModerationStorePorts {
  readonly moderation: ModerationStore;
}

function report(senderId: UserId, createdAt: number): ReportRecord {
  return {
    id: randomUUID(), messageId: '123456789012345678', conversationId: 42, senderId, reporterId: 7, reason: 'spam', excerpt: '加微信',
    status: 'open', createdAt, resolvedBy: 0, resolution: '', resolvedAt: 0,
  };
}

const entry = (actorId: UserId, action: string, target: UserId): Omit<AuditEntry, 'seq'> =>
  ({ at: 1, actorId, action, targetUserId: target, reportId: '', detail: 'd' });

/** The ModerationStore contract (see core/ports/moderation-store.ts). */
export function describeModerationStoreContract(name: string, makeStores: FixtureFactory<ModerationStorePorts>): void {
  describe(`ModerationStore contract: ${name}`, () => {
    const ctx = useFixture(makeStores);

    it('stores reports and lists them by status, newest first', async () => {
      const { moderation } = ctx.stores();
      const u = uniqueUserId();
      const r1 = report(u, 4_000_000_000_000);
      const r2 = report(u, 4_000_000_000_001);
      await moderation.addReport(r1);
      await moderation.addReport(r2);
      await moderation.addReport(r1);
      expect(await moderation.getReport(r1.id)).toEqual(r1);
      const open = (await moderation.listReports('open', 1000)).filter((r) => r.senderId === u);
      expect(open.map((r) => r.id)).toEqual([r2.id, r1.id]);
    });

    it('resolves a report exactly once under concurrency, with its audit entry', async () => {
      const { moderation } = ctx.stores();
      const other = (await ctx.peer())?.moderation ?? moderation;
      const u = uniqueUserId();
      const r = report(u, 1);
      await moderation.addReport(r);
      const wins = await Promise.all(Array.from({ length: 6 }, (_v, i) =>
        (i % 2 ? other : moderation).resolveReport(r.id, 99, `res${i}`, 5, entry(99, 'resolve', u))));
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(await moderation.getReport(r.id)).toMatchObject({ status: 'resolved', resolvedBy: 99, resolvedAt: 5 });
      const audit = (await moderation.readAudit(0, 100_000)).filter((e) => e.targetUserId === u);
      expect(audit).toHaveLength(1);
      expect(await moderation.resolveReport(randomUUID(), 99, 'x', 5, entry(99, 'resolve', u))).toBe(false);
    });

    it('patches restrictions field by field and numbers audit entries without holes', async () => {
      const { moderation } = ctx.stores();
      const other = (await ctx.peer())?.moderation ?? moderation;
      const u = uniqueUserId();
      expect(await moderation.getRestriction(u)).toBeNull();
      expect(await moderation.restrict(u, { mutedUntil: 500 }, 10, entry(1, 'mute', u))).toEqual({ userId: u, mutedUntil: 500, banned: false, bannedUntil: 0, updatedAt: 10 });
      expect(await moderation.restrict(u, { banned: true }, 11, entry(1, 'ban', u))).toEqual({ userId: u, mutedUntil: 500, banned: true, bannedUntil: 0, updatedAt: 11 });
      await Promise.all(Array.from({ length: 10 }, (_v, i) => (i % 2 ? other : moderation).restrict(u, { mutedUntil: i }, 12, entry(1, 'mute', u))));
      expect(await moderation.getRestriction(u)).toMatchObject({ banned: true });
      const all = await moderation.readAudit(0, 100_000);
      expect(all.map((e) => e.seq)).toEqual(all.map((_e, i) => i + 1));
      expect(all.filter((e) => e.targetUserId === u).map((e) => e.action)).toEqual(['mute', 'ban', ...Array(10).fill('mute')]);
      const tail = await moderation.readAudit(all.length - 2, 10);
      expect(tail.map((e) => e.seq)).toEqual([all.length - 1, all.length]);
    });

    it('keeps a timed ban\'s end with the ban and clears it with the unban', async () => {
      const { moderation } = ctx.stores();
      const u = uniqueUserId();
      await moderation.restrict(u, { banned: true, bannedUntil: 4_000_000_000_000 }, 20, entry(0, 'ban', u));
      expect(await moderation.restrict(u, { mutedUntil: 7 }, 21, entry(1, 'mute', u)))
        .toEqual({ userId: u, mutedUntil: 7, banned: true, bannedUntil: 4_000_000_000_000, updatedAt: 21 });
      await moderation.restrict(u, { banned: false, bannedUntil: 0 }, 22, entry(0, 'unban', u));
      expect(await moderation.getRestriction(u)).toEqual({ userId: u, mutedUntil: 7, banned: false, bannedUntil: 0, updatedAt: 22 });
    });
  });
}
