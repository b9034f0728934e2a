import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, openSqliteAdapters, type SqliteAdapters } from '../../src/adapters/sqlite/index.js';
import {
  appendItem, createUsers, describeConversationStoreContract,
  describeIdentityStoreContract, describeMessageStoreContract, describeNodeLeaseStoreContract, makeMessage, plain,
  describeSocialStoreContract, describeModerationStoreContract,
} from '../contracts/index.js';

const dir = mkdtempSync(join(tmpdir(), 'xinbox-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Every contract suite shares ONE database file, as a deployment would; the
// suites make their own users and names, so they do not see each other.
const sharedPath = join(dir, 'contracts.db');
const openShared = async (): Promise<SqliteAdapters & { openPeer: () => Promise<SqliteAdapters> }> => ({
  ...openSqliteAdapters({ path: sharedPath }),
  // A second connection to the same file, as another process would have.
  openPeer: async () => openSqliteAdapters({ path: sharedPath }),
});

describeIdentityStoreContract('sqlite', openShared);
describeMessageStoreContract('sqlite', openShared);
describeConversationStoreContract('sqlite', openShared);
describeNodeLeaseStoreContract('sqlite', openShared);
describeSocialStoreContract('sqlite', openShared);
describeModerationStoreContract('sqlite', openShared);
describeMessageStoreContract('sqlite synchronous=full', async () => openSqliteAdapters({ path: join(dir, 'full.db'), synchronous: 'full' }));

let fileCounter = 0;
function freshPath(): string {
  fileCounter += 1;
  return join(dir, `fresh-${fileCounter}.db`);
}

describe('sqlite adapters', () => {
  it('open in WAL mode with the requested sync policy, foreign keys and a busy timeout', async () => {
    const path = freshPath();
    for (const [synchronous, level] of [['normal', 1], ['full', 2]] as const) {
      const adapters = openSqliteAdapters({ path, synchronous });
      const db = adapters.database;
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(level);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      await adapters.close();
    }
    const defaults = openSqliteAdapters({ path });
    expect(defaults.database.pragma('synchronous', { simple: true })).toBe(1);
    await defaults.close();
  });

  it('refuses a database migrated by a newer server', () => {
    const path = freshPath();
    const db = new Database(path);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openSqliteAdapters({ path })).toThrow(/newer/);
  });

  it('keeps every kind of record across closing and reopening the file', async () => {
    const path = freshPath();
    const first = openSqliteAdapters({ path });
    const [a, b] = await createUsers(first.identity, 2, 100);
    const username = (await first.identity.getUsers([a!]))[0]!.username;
    await first.identity.upsertDevice(a!, 'phone', 'ios', 200);
    const session = {
      id: 's-1', userId: a!, deviceId: 'phone', platform: 'ios' as const, refreshHash: 'h1',
      refreshExpiresAt: 9999, createdAt: 300, revoked: false,
    };
    await first.identity.createSession(session);
    const direct = (await first.conversations.getOrCreateDirect(a!, b!, 400)).conversation;
    const group = await first.conversations.createGroup({
      name: 'g', avatarUrl: '', announcement: '', ownerId: a!, joinPolicy: 'approval', memberIds: [b!], large: false,
    }, 400);
    await first.conversations.addJoinRequest(group.id, b!, 450);
    const sent = [makeMessage(direct.id, 1, a!, { mentions: [b!] }), makeMessage(direct.id, 2, b!)];
    await first.messages.append(sent.map((m) => appendItem(m, [a!, b!], true)));
    await first.messages.trimTimeline(a!, 2);
    const lease = await first.leases.acquire('node-a', 4, 60_000, 1000);
    await first.conversations.advanceReadSeq(direct.id, a!, 2);
    await first.close();

    const second = openSqliteAdapters({ path });
    expect((await second.identity.findUserByName(username))!.id).toBe(a);
    expect(await second.identity.listDevices(a!)).toEqual([{ userId: a, deviceId: 'phone', platform: 'ios', lastSeen: 200 }]);
    expect(await second.identity.getSession('s-1')).toEqual(session);
    expect((await second.conversations.getOrCreateDirect(b!, a!, 500)).created).toBe(false);
    expect(await second.conversations.getConversation(direct.id)).toMatchObject({ lastSeq: 2, lastMessageId: sent[1]!.id, memberCount: 2 });
    expect(await second.conversations.getGroup(group.id)).toMatchObject({ name: 'g', ownerId: a });
    expect(await second.conversations.takeJoinRequest(group.id, b!)).toBe(true);
    expect((await second.messages.getRange(direct.id, 1, 2, 10)).map(plain)).toEqual(sent.map(plain));
    expect((await second.conversations.listUserConversations(b!, 10, 0)).find((v) => v.conversation.id === direct.id)!.mentions).toBe(0);
    expect(await second.conversations.unreadCounts(a!, direct.id)).toEqual({ unread: 0, total: 0 });
    // Sync heads continue where they were, also for the fully trimmed timeline.
    expect(await second.messages.timelineBounds(a!)).toEqual({ head: 2, oldest: 0 });
    const [next] = await second.messages.append([appendItem(makeMessage(direct.id, 3, a!), [a!, b!])]);
    expect(next!.syncSeqs).toEqual([3, 3]);
    expect(await second.leases.acquire('node-b', 1, 60_000, 2000)).toBe(lease === 0 ? null : 0);
    expect(await second.leases.renew('node-a', lease!, 60_000, 2000)).toBe(true);
    await second.close();
  });

  it('keeps a batch whose append resolved when the process is killed right after (synchronous=normal)', async () => {
    const path = freshPath();
    const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
    const adapterUrl = new URL('../../src/adapters/sqlite/index.ts', import.meta.url).href;
    const child = `
      import { openSqliteAdapters } from ${JSON.stringify(adapterUrl)};
      const s = openSqliteAdapters({ path: ${JSON.stringify(path)}, synchronous: 'normal' });
      const a = (await s.identity.createUser('killed-a', 'h', 1)).id;
      const b = (await s.identity.createUser('killed-b', 'h', 1)).id;
      const chat = (await s.conversations.getOrCreateDirect(a, b, 1)).conversation.id;
      const batch = Array.from({ length: 200 }, (_, i) => ({
        message: { id: String(1000 + i), conversationId: chat, seq: i + 1, senderId: a, clientMsgId: 'c' + i,
          serverTime: 10, content: new Uint8Array([i & 255]), mentions: [], mentionAll: false, visibleTo: [] },
        timelineUsers: [a, b], senderReadsOwn: true,
      }));
      await s.messages.append(batch);
      process.stdout.write(JSON.stringify({ a, b, chat }) + '\\n', () => process.kill(process.pid, 'SIGKILL'));
    `;
    const result = await promisify(execFile)(process.execPath, ['--conditions=@xinbox/source', '--import', 'tsx', '--input-type=module', '-e', child], { cwd: repoRoot })
      .then(() => { throw new Error('the child was expected to die by SIGKILL'); })
      .catch((error: { signal?: string; stdout?: string }) => error);
    expect(result.signal).toBe('SIGKILL');
    const { a, b, chat } = JSON.parse(result.stdout!) as { a: number; b: number; chat: number };

    const reopened = openSqliteAdapters({ path });
    expect((await reopened.conversations.getConversation(chat))!.lastSeq).toBe(200);
    expect(await reopened.messages.getRange(chat, 1, 1000, 1000)).toHaveLength(200);
    expect(await reopened.messages.timelineBounds(b)).toEqual({ head: 200, oldest: 1 });
    expect((await reopened.conversations.getMember(chat, a))!.readSeq).toBe(200);
    await reopened.close();
  });

  it('round-trips message ids above 2^63 and rejects appends to unknown conversations', async () => {
    const adapters = openSqliteAdapters({ path: freshPath() });
    const [a, b] = await createUsers(adapters.identity, 2);
    const chat = (await adapters.conversations.getOrCreateDirect(a!, b!, 1)).conversation.id;
    const big = makeMessage(chat, 1, a!, { id: '18446744073709551615' });
    await adapters.messages.append([appendItem(big, [b!])]);
    expect((await adapters.messages.getById(big.id))!.id).toBe(big.id);
    expect((await adapters.conversations.getConversation(chat))!.lastMessageId).toBe(big.id);
    expect((await adapters.messages.readTimeline(b!, 0, 10))[0]!.message.id).toBe(big.id);
    expect(await adapters.messages.getById('not-a-number')).toBeNull();
    expect(await adapters.messages.getById('99999999999999999999999')).toBeNull();

    await expect(adapters.messages.append([appendItem(makeMessage(987654, 1, a!), [b!])])).rejects.toThrow(/987654/);
    expect(await adapters.messages.timelineBounds(b!)).toEqual({ head: 1, oldest: 1 });
    const [next] = await adapters.messages.append([appendItem(makeMessage(chat, 2, a!), [b!])]);
    expect(next!.syncSeqs).toEqual([2]);
    await adapters.close();
  });
});
