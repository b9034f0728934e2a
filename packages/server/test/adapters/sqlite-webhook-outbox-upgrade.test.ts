import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openSqliteWorkerAdapters } from '../../src/adapters/sqlite/index.js';
import { WEBHOOK_LANES, webhookLane, type WebhookOutbox } from '../../src/core/ports/webhook-outbox.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * Upgrade step of issue 16: a data directory written before migration 13
 * has its webhook outbox in `webhook-outbox.db`. Opening it with this
 * server carries the pending events (in order), the lanes' retry state and
 * the delivery log into xinbox.db once, and removes the old file.
 */

/** The old file's schema, as the previous server created it (user_version 1). */
const LEGACY_SCHEMA = `
  CREATE TABLE webhook_events (
    position INTEGER PRIMARY KEY AUTOINCREMENT, lane INTEGER NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL,
    order_key TEXT NOT NULL, json TEXT NOT NULL, created_at INTEGER NOT NULL);
  CREATE INDEX webhook_events_by_lane ON webhook_events (lane, position);
  CREATE TABLE webhook_lanes (
    lane INTEGER PRIMARY KEY, holder TEXT NOT NULL DEFAULT '', lease_until INTEGER NOT NULL DEFAULT 0,
    claimed_at INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '');
  CREATE TABLE IF NOT EXISTS webhook_deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, lane INTEGER NOT NULL, at INTEGER NOT NULL, status TEXT NOT NULL,
    attempt INTEGER NOT NULL, events TEXT NOT NULL, types TEXT NOT NULL, error TEXT NOT NULL, next_attempt_at INTEGER NOT NULL);
`;

const KEYS = ['conversation:1', 'conversation:2', 'user:7', 'room:r1'];

/** An old outbox file with 3 pending events per key, the key of lane 0's head failing twice, and one logged attempt. */
function writeLegacyOutbox(path: string, version = 1): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(LEGACY_SCHEMA);
  const lane = db.prepare('INSERT INTO webhook_lanes (lane) VALUES (?)');
  for (let i = 0; i < WEBHOOK_LANES; i++) lane.run(i);
  const insert = db.prepare('INSERT INTO webhook_events (lane, id, type, order_key, json, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  for (let n = 0; n < 3; n++) {
    for (const key of KEYS) insert.run(webhookLane(key), `${key}#${n}`, 'test.old', key, JSON.stringify({ key, n }), 1000 + n);
  }
  db.prepare("UPDATE webhook_lanes SET attempts = 2, next_attempt_at = 5000, last_error = 'HTTP 503' WHERE lane = ?").run(webhookLane(KEYS[0]!));
  db.prepare("INSERT INTO webhook_deliveries (lane, at, status, attempt, events, types, error, next_attempt_at) VALUES (?, 4000, 'failed', 2, ?, ',test.old,', 'HTTP 503', 5000)")
    .run(webhookLane(KEYS[0]!), JSON.stringify([{ id: `${KEYS[0]}#0`, type: 'test.old', orderKey: KEYS[0] }]));
  db.pragma(`user_version = ${version}`);
  db.close();
}

/** Every pending event, per order key in delivery order (claims at a time after every retry is due). */
async function pending(outbox: WebhookOutbox): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const claimed = [];
  for (let batch = await outbox.claim('test', 10 ** 14, 60_000, 1000); batch; batch = await outbox.claim('test', 10 ** 14, 60_000, 1000)) {
    claimed.push(batch);
    for (const e of batch.events) {
      expect(e.appId).toBe('default'); // events from before apps belong to the default app
      out.set(e.orderKey, [...(out.get(e.orderKey) ?? []), e.id]);
    }
  }
  // Leave them pending (the lease is released by retryLater; the next claim finds them again).
  for (const b of claimed) await outbox.retryLater(b, 'test', 0, 'peek');
  return out;
}

const expected = new Map(KEYS.map((key) => [key, [0, 1, 2].map((n) => `${key}#${n}`)]));

describe('SQLite webhook outbox upgrade (webhook-outbox.db -> xinbox.db)', () => {
  it('carries an old outbox file\'s events, retry state and delivery log over once, then removes the file', async () => {
    const dir = tempDir();
    try {
      const old = join(dir.path, 'webhook-outbox.db');
      writeLegacyOutbox(old);
      const stores = await openSqliteWorkerAdapters({ path: join(dir.path, 'xinbox.db') });
      try {
        expect(existsSync(old)).toBe(false);
        expect(readdirSync(dir.path).filter((f) => f.startsWith('webhook-outbox'))).toEqual([]);
        const lanes = await stores.webhooks.lanes();
        const failing = lanes.find((l) => l.lane === webhookLane(KEYS[0]!))!;
        expect(failing).toMatchObject({ attempts: 2, nextAttemptAt: 5000, lastError: 'HTTP 503' });
        const log = await stores.webhooks.deliveries({ limit: 10 });
        expect(log.map((r) => [r.status, r.attempt, r.error, r.events[0]!.id])).toEqual([['failed', 2, 'HTTP 503', `${KEYS[0]}#0`]]);
        expect(await pending(stores.webhooks)).toEqual(expected);
      } finally {
        await stores.close();
      }
      // Reopening imports nothing again.
      const again = await openSqliteWorkerAdapters({ path: join(dir.path, 'xinbox.db') });
      try {
        expect(await pending(again.webhooks)).toEqual(expected);
      } finally {
        await again.close();
      }
    } finally {
      dir.remove();
    }
  });

  it('only removes a file it already imported (a crash between the import and the removal)', async () => {
    const dir = tempDir();
    try {
      const old = join(dir.path, 'webhook-outbox.db');
      writeLegacyOutbox(old);
      mkdirSync(join(dir.path, 'keep'));
      copyFileSync(old, join(dir.path, 'keep', 'webhook-outbox.db'));
      await (await openSqliteWorkerAdapters({ path: join(dir.path, 'xinbox.db') })).close();
      // The file is back, as if the process had died right after the import committed.
      copyFileSync(join(dir.path, 'keep', 'webhook-outbox.db'), old);
      const stores = await openSqliteWorkerAdapters({ path: join(dir.path, 'xinbox.db') });
      try {
        expect(existsSync(old)).toBe(false);
        expect(await pending(stores.webhooks)).toEqual(expected);
      } finally {
        await stores.close();
      }
    } finally {
      dir.remove();
    }
  });

  it('refuses an outbox file written by a newer server, with the reason, and keeps it', async () => {
    const dir = tempDir();
    try {
      const old = join(dir.path, 'webhook-outbox.db');
      writeLegacyOutbox(old, 2);
      await expect(openSqliteWorkerAdapters({ path: join(dir.path, 'xinbox.db') })).rejects.toThrow(/webhook outbox schema 2 is newer/);
      expect(existsSync(old)).toBe(true);
    } finally {
      dir.remove();
    }
  });

  it('opens a fresh data directory with no old file', async () => {
    const dir = tempDir();
    try {
      const stores = await openSqliteWorkerAdapters({ path: join(dir.path, 'xinbox.db') });
      try {
        expect(await stores.webhooks.lanes()).toEqual([]);
        expect(existsSync(join(dir.path, 'webhook-outbox.db'))).toBe(false);
      } finally {
        await stores.close();
      }
    } finally {
      dir.remove();
    }
  });
});
