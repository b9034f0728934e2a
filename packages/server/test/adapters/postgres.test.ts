/**
 * PostgreSQL adapters against a real PostgreSQL 15 started by the test
 * harness: the shared port contracts (through two pools, as two nodes would
 * connect), plus PostgreSQL-specific behaviour: fencing of a stale writer,
 * migrations under concurrency, 64-bit ids, lock ordering under load.
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/adapters/postgres/client.js';
import { MIGRATIONS, migrate, openPostgresAdapters, type PostgresAdapters } from '../../src/adapters/postgres/index.js';
import type { ConversationId, UserId } from '../../src/core/model.js';
import { SeqConflictError } from '../../src/core/ports/index.js';
import {
  appendItem, createUsers, describeConversationStoreContract, describeIdentityStoreContract,
  describeMessageStoreContract, describeNodeLeaseStoreContract, makeMessage, plain,
  describeSocialStoreContract, describeModerationStoreContract, describeCommerceContract, describeMessageWebhookEventsContract,
} from '../contracts/index.js';
import { requireServices, startPostgres, type PostgresService } from '../support/services.js';

requireServices('postgres');

describe('postgres adapters', () => {
  let pg: PostgresService;
  let shared: PostgresAdapters;
  const extra: PostgresAdapters[] = [];
  let schemas = 0;

  beforeAll(async () => {
    pg = await startPostgres();
    shared = await openPostgresAdapters({ url: pg.url, poolSize: 6, schema: 'contracts' });
  });
  afterAll(async () => {
    await Promise.all(extra.splice(0).map((a) => a.close()));
    await shared?.close();
    await pg?.stop();
  });

  /** Another pool on a schema, as a second node would open it. */
  const open = async (schema: string, poolSize = 4): Promise<PostgresAdapters> => {
    const adapters = await openPostgresAdapters({ url: pg.url, poolSize, schema });
    extra.push(adapters);
    return adapters;
  };
  const freshSchema = (): string => `t${++schemas}`;

  // The suites share one schema (they never assume an empty store); peers are separate pools on it.
  const fixture = async () => ({
    ...shared,
    close: async () => {},
    openPeer: () => openPostgresAdapters({ url: pg.url, poolSize: 4, schema: 'contracts' }),
  });
  describeIdentityStoreContract('postgres', fixture);
  describeMessageStoreContract('postgres', fixture);
  describeMessageWebhookEventsContract('postgres', fixture);
  describeConversationStoreContract('postgres', fixture);
    describeNodeLeaseStoreContract('postgres', fixture);
    describeSocialStoreContract('postgres', fixture);
    describeCommerceContract('postgres', fixture);
    describeModerationStoreContract('postgres', fixture);

  describe('fencing', () => {
    it('lets exactly one of two concurrent writers of one (conversation, seq) win, on separate pools', async () => {
      const schema = freshSchema();
      const [nodeA, nodeB] = [await open(schema), await open(schema)];
      const [a, b] = (await createUsers(nodeA.identity, 2)) as [UserId, UserId];
      const chat = (await nodeA.conversations.getOrCreateDirect(a, b, 1)).conversation.id;
      const rounds = 40;
      const winners: string[] = [];
      for (let seq = 1; seq <= rounds; seq++) {
        // Same seq, different messages, both touching both users' sync heads in either order.
        const fromA = makeMessage(chat, seq, a);
        const fromB = makeMessage(chat, seq, b);
        const outcomes = await Promise.allSettled([
          nodeA.messages.append([appendItem(fromA, [a, b], true)]),
          nodeB.messages.append([appendItem(fromB, [b, a], true)]),
        ]);
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0]!.reason).toBeInstanceOf(SeqConflictError);
        expect(lost[0]!.reason).toMatchObject({ conversationId: chat, seq });
        winners.push(outcomes[0]!.status === 'fulfilled' ? fromA.id : fromB.id);
      }
      const stored = await nodeB.messages.getRange(chat, 1, rounds, 1000);
      expect(stored.map((m) => m.id)).toEqual(winners);
      expect(await nodeA.conversations.getConversation(chat)).toMatchObject({ lastSeq: rounds, lastMessageId: winners.at(-1) });
      // The losers consumed no sync seqs: both timelines are exactly 1..rounds.
      for (const user of [a, b]) {
        const timeline = await nodeA.messages.readTimeline(user, 0, 1000);
        expect(timeline.map((e) => e.syncSeq)).toEqual(Array.from({ length: rounds }, (_, i) => i + 1));
        expect(timeline.map((e) => e.message.id)).toEqual(winners);
      }
    });

    it('does not deadlock when many batches through many pools touch overlapping users, conversations and readers', async () => {
      const schema = freshSchema();
      const nodes = [await open(schema, 3), await open(schema, 3), await open(schema, 3)];
      const users = await createUsers(nodes[0]!.identity, 6);
      const chats: Array<{ id: ConversationId; a: UserId; b: UserId }> = [];
      for (let i = 0; i < users.length; i++) {
        for (let j = i + 1; j < users.length; j++) {
          const id = (await nodes[0]!.conversations.getOrCreateDirect(users[i]!, users[j]!, 1)).conversation.id;
          chats.push({ id, a: users[i]!, b: users[j]! });
        }
      }
      const nextSeq = new Map(chats.map((c) => [c.id, 1]));
      const work: Array<Promise<unknown>> = [];
      for (let round = 0; round < 30; round++) {
        const node = nodes[round % nodes.length]!;
        const batch = Array.from({ length: 8 }, (_, k) => {
          const chat = chats[(round * 7 + k * 3) % chats.length]!;
          const seq = nextSeq.get(chat.id)!;
          nextSeq.set(chat.id, seq + 1);
          return appendItem(makeMessage(chat.id, seq, k % 2 ? chat.a : chat.b), k % 2 ? [chat.a, chat.b] : [chat.b, chat.a], true);
        });
        work.push(node.messages.append(batch));
        // Readers and membership changes on the same rows, concurrently.
        const chat = chats[round % chats.length]!;
        work.push(node.conversations.advanceReadSeq(chat.id, chat.b, 1_000));
        work.push(node.conversations.unreadCounts(chat.a, chat.id));
      }
      await Promise.all(work);
      const total = [...nextSeq.values()].reduce((sum, next) => sum + next - 1, 0);
      let timelineEntries = 0;
      for (const user of users) {
        const timeline = await nodes[0]!.messages.readTimeline(user, 0, 10_000);
        expect(timeline.map((e) => e.syncSeq)).toEqual(Array.from({ length: timeline.length }, (_, i) => i + 1));
        timelineEntries += timeline.length;
      }
      expect(timelineEntries).toBe(total * 2);
    });
  });

  describe('migrations', () => {
    it('applies each migration once, also when several nodes start at the same moment', async () => {
      const schema = freshSchema();
      const nodes = await Promise.all(Array.from({ length: 4 }, () => open(schema, 2)));
      expect(nodes).toHaveLength(4);
      const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
      try {
        const rows = await admin.unsafe(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
        expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      } finally {
        await admin.end();
      }
      // Reopening is a no-op.
      const sql = createClient({ url: pg.url, poolSize: 1, schema });
      try {
        expect(await migrate(sql)).toEqual({ applied: [] });
      } finally {
        await sql.end();
      }
    });

    it('runs new migrations in their own transaction, once across racing clients, and rolls back a failing one', async () => {
      const schema = freshSchema();
      await open(schema, 1);
      const next = MIGRATIONS.length + 1;
      const withExtra = [...MIGRATIONS, { version: next, name: 'extra table', sql: 'CREATE TABLE extra (x int); INSERT INTO extra VALUES (1);' }];
      const clients = Array.from({ length: 3 }, () => createClient({ url: pg.url, poolSize: 1, schema }));
      try {
        const results = await Promise.all(clients.map((sql) => migrate(sql, withExtra)));
        expect(results.map((r) => r.applied).flat()).toEqual([next]); // exactly one client applied it
        const [row] = await clients[0]!`SELECT count(*)::int8 AS n FROM extra`;
        expect(row!.n).toBe(1);

        const broken = [...withExtra, { version: next + 1, name: 'broken', sql: 'CREATE TABLE half (x int); SELECT * FROM no_such_table;' }];
        await expect(migrate(clients[1]!, broken)).rejects.toThrow(/no_such_table/);
        const [half] = await clients[1]!`SELECT to_regclass('half') IS NULL AS absent`;
        expect(half!.absent).toBe(true);
        const versions = await clients[1]!`SELECT version FROM schema_migrations ORDER BY version`;
        expect(versions.map((v) => v.version)).toEqual([...MIGRATIONS.map((m) => m.version), next]);
        // A server older than the schema refuses to start rather than run on a schema it does not know.
        await expect(openPostgresAdapters({ url: pg.url, schema })).rejects.toThrow(/newer than this server/);
      } finally {
        await Promise.all(clients.map((sql) => sql.end()));
      }
    });
  });

  describe('storage details', () => {
    it('round-trips message ids across the whole unsigned 64-bit range and survives reopening', async () => {
      const schema = freshSchema();
      const first = await open(schema);
      const [a, b] = (await createUsers(first.identity, 2)) as [UserId, UserId];
      const chat = (await first.conversations.getOrCreateDirect(a, b, 1)).conversation.id;
      const ids = ['1', String(2n ** 63n - 1n), String(2n ** 63n), String(2n ** 64n - 1n)];
      const sent = ids.map((id, i) => makeMessage(chat, i + 1, a, { id, mentions: [b], visibleTo: [a, b] }));
      await first.messages.append(sent.map((m) => appendItem(m, [b])));
      await first.close();
      const again = await open(schema);
      for (const m of sent) expect(plain(await again.messages.getById(m.id))).toEqual(plain(m));
      expect((await again.conversations.getConversation(chat))!.lastMessageId).toBe(String(2n ** 64n - 1n));
      expect(await again.messages.getById(String(2n ** 64n))).toBeNull();
      expect(await again.messages.getById('not-a-number')).toBeNull();
    });

    it('names a missing conversation or user instead of a raw constraint error', async () => {
      const adapters = await open(freshSchema());
      const [a] = (await createUsers(adapters.identity, 1)) as [UserId];
      await expect(adapters.messages.append([appendItem(makeMessage(987654, 1, a))])).rejects.toThrow(/conversation 987654 does not exist/);
      await expect(adapters.conversations.getOrCreateDirect(a, 424242, 1)).rejects.toThrow(/user 424242 does not exist/);
      await expect(adapters.conversations.addMembers(123456, [a], 'member', 1, 1)).rejects.toThrow(/conversation 123456 does not exist/);
      expect(await adapters.conversations.listUserConversations(a, 10, 0)).toEqual([]);
    });
  });
});
