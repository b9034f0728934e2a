/**
 * The WebhookOutbox and PushTokenStore contracts against every adapter: memory, SQLite (a file
 * of its own; the peer is a second connection) and a real PostgreSQL 15
 * started by the harness (the peer is a second pool, as a second node).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_LANES, webhookLane } from '../../src/core/ports/webhook-outbox.js';
import { MemoryWebhookOutbox } from '../../src/adapters/memory/memory-webhook-outbox.js';
import { SqliteWebhookOutbox } from '../../src/adapters/sqlite/sqlite-webhook-outbox.js';
import { openPostgresAdapters, type PostgresAdapters } from '../../src/adapters/postgres/index.js';
import { describePushTokenStoreContract, describeWebhookOutboxContract } from '../contracts/index.js';
import { MemoryPushTokenStore } from '../../src/adapters/memory/memory-push-token-store.js';
import { SqlitePushTokenStore } from '../../src/adapters/sqlite/sqlite-push-token-store.js';
import { requireServices, startPostgres, type PostgresService } from '../support/services.js';

const dir = mkdtempSync(join(tmpdir(), 'xinbox-webhooks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeWebhookOutboxContract('memory', async () => {
  const webhooks = new MemoryWebhookOutbox();
  return { webhooks, close: () => webhooks.close() };
});

const path = join(dir, 'webhook-outbox.db');
const openSqlite = () => {
  const webhooks = new SqliteWebhookOutbox(path);
  return { webhooks, close: () => webhooks.close() };
};
describeWebhookOutboxContract('sqlite', async () => ({ ...openSqlite(), openPeer: async () => openSqlite() }));

describe('sqlite webhook outbox made before apps', () => {
  it('gains the app column at open; its waiting events belong to `default`', async () => {
    const oldPath = join(dir, 'old-outbox.db');
    const db = new Database(oldPath);
    // The version-1 schema as released before apps (no app_id column), with one waiting event.
    db.exec(`CREATE TABLE webhook_events (position INTEGER PRIMARY KEY AUTOINCREMENT, lane INTEGER NOT NULL, id TEXT NOT NULL, type TEXT NOT NULL,
      order_key TEXT NOT NULL, json TEXT NOT NULL, created_at INTEGER NOT NULL);
      CREATE TABLE webhook_lanes (lane INTEGER PRIMARY KEY, holder TEXT NOT NULL DEFAULT '', lease_until INTEGER NOT NULL DEFAULT 0,
      claimed_at INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '');
      PRAGMA user_version = 1;`);
    for (let i = 0; i < WEBHOOK_LANES; i++) db.prepare('INSERT INTO webhook_lanes (lane) VALUES (?)').run(i);
    db.prepare('INSERT INTO webhook_events (lane, id, type, order_key, json, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(webhookLane('user:1'), 'e1', 'user.online', 'user:1', '{}', 1);
    db.close();
    for (let open = 0; open < 2; open++) {
      const outbox = new SqliteWebhookOutbox(oldPath);
      const batch = await outbox.claim('x', 10 + open * 100, 1, 10);
      expect(batch!.events).toEqual([expect.objectContaining({ id: 'e1', appId: 'default' })]);
      await outbox.close();
    }
  });
});

describePushTokenStoreContract('memory', async () => ({ pushTokens: new MemoryPushTokenStore(), close: async () => undefined }));
const tokensPath = join(dir, 'push-tokens.db');
const openTokens = () => {
  const pushTokens = new SqlitePushTokenStore(tokensPath);
  return { pushTokens, close: () => pushTokens.close() };
};
describePushTokenStoreContract('sqlite', async () => ({ ...openTokens(), openPeer: async () => openTokens() }));

requireServices('postgres');

describe('postgres webhook outbox and push tokens', () => {
  let pg: PostgresService;
  let shared: PostgresAdapters;
  const SCHEMA = 'webhook_contract';
  beforeAll(async () => {
    pg = await startPostgres();
    shared = await openPostgresAdapters({ url: pg.url, poolSize: 6, schema: SCHEMA });
  });
  afterAll(async () => {
    await shared?.close();
    await pg?.stop();
  });
  describePushTokenStoreContract('postgres', async () => ({ pushTokens: shared.pushTokens, close: async () => {} }));
  describeWebhookOutboxContract('postgres', async () => ({
    webhooks: shared.webhooks,
    close: async () => {},
    openPeer: async () => {
      const peer = await openPostgresAdapters({ url: pg.url, poolSize: 4, schema: SCHEMA });
      return { webhooks: peer.webhooks, close: () => peer.close() };
    },
  }));
});
