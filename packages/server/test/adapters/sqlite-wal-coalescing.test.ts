/**
 * The WAL write-coalescing VFS shim (native/walbuf.c, ADR 0015) against real
 * files and real connections: commits are written with one buffer write, are
 * visible to another connection the moment they return, survive kill -9 of
 * the writer, and every path that writes the WAL out of order (spilled
 * pages rewritten in place, savepoint rollbacks, WAL restarts after
 * checkpoints from other threads, synchronous=FULL) leaves exactly the data
 * SQLite without the shim reads back.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BackgroundCheckpointer } from '../../src/adapters/sqlite/background-checkpointer.js';
import { openSqliteDatabase, SQLITE_PAGE_SIZE, WAL_COALESCING_LIBRARY, walCoalescingStats } from '../../src/adapters/sqlite/index.js';
import { StartupError } from '../../src/startup-error.js';
import { walCoalescingOption } from '../../src/storage.js';

/** Deterministic integers in [0, n) (so a failure reproduces). */
function xorshift(seed: number): (n: number) => number {
  let x = seed | 0 || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'xinbox-walbuf-'));
  dirs.push(dir);
  return join(dir, 'x.db');
}

/** Content digest of the table, read by a connection in a separate process that never loaded the shim. */
async function digestWithoutShim(path: string): Promise<{ digest: string; rows: number; integrity: string }> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const code = `
    const Database = require(${JSON.stringify(driver)});
    const { createHash } = require('node:crypto');
    const db = new Database(${JSON.stringify(path)}, { readonly: true });
    const h = createHash('sha256'); let rows = 0;
    for (const r of db.prepare('SELECT k, v FROM t ORDER BY k').iterate()) { h.update(String(r.k)); h.update(r.v); rows++; }
    const integrity = db.pragma('integrity_check', { simple: true });
    process.stdout.write(JSON.stringify({ digest: h.digest('hex'), rows, integrity }));`;
  return JSON.parse(await run(process.execPath, ['-e', code])) as { digest: string; rows: number; integrity: string };
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}`))));
  });
}

function digestOf(model: Map<number, Buffer>): string {
  const h = createHash('sha256');
  for (const k of [...model.keys()].sort((a, b) => a - b)) {
    h.update(String(k));
    h.update(model.get(k)!);
  }
  return h.digest('hex');
}

describe('WAL write coalescing (walbuf VFS shim)', () => {
  it('is built by the test setup (scripts/native-build.mjs); the server refuses to start without it unless turned off', () => {
    expect(walCoalescingOption(true, WAL_COALESCING_LIBRARY)).toEqual({ walCoalescingLibrary: WAL_COALESCING_LIBRARY });
    expect(walCoalescingOption(false, '/nowhere/walbuf.so')).toEqual({});
    expect(() => walCoalescingOption(true, '/nowhere/walbuf.so')).toThrow(StartupError);
    expect(() => walCoalescingOption(true, '/nowhere/walbuf.so')).toThrow(/XINBOX_SQLITE_WAL_COALESCING=false/);
  });

  it('writes each commit with one buffer write, visible to another connection as soon as the commit returns', () => {
    const path = tempPath();
    const db = openSqliteDatabase({ path, walCoalescingLibrary: WAL_COALESCING_LIBRARY });
    const reader = new Database(path, { readonly: true });
    try {
      db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB NOT NULL)');
      const put = db.prepare('INSERT OR REPLACE INTO t (k, v) VALUES (?, ?)');
      const count = reader.prepare('SELECT count(*) AS n, total(length(v)) AS bytes FROM t');
      const rand = xorshift(7);
      const before = walCoalescingStats(db);
      const commits = 300;
      let rows = 0;
      for (let c = 0; c < commits; c++) {
        db.transaction(() => {
          // 20 scattered 600-byte rows: each commit dirties many pages (many WAL frames).
          for (let i = 0; i < 20; i++) put.run(rows + i, Buffer.alloc(600, rand(256)));
        }).immediate();
        rows += 20;
        expect(count.get()).toEqual({ n: rows, bytes: rows * 600 });
      }
      const after = walCoalescingStats(db);
      const flushes = after.flushes - before.flushes;
      const buffered = after.bufferedWrites - before.bufferedWrites;
      // One buffer write per commit (a buffer over 124 KiB is one write call per 124 KiB: still counted once).
      expect(flushes).toBe(commits);
      // Each holds a commit's frames: a header and a page per frame, several frames per commit.
      expect(buffered / flushes).toBeGreaterThanOrEqual(6);
    } finally {
      reader.close();
      db.close();
    }
  });

  it('spilled pages, savepoint rollbacks and WAL restarts leave exactly the committed data (synchronous normal and full)', async () => {
    for (const synchronous of ['normal', 'full'] as const) {
      const path = tempPath();
      const db = openSqliteDatabase({ path, synchronous, walCoalescingLibrary: WAL_COALESCING_LIBRARY });
      // A tiny page cache: big transactions spill pages to the WAL before they commit, and pages written again
      // in the same transaction are rewritten in place (the out-of-order writes the shim must not reorder).
      db.pragma('cache_size = 16');
      const other = new Database(path);
      const model = new Map<number, Buffer>();
      const rand = xorshift(synchronous === 'full' ? 11 : 3);
      try {
        db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB NOT NULL)');
        const put = db.prepare('INSERT OR REPLACE INTO t (k, v) VALUES (?, ?)');
        const del = db.prepare('DELETE FROM t WHERE k = ?');
        for (let round = 0; round < 40; round++) {
          const staged = new Map<number, Buffer | null>();
          const write = (k: number, v: Buffer | null): void => {
            if (v) put.run(k, v);
            else del.run(k);
            staged.set(k, v);
          };
          db.transaction(() => {
            for (let i = 0; i < 150; i++) write(rand(3000), Buffer.alloc(200 + rand(900), rand(256)));
            // Part of the transaction is rolled back to a savepoint: its frames were written (spilled) but never commit.
            db.exec('SAVEPOINT part');
            const undone = new Map(staged);
            for (let i = 0; i < 60; i++) write(rand(3000), rand(5) === 0 ? null : Buffer.alloc(300, rand(256)));
            db.exec('ROLLBACK TO part');
            db.exec('RELEASE part');
            staged.clear();
            for (const [k, v] of undone) staged.set(k, v);
            for (let i = 0; i < 100; i++) write(rand(3000), Buffer.alloc(100 + rand(400), rand(256)));
          }).immediate();
          for (const [k, v] of staged) {
            if (v) model.set(k, v);
            else model.delete(k);
          }
          // Checkpoints by another connection between commits: the next commit restarts the WAL from its header.
          if (round % 7 === 3) other.pragma('wal_checkpoint(PASSIVE)');
          if (round % 11 === 5) db.pragma('wal_checkpoint(TRUNCATE)');
          expect(other.prepare('SELECT count(*) FROM t').pluck().get()).toBe(model.size);
        }
      } finally {
        other.close();
        db.close();
      }
      expect(await digestWithoutShim(path)).toEqual({ digest: digestOf(model), rows: model.size, integrity: 'ok' });
    }
  });

  it('keeps the WAL rewinding under a background checkpoint thread', async () => {
    const path = tempPath();
    const db = openSqliteDatabase({ path, walCoalescingLibrary: WAL_COALESCING_LIBRARY });
    // The checkpoint thread's own connection uses the shim too (it is the process's default VFS once loaded).
    const checkpointer = new BackgroundCheckpointer(db, path, 20, 0, 2000);
    const model = new Map<number, Buffer>();
    try {
      db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB NOT NULL)');
      const put = db.prepare('INSERT OR REPLACE INTO t (k, v) VALUES (?, ?)');
      const commit = db.transaction((t: number) => {
        for (let i = 0; i < 20; i++) {
          const k = (t * 7919 + i * 104_729) % 4000;
          const v = Buffer.alloc(1000, (t + i) % 251);
          put.run(k, v);
          model.set(k, v);
        }
      });
      checkpointer.start();
      for (let t = 0; t < 4000; t++) {
        commit.immediate(t);
        await new Promise((r) => setImmediate(r));
      }
      expect(checkpointer.rewinds).toBeGreaterThan(0);
    } finally {
      await checkpointer.stop();
      db.close();
    }
    expect(await digestWithoutShim(path)).toEqual({ digest: digestOf(model), rows: model.size, integrity: 'ok' });
  });

  it('a commit that returned survives kill -9 of the writer, also right after a spilled transaction', async () => {
    const path = tempPath();
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    // The writer reports each commit only after it returned: 2,000 one-row commits, then a transaction big
    // enough to spill and rewrite its own pages (SQLite then rewrites frame checksums in place, after the
    // commit frame), reported as "big", after which the writer pauses so the kill lands right behind it.
    const code = `
      const Database = require(${JSON.stringify(driver)});
      const boot = new Database(':memory:'); boot.loadExtension(${JSON.stringify(WAL_COALESCING_LIBRARY)}); boot.close();
      const db = new Database(${JSON.stringify(path)});
      db.pragma('page_size = ${SQLITE_PAGE_SIZE}'); // the server's page size for a new file
      db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL'); db.pragma('cache_size = 16');
      db.exec('CREATE TABLE IF NOT EXISTS t (k INTEGER PRIMARY KEY, v BLOB NOT NULL)');
      const put = db.prepare('INSERT OR REPLACE INTO t (k, v) VALUES (?, ?)');
      const out = (s) => require('node:fs').writeSync(1, s + '\\n');
      let k = 0;
      for (; k < 2000; k++) { put.run(k, Buffer.alloc(3000, 1)); out(k); }
      db.transaction(() => {
        for (let i = 0; i < 400; i++) put.run(k + i, Buffer.alloc(3000, 2));
        for (let i = 0; i < 400; i += 3) put.run(k + i, Buffer.alloc(2000, 3));
      }).immediate();
      out('big ' + (k + 399));
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5000);`;
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acked = -1;
    let tail = '';
    await new Promise<void>((resolve, reject) => {
      child.once('exit', () => reject(new Error('the writer exited before the kill')));
      child.stdout.on('data', (d: Buffer) => {
        const lines = (tail + d.toString()).split('\n');
        tail = lines.pop()!;
        for (const l of lines) acked = Number(l.replace('big ', ''));
        if (lines.some((l) => l.startsWith('big '))) {
          child.removeAllListeners('exit');
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((r) => child.once('exit', r));
    expect(acked).toBe(2399);
    const db = new Database(path); // read-write: opening runs WAL recovery after the kill
    try {
      const rows = db.prepare('SELECT count(*) AS n, max(k) AS top, sum(length(v) = 2000) AS rewritten FROM t').get();
      expect(rows).toEqual({ n: 2400, top: 2399, rewritten: 134 });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});
