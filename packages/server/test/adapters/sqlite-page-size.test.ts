/**
 * Page size and page cache of the message database (sqlitePageSize,
 * sqliteCacheMb): a new file gets the configured page size, an existing
 * file keeps its own and opens fine through the storage thread, and the
 * settings SQLite counts in pages (wal_autocheckpoint, the checkpointer's
 * rewind threshold) keep their byte meaning whatever the page size.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  openSqliteDatabase, openSqliteWorkerAdapters, SQLITE_CACHE_MIB, SQLITE_PAGE_SIZE, WAL_CHECKPOINT_BYTES, walCheckpointPages,
} from '../../src/adapters/sqlite/index.js';
import { buildConfig } from '../../src/config.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function freshPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'xinbox-page-size-'));
  dirs.push(dir);
  return join(dir, 'xinbox.db');
}

/** The page size recorded in the database file's header (bytes 16–17, big-endian; 1 means 65536). */
function headerPageSize(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(100);
    readSync(fd, header, 0, 100, 0);
    const v = header.readUInt16BE(16);
    return v === 1 ? 65536 : v;
  } finally {
    closeSync(fd);
  }
}

describe('SQLite page size and page cache', () => {
  it('a new database gets the configured page size, and the page-counted settings keep their byte meaning', () => {
    const path = freshPath();
    const db = openSqliteDatabase({ path, pageSize: 1024, cacheMiB: 8 });
    try {
      expect(db.pragma('page_size', { simple: true })).toBe(1024);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('cache_size', { simple: true })).toBe(-8 * 1024);
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_CHECKPOINT_BYTES / 1024);
      expect(walCheckpointPages(db)).toBe(32768);
      expect(db.pragma('journal_size_limit', { simple: true })).toBe(64 * 1024 * 1024);
    } finally {
      db.close();
    }
    expect(headerPageSize(path)).toBe(1024);
  });

  it('defaults: config and the adapter agree', () => {
    const config = buildConfig();
    expect(config.sqlitePageSize).toBe(SQLITE_PAGE_SIZE);
    expect(config.sqliteCacheMb).toBe(SQLITE_CACHE_MIB);
    const path = freshPath();
    const db = openSqliteDatabase({ path });
    try {
      expect(db.pragma('page_size', { simple: true })).toBe(SQLITE_PAGE_SIZE);
      expect(db.pragma('cache_size', { simple: true })).toBe(-SQLITE_CACHE_MIB * 1024);
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_CHECKPOINT_BYTES / SQLITE_PAGE_SIZE);
    } finally {
      db.close();
    }
  });

  it('an existing database keeps its page size and opens fine through the storage thread', async () => {
    const path = freshPath();
    const before = await openSqliteWorkerAdapters({ path, pageSize: 4096 });
    const a = (await before.identity.createUser('page-a', 'hash', 1))!.id;
    const b = (await before.identity.createUser('page-b', 'hash', 1))!.id;
    const { conversation } = await before.conversations.getOrCreateDirect(a, b, 1);
    const item = (seq: number) => ({
      message: {
        id: String((1n << 60n) + BigInt(seq)), conversationId: conversation.id, seq, senderId: a, clientMsgId: `c-${seq}`,
        serverTime: 1000 + seq, content: new TextEncoder().encode(`m${seq}`), mentions: [], mentionAll: false, visibleTo: [],
      },
      timelineUsers: [a, b],
      senderReadsOwn: true,
    });
    await before.messages.append([item(1), item(2)]);
    await before.close();
    expect(headerPageSize(path)).toBe(4096);

    const after = await openSqliteWorkerAdapters({ path, pageSize: 1024, cacheMiB: 2 });
    try {
      await after.messages.append([item(3)]);
      const history = await after.messages.getBefore(conversation.id, 10, 10);
      expect(history.map((m) => m.seq).sort()).toEqual([1, 2, 3]);
      expect((await after.messages.readTimeline(b, 0, 10)).length).toBe(3);
    } finally {
      await after.close();
    }
    expect(headerPageSize(path)).toBe(4096);
    const db = openSqliteDatabase({ path, pageSize: 1024 });
    try {
      expect(db.pragma('page_size', { simple: true })).toBe(4096);
      // Scaled by the file's real page size, not the requested one.
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(WAL_CHECKPOINT_BYTES / 4096);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });

  it('refuses a page size SQLite would silently ignore', () => {
    expect(() => openSqliteDatabase({ path: freshPath(), pageSize: 3000 })).toThrow(/power of two from 512 to 65536/);
    expect(() => buildConfig({ sqlitePageSize: 3000 })).toThrow(/sqlitePageSize must be a power of two/);
    expect(() => buildConfig({ sqlitePageSize: 131072 })).toThrow(/sqlitePageSize/);
    expect(buildConfig({ sqlitePageSize: '2048' }).sqlitePageSize).toBe(2048);
  });
});
