/**
 * Quick measurement of PostgresMessageStore.append throughput: batches of
 * 100 one-to-one messages (two timeline entries each, sender reads own),
 * against a throwaway PostgreSQL started by the test harness.
 *
 *   npx tsx packages/server/test/support/pg-append-throughput.ts [--durable] [--batches N] [--concurrency C]
 *
 * --durable keeps fsync and synchronous_commit on (production defaults).
 */
import { parseArgs } from 'node:util';
import { openPostgresAdapters } from '../../src/adapters/postgres/index.js';
import type { ConversationId, UserId } from '../../src/core/model.js';
import type { AppendItem } from '../../src/core/ports/index.js';
import { startPostgres } from './services.js';

const { values } = parseArgs({
  options: {
    durable: { type: 'boolean', default: false },
    batches: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '1,4' },
    users: { type: 'string', default: '10000' },
  },
});
const batchSize = 100;
const batches = Number(values.batches);
const userCount = Number(values.users);

const pg = await startPostgres({ durable: values.durable });
const stores = await openPostgresAdapters({ url: pg.url, poolSize: 8 });
try {
  const userIds: UserId[] = [];
  for (let i = 0; i < userCount; i += 1000) {
    const created = await Promise.all(Array.from({ length: Math.min(1000, userCount - i) }, (_, k) =>
      stores.identity.createUser(`u${i + k}`, 'h', 1)));
    userIds.push(...created.map((u) => u!.id));
  }
  const chats: Array<{ id: ConversationId; a: UserId; b: UserId; next: number }> = [];
  for (let i = 0; i + 1 < userIds.length; i += 2) {
    const [a, b] = [userIds[i]!, userIds[i + 1]!];
    chats.push({ id: (await stores.conversations.getOrCreateDirect(a, b, 1)).conversation.id, a, b, next: 1 });
  }
  let messageId = BigInt(Date.now()) << 22n;
  let cursor = 0;
  const makeBatch = (): AppendItem[] => Array.from({ length: batchSize }, (_, k) => {
    const chat = chats[(cursor++ * 7919) % chats.length]!;
    const sender = k % 2 ? chat.a : chat.b;
    const seq = chat.next++;
    return {
      message: {
        id: String(++messageId), conversationId: chat.id, seq, senderId: sender, clientMsgId: `c${messageId}`,
        serverTime: Date.now(), content: new TextEncoder().encode(`hello number ${seq} from ${sender}, a short chat line`),
        mentions: [], mentionAll: false, visibleTo: [],
      },
      timelineUsers: [chat.a, chat.b],
      senderReadsOwn: true,
    };
  });

  console.log(`PostgreSQL ${values.durable ? 'durable (fsync on, synchronous_commit on)' : 'test settings (fsync off)'}; ` +
    `${userCount} users, ${chats.length} direct chats, batches of ${batchSize}`);
  await stores.messages.append(makeBatch()); // warm up: prepared statements, caches
  for (const concurrency of values.concurrency.split(',').map(Number)) {
    let started = 0;
    const latencies: number[] = [];
    const t0 = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (started < batches) {
        started++;
        const batch = makeBatch();
        const t = performance.now();
        await stores.messages.append(batch);
        latencies.push(performance.now() - t);
      }
    }));
    const seconds = (performance.now() - t0) / 1000;
    latencies.sort((x, y) => x - y);
    const p = (q: number): string => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
    console.log(`concurrency ${concurrency}: ${batches} batches, ${(batches * batchSize / seconds).toFixed(0)} messages/s, ` +
      `batch latency p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`);
  }
} finally {
  await stores.close();
  await pg.stop();
}
