/**
 * The WebhookOutbox and PushTokenStore contracts against every adapter: memory, SQLite (the
 * outbox in xinbox.db's tables; the peer is a second connection) and a real PostgreSQL 15
 * started by the harness (the peer is a second pool, as a second node).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/adapters/postgres/client.js';
import { webhookLane } from '../../src/core/ports/webhook-outbox.js';
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
  it('delivers an event that commits behind a batch being delivered on its lane (positions are taken before commit)', async () => {
    const outbox = shared.webhooks;
    for (let b = await outbox.claim('drain', 10 ** 14, 1, 10_000); b; b = await outbox.claim('drain', 10 ** 14, 1, 10_000)) await outbox.complete(b, 'drain');
    // Two keys on one lane: a message append (say) takes a position, then a later append commits first.
    const first = `conversation:${randomUUID()}`;
    let second = `user:${randomUUID()}`;
    while (webhookLane(second) !== webhookLane(first)) second = `user:${randomUUID()}`;
    const event = (orderKey: string) => ({ id: randomUUID(), type: 'test.event', orderKey, json: '{}', createdAt: 1 });
    const slow = event(first);
    const raw = createClient({ url: pg.url, poolSize: 1, schema: SCHEMA });
    try {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let inserted!: () => void;
      const insertedSeen = new Promise<void>((r) => (inserted = r));
      const tx = raw.begin(async (t) => {
        await t`INSERT INTO webhook_events (lane, id, type, order_key, json, created_at) VALUES (${webhookLane(first)}, ${slow.id}, ${slow.type}, ${first}, '{}', 1)`;
        inserted();
        await held;
      });
      await insertedSeen;
      await outbox.append([event(second)]);
      const batch = await outbox.claim('a', 10 ** 14, 60_000, 100);
      expect(batch!.events.map((e) => e.orderKey)).toEqual([second]);
      // The earlier position commits while the batch is with the receiver.
      release();
      await tx;
      expect(await outbox.complete(batch!, 'a')).toBe(true);
      const late = await outbox.claim('a', 10 ** 14, 60_000, 100);
      expect(late?.events.map((e) => e.id)).toEqual([slow.id]);
      await outbox.complete(late!, 'a');
    } finally {
      await raw.end();
    }
  });
  describeWebhookOutboxContract('postgres', async () => ({
    webhooks: shared.webhooks,
    close: async () => {},
    openPeer: async () => {
      const peer = await openPostgresAdapters({ url: pg.url, poolSize: 4, schema: SCHEMA });
      return { webhooks: peer.webhooks, close: () => peer.close() };
    },
  }));
});
