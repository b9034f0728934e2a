import { describe, expect, it } from 'vitest';
import { createMemoryAdapters } from '../../src/adapters/memory/index.js';
import type { UserId } from '../../src/core/model.js';
import type { RestrictionPatch } from '../../src/core/ports/moderation-store.js';
import { ModerationService } from '../../src/core/moderation/moderation-service.js';
import { runCheck as run } from '../support/check-verdict.js';

const NOW = 1_700_000_000_000;
const cases: Array<{ name: string; patch: RestrictionPatch | null; expect: 'allowed' | 'refused' }> = [
  { name: 'no restriction', patch: null, expect: 'allowed' },
  { name: 'mute in the past', patch: { mutedUntil: NOW - 1 }, expect: 'allowed' },
  { name: 'muted', patch: { mutedUntil: NOW + 60_000 }, expect: 'refused' },
  { name: 'banned until unbanned', patch: { banned: true, bannedUntil: 0 }, expect: 'refused' },
  { name: 'banned until later', patch: { banned: true, bannedUntil: NOW + 60_000 }, expect: 'refused' },
];

describe('ModerationService.checkSenderNow (the send path\'s synchronous fast path)', () => {
  for (const c of cases) {
    it(`gives checkSender's verdict, loaded and cached: ${c.name}`, async () => {
      const { moderation: store, identity, messages } = createMemoryAdapters();
      const user = 7 as UserId;
      if (c.patch) await store.restrict(user, c.patch, NOW - 10, { at: NOW - 10, actorId: 1 as UserId, action: 'test', targetUserId: user, reportId: '', detail: '' });
      const make = () => new ModerationService(store, identity, messages, async () => undefined, { moderators: [], restrictionCacheMs: 60_000, clock: () => NOW });

      const expected = await run(() => make().checkSender(user));
      expect(expected.sync).toBe(false);
      expect(expected.outcome.ok ? 'allowed' : 'refused').toBe(c.expect);

      const service = make();
      expect(await run(() => service.checkSenderNow(user))).toEqual({ sync: false, outcome: expected.outcome });
      expect(await run(() => service.checkSenderNow(user))).toEqual({ sync: true, outcome: expected.outcome });
      expect((await run(() => service.checkSender(user))).outcome).toEqual(expected.outcome);
    });
  }
});
