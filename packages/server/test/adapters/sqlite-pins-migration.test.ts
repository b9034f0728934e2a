/**
 * SQLite migration 10 derives the pins of a database that stored PinChange
 * events before the pins table existed: the same rows the append path
 * keeps (latest event per target decides, unpinned and recalled targets
 * left out).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ContentSchema, PinChangeSchema, RecallSchema, TextSchema, create, toBinary, type Content } from '@xinbox/protocol';
import { openSqliteAdapters } from '../../src/adapters/sqlite/index.js';
import { PINS_MIGRATION } from '../../src/adapters/sqlite/migration-pins.js';
import { tempDir } from '../support/temp-dir.js';

const dir = tempDir('xinbox-pins-migration-');
afterAll(() => dir.remove());

describe('SQLite pins migration', () => {
  it('derives the same pins from stored PinChange events as the append path keeps', async () => {
    const db = openSqliteAdapters({ path: join(dir.path, 'pins.db') });
    try {
      const now = Date.now();
      const u = (await db.identity.createUser(`pins${now}`, 'x', now))!.id;
      const c = (await db.conversations.createGroup({ name: 'g', avatarUrl: '', announcement: '', ownerId: u, joinPolicy: 'open', memberIds: [u], large: false }, now)).id;
      let id = BigInt(now) << 22n;
      const bytes = (kind: Content['kind']) => toBinary(ContentSchema, create(ContentSchema, { kind }));
      const pin = (targetSeq: number, pinned: boolean) => bytes({ case: 'pin', value: create(PinChangeSchema, { targetSeq, pinned }) });
      const msg = (seq: number, content: Uint8Array) => ({
        message: { id: String(++id), conversationId: c, seq, senderId: u, clientMsgId: `c${seq}`, serverTime: now + seq, content, mentions: [], mentionAll: false, visibleTo: [] },
        timelineUsers: [], senderReadsOwn: false,
      });
      await db.messages.append([1, 2, 3, 4].map((s) => msg(s, bytes({ case: 'text', value: create(TextSchema, { text: `m${s}` }) }))));
      await db.messages.append([msg(5, pin(1, true)), msg(6, pin(2, true)), msg(7, pin(3, true)), msg(8, pin(2, false)), msg(9, pin(1, true))]);
      await db.messages.append([msg(10, bytes({ case: 'recall', value: create(RecallSchema, { targetSeq: 3 }) })), msg(11, pin(4, true))]);
      const rows = () => db.database.prepare('SELECT conversation_id, target_seq, pin_seq, pinned_by, pinned_at FROM pins ORDER BY target_seq').all();
      const live = rows();
      expect(live.map((r) => (r as { target_seq: number }).target_seq)).toEqual([1, 4]);
      db.database.exec('DROP TABLE pins;');
      db.database.exec(PINS_MIGRATION);
      expect(rows()).toEqual(live);
    } finally {
      await db.close();
    }
  });
});
