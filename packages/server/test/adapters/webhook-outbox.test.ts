/**
 * The WebhookOutbox and PushTokenStore contracts against every adapter: memory, SQLite (the
 * outbox in xinbox.db's tables; the peer is a second connection) and a real PostgreSQL 15
 * started by the harness (the peer is a second pool, as a second node).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { MemoryWebhookOutbox } from '../../src/adapters/memory/memory-webhook-outbox.js';
import { SqliteWebhookOutbox } from '../../src/adapters/sqlite/sqlite-webhook-outbox.js';
import { openSqliteDatabase } from '../../src/adapters/sqlite/sqlite-database.js';
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

const path = join(dir, 'xinbox.db');
const openSqlite = () => {
  const db = openSqliteDatabase({ path });
  const webhooks = new SqliteWebhookOutbox(db);
  return { webhooks, close: async () => void db.close() };
};
describeWebhookOutboxContract('sqlite', async () => ({ ...openSqlite(), openPeer: async () => openSqlite() }));

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
