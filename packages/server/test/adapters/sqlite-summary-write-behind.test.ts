import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteAdapters, openSqliteDatabase, openSqliteWorkerAdapters, SqliteMessageStore, type SqliteWorkerAdapters } from '../../src/adapters/sqlite/index.js';
import type { AppendItem } from '../../src/core/ports/message-store.js';
import { appendItem, createUsers, makeMessage } from '../contracts/index.js';

/**
 * Conversation-summary write-behind on the storage thread (ADR 0016): every
 * read API sees an append's summaries at once, an external connection sees
 * them after the flush interval or close, and kill -9 loses nothing the live
 * path would have written.
 */
const dir = mkdtempSync(join(tmpdir(), 'xinbox-summaries-'));
let files = 0;
const freshPath = () => join(dir, `s${files++}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What an external reader (a second connection, the sqlite3 CLI) sees of the summaries. */
function rawSummaries(path: string) {
  const db = new Database(path);
  try {
    return {
      conversations: db.prepare<[], { id: number; last_seq: number; last_message_id: string | null; updated_at: number }>(
        'SELECT id, last_seq, CAST(last_message_id AS TEXT) AS last_message_id, updated_at FROM conversations ORDER BY id',
      ).all(),
      members: db.prepare('SELECT conversation_id, user_id, read_seq FROM members ORDER BY conversation_id, user_id').all(),
      systemSends: db.prepare('SELECT CAST(message_id AS TEXT) AS id FROM summary_system_sends ORDER BY message_id').pluck().all(),
    };
  } finally {
    db.close();
  }
}

/** Two users and their direct chat; `send(seq)` appends message `seq` from the first (server time 10 + seq, read by its sender). */
async function directChat(s: Pick<SqliteWorkerAdapters, 'identity' | 'conversations' | 'messages'>) {
  const [a, b] = await createUsers(s.identity, 2, 5);
  const chat = (await s.conversations.getOrCreateDirect(a!, b!, 5)).conversation.id;
  const send = (seq: number) => s.messages.append([appendItem(makeMessage(chat, seq, a!, { serverTime: 10 + seq }), [a!, b!], true)]);
  return { a: a!, b: b!, chat, send };
}

describe('conversation summaries written behind on the storage thread', () => {
  it('are visible to every read API right after the append, and to other connections only after the flush or close', async () => {
    const path = freshPath();
    const s = await openSqliteWorkerAdapters({ path, summaryFlushMs: 600_000 });
    const [a, b] = await createUsers(s.identity, 2, 5);
    const chat = (await s.conversations.getOrCreateDirect(a!, b!, 5)).conversation.id;
    // A read writes the first append's summaries: from here on another connection sees last_seq 1.
    await s.messages.append([appendItem(makeMessage(chat, 1, a!, { serverTime: 10 }), [a!, b!], true)]);
    await s.conversations.getConversation(chat);

    const second = makeMessage(chat, 2, a!, { serverTime: 20 });
    const third = makeMessage(chat, 3, a!, { serverTime: 30 });
    await s.messages.append([appendItem(second, [a!, b!], true)]);
    await s.messages.append([{ ...appendItem(third, [a!, b!], true), searchText: 'hello summaries' }]);
    // Written behind: another connection still sees the first message's summary.
    expect(rawSummaries(path).conversations).toEqual([{ id: chat, last_seq: 1, last_message_id: expect.any(String), updated_at: 10 }]);

    const record = (await s.conversations.getConversation(chat))!;
    expect([record.lastSeq, record.lastMessageId, record.updatedAt]).toEqual([3, third.id, 30]);
    const [view] = await s.conversations.listUserConversations(b!, 10, 0);
    expect([view!.conversation.lastSeq, view!.lastMessage?.id]).toEqual([3, third.id]);
    expect(await s.conversations.unreadCounts(b!, chat)).toEqual({ unread: 3, total: 3 });
    expect(await s.conversations.unreadCounts(a!, chat)).toEqual({ unread: 0, total: 0 });
    expect((await s.conversations.getMember(chat, a!))!.readSeq).toBe(3);

    const fourth = makeMessage(chat, 4, b!, { serverTime: 40 });
    await s.messages.append([appendItem(fourth, [a!, b!], true)]);
    // Read positions clamp against last_seq: the pending bump is written before markRead runs.
    expect(await s.conversations.advanceReadSeq(chat, a!, 999)).toBe(4);
    expect(await s.conversations.totalUnread(b!)).toBe(0);
    const page = await s.search.search({ userId: b!, conversationId: chat, terms: ['summaries'], beforeId: null, limit: 5, shortScanLimit: 100, scanBudget: 100 });
    expect(page.hits.map((h) => h.message.id)).toEqual([third.id]);

    await s.messages.append([appendItem(makeMessage(chat, 5, b!, { serverTime: 50 }), [a!, b!], true)]);
    await s.close();
    // Close writes what is pending.
    expect(rawSummaries(path).conversations).toMatchObject([{ id: chat, last_seq: 5, updated_at: 50 }]);
    expect(rawSummaries(path).members).toEqual([
      { conversation_id: chat, user_id: a, read_seq: 4 },
      { conversation_id: chat, user_id: b, read_seq: 5 },
    ]);
  });

  it('are written to the file by the flush timer', async () => {
    const path = freshPath();
    const s = await openSqliteWorkerAdapters({ path, summaryFlushMs: 150 });
    try {
      const { a, chat, send } = await directChat(s);
      for (let seq = 1; seq <= 3; seq++) await send(seq);
      // No store call after the appends: only the timer can write the summaries for another connection to see.
      const deadline = Date.now() + 10_000;
      while (rawSummaries(path).conversations[0]!.last_seq !== 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(rawSummaries(path).conversations).toMatchObject([{ id: chat, last_seq: 3, updated_at: 13 }]);
      expect(rawSummaries(path).members).toContainEqual({ conversation_id: chat, user_id: a, read_seq: 3 });
    } finally {
      await s.close();
    }
  });

  it('are written with the next append once another connection has committed', async () => {
    const path = freshPath();
    const s = await openSqliteWorkerAdapters({ path, summaryFlushMs: 600_000 });
    try {
      const { a, chat, send } = await directChat(s);
      await send(1);
      await send(2);
      expect(rawSummaries(path).conversations).toMatchObject([{ last_seq: 0 }]);
      const other = new Database(path);
      other.exec('CREATE TABLE scratch (x INTEGER); INSERT INTO scratch VALUES (1)');
      other.close();
      // Only an append follows: it sees data_version moved and writes what is pending with its own summaries.
      await send(3);
      expect(rawSummaries(path).conversations).toMatchObject([{ id: chat, last_seq: 3, updated_at: 13 }]);
      expect(rawSummaries(path).members).toContainEqual({ conversation_id: chat, user_id: a, read_seq: 3 });
    } finally {
      await s.close();
    }
  });

  it('are written in every append once another server connection has opened the file', async () => {
    const path = freshPath();
    const s = await openSqliteWorkerAdapters({ path, summaryFlushMs: 600_000 });
    try {
      const { a, chat, send } = await directChat(s);
      await send(1);
      expect(rawSummaries(path).conversations).toMatchObject([{ last_seq: 0 }]);
      // A second server connection (it may read summaries any time): its open is a commit the store notices.
      const other = openSqliteDatabase({ path });
      try {
        await send(2);
        await send(3);
        expect(rawSummaries(path).conversations).toMatchObject([{ id: chat, last_seq: 3, updated_at: 13 }]);
        expect(other.prepare('SELECT read_seq FROM members WHERE conversation_id = ? AND user_id = ?').pluck().get(chat, a)).toBe(3);
      } finally {
        other.close();
      }
    } finally {
      await s.close();
    }
  });

  it('that a crashed connection never wrote are redone at the next open, system sends not moving the sender\'s read position', async () => {
    const path = freshPath();
    const db = openSqliteDatabase({ path });
    const adapters = openSqliteAdapters({ path });
    const [a, b] = await createUsers(adapters.identity, 2, 5);
    const chat = (await adapters.conversations.getOrCreateDirect(a!, b!, 5)).conversation.id;
    await adapters.close();
    // A write-behind store whose connection goes away without a flush: what kill -9 leaves.
    const store = new SqliteMessageStore(db, 600_000);
    const item = (seq: number, sender: number, id: string, time: number, readsOwn = true): AppendItem =>
      appendItem(makeMessage(chat, seq, sender, { id, serverTime: time }), [a!, b!], readsOwn);
    await store.append([item(1, a!, '101', 10)]);
    await store.append([item(2, b!, '202', 20), item(3, a!, '201', 15)]);
    await store.append([item(4, b!, '301', 12, false)]);
    db.close();
    expect(rawSummaries(path).conversations).toMatchObject([{ last_seq: 0 }]);
    expect(rawSummaries(path).systemSends).toEqual(['301']);

    const reopened = openSqliteAdapters({ path });
    const record = (await reopened.conversations.getConversation(chat))!;
    expect([record.lastSeq, record.lastMessageId, record.updatedAt]).toEqual([4, '301', 20]);
    expect((await reopened.conversations.getMember(chat, a!))!.readSeq).toBe(3);
    expect((await reopened.conversations.getMember(chat, b!))!.readSeq).toBe(2);
    await reopened.close();
    expect(rawSummaries(path).systemSends).toEqual([]);
  });

  it('survive kill -9 of a storage thread holding them: the reopened file equals what the live path writes', async () => {
    const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
    const adapterUrl = new URL('../../src/adapters/sqlite/index.ts', import.meta.url).href;
    // The same appends through the storage thread with write-behind (then SIGKILL right after the last
    // append resolved, long before its 10-minute flush) and through the in-thread adapters (every
    // append writes its summaries before it resolves, so that child just exits). Ids are out of append order in places, seq order != id order,
    // and some sends are system sends (senderReadsOwn false).
    const script = (path: string, killed: boolean) => `
      import { openSqliteAdapters, openSqliteWorkerAdapters } from ${JSON.stringify(adapterUrl)};
      const path = ${JSON.stringify(path)};
      const s = ${killed ? 'await openSqliteWorkerAdapters({ path, summaryFlushMs: 600000 })' : 'openSqliteAdapters({ path })'};
      const user = async (name) => (await s.identity.createUser(name, 'h', 1)).id;
      const [a, b, c] = [await user('a'), await user('b'), await user('c')];
      const ab = (await s.conversations.getOrCreateDirect(a, b, 5)).conversation.id;
      const ac = (await s.conversations.getOrCreateDirect(a, c, 5)).conversation.id;
      const m = (conversationId, seq, senderId, id, serverTime, senderReadsOwn = true) => ({
        message: { id: String(id), conversationId, seq, senderId, clientMsgId: 'c' + id, serverTime,
          content: new Uint8Array([1]), mentions: [], mentionAll: false, visibleTo: [] },
        timelineUsers: conversationId === ab ? [a, b] : [a, c], senderReadsOwn });
      await s.messages.append([m(ab, 1, a, 1001, 100), m(ab, 2, b, 1002, 101)]);
      await s.messages.append([m(ab, 3, a, 2001, 200), m(ab, 4, b, 2002, 150), m(ac, 1, a, 2003, 300)]);
      await s.messages.append([m(ac, 2, c, 3001, 310), m(ac, 3, a, 3002, 320, false), m(ab, 5, b, 3003, 330, false)]);
      await s.conversations.getConversation(ab); // writes the pending summaries, the watermark to 3003
      await s.messages.append([m(ab, 6, a, 900, 340)]); // below the watermark: written with its append
      await s.messages.append([m(ab, 7, b, 5004, 400, false), m(ac, 4, c, 5002, 390), m(ac, 5, a, 5003, 380), m(ab, 8, a, 5001, 350)]);
      ${killed ? "process.stdout.write(JSON.stringify({ ab, ac, a, b, c }) + '\\n', () => process.kill(process.pid, 'SIGKILL'));"
        : "process.stdout.write(JSON.stringify({ ab, ac, a, b, c }) + '\\n', () => process.exit(0));"}
    `;
    const run = (path: string, killed: boolean) => promisify(execFile)(
      process.execPath, ['--conditions=@xinbox/source', '--import', 'tsx', '--input-type=module', '-e', script(path, killed)], { cwd: repoRoot },
    );
    const livePath = freshPath();
    const ids = JSON.parse((await run(livePath, false)).stdout) as { ab: number; ac: number; a: number; b: number; c: number };
    const { ab, ac, a, b, c } = ids;
    const killedPath = freshPath();
    const result = await run(killedPath, true)
      .then(() => { throw new Error('the child was expected to die by SIGKILL'); })
      .catch((error: { signal?: string; stdout?: string }) => error);
    expect(result.signal).toBe('SIGKILL');
    expect(JSON.parse(result.stdout!)).toEqual(ids);

    const live = rawSummaries(livePath);
    expect(live.conversations).toEqual([
      { id: ab, last_seq: 8, last_message_id: '5001', updated_at: 400 },
      { id: ac, last_seq: 5, last_message_id: '5003', updated_at: 390 },
    ]);
    // The killed file as it was left: the last batch's summaries were only in the thread's memory.
    const left = rawSummaries(killedPath);
    expect(left.conversations).toEqual([
      { id: ab, last_seq: 6, last_message_id: '900', updated_at: 340 },
      { id: ac, last_seq: 3, last_message_id: '3002', updated_at: 320 },
    ]);
    expect(left.systemSends).toEqual(['5004']);

    const reopened = openSqliteAdapters({ path: killedPath });
    await reopened.close();
    expect(rawSummaries(killedPath)).toEqual({ ...live, systemSends: [] });
    // b's own read position in ab: 4 (seqs 5 and 7 are system sends); a's in ac: 5, its system send at seq 3 not counted.
    expect(live.members).toEqual([
      { conversation_id: ab, user_id: a, read_seq: 8 },
      { conversation_id: ab, user_id: b, read_seq: 4 },
      { conversation_id: ac, user_id: a, read_seq: 5 },
      { conversation_id: ac, user_id: c, read_seq: 4 },
    ]);
  }, 60_000);
});
