/**
 * Micro-benchmark of the SQLite append path as the storage thread runs it
 * (issue 11): W1-shaped batches of B messages (500 direct conversations,
 * random senders, two timeline rows, the sender's read position; `search`
 * adds a search-index row per message, which W1's traffic does not have).
 *
 *   node --conditions=@xinbox/source --import tsx bench/src/storage-thread-append.ts [inproc|worker] [B] [N] [search] [coalesce]
 *     [page=BYTES] [cache=MiB] [users=U]
 *
 * page= and cache= are the database's page size (a new file) and page cache
 * (SqliteOpenOptions pageSize, cacheMiB); users= the number of users (U/2
 * direct conversations, default 1,000 as W1). For settings that matter only
 * once the database outgrows the page cache, run N ≥ 200,000 (W1 writes that
 * many per 20 s run); the report gives the file sizes at the end.
 * reads=K then times the read side on the database the run left: K History
 * reads (getBefore, the newest 50 messages of a random conversation) and K
 * Sync reads (readTimeline, a random user's newest 100 entries), one at a
 * time: the storage thread's CPU and the wall time per read (worker: the
 * thread hop and the copy of the answer included; inproc: the statements and
 * the store's row decoding only, in this thread).
 *
 * inproc: unpackAppend → SqliteMessageStore.append → packAppendResults in
 *   this thread (batches packed beforehand); reports this thread's CPU per
 *   message from /proc/thread-self (the checkpoint thread is not counted).
 * worker: the real storage thread (openSqliteWorkerAdapters); reports the
 *   user/sys CPU per message of the threads the open started (the storage
 *   thread and the checkpoint thread it runs) from /proc/self/task.
 * Both include SQLite's own work (bench/src/sqlite-floor.ts runs the bare
 * statements), so compare before/after, not absolute values; the gap
 * between the two modes is the thread hop. `coalesce` loads the WAL
 * write-coalescing VFS shim (ADR 0015) as the server does by default; it is
 * process-wide, so compare two runs. docs/benchmarks.md, "The storage
 * thread's own JavaScript".
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteAdapters, openSqliteWorkerAdapters, WAL_COALESCING_LIBRARY } from '../../packages/server/src/adapters/sqlite/index.js';
import { packAppend, packAppendResults, unpackAppend } from '../../packages/server/src/adapters/sqlite/worker/append-codec.js';
import type { DurableStores } from '../../packages/server/src/core/ports/index.js';
import type { AppendItem } from '../../packages/server/src/core/ports/message-store.js';

const mode = process.argv[2] ?? 'inproc';
const B = Number(process.argv[3] ?? 8);
const N = Number(process.argv[4] ?? 100_000);
const option = (name: string): number | undefined => {
  const arg = process.argv.find((a) => a.startsWith(`${name}=`));
  return arg === undefined ? undefined : Number(arg.slice(name.length + 1));
};
const READS = option('reads') ?? 0;
const PAIRS = Math.floor((option('users') ?? 1000) / 2);
const search = process.argv[5] === 'search';
const tuning = { pageSize: option('page'), cacheMiB: option('cache') };
const coalesce = { ...tuning, ...(process.argv.includes('coalesce') ? { walCoalescingLibrary: WAL_COALESCING_LIBRARY } : {}) };
const settings = `page ${tuning.pageSize ?? 'default'}, cache ${tuning.cacheMiB ?? 'default'} MiB, ${PAIRS * 2} users`;

const dir = mkdtempSync(join(tmpdir(), 'xinbox-append-bench-'));
const path = join(dir, 'bench.db');

async function setup(stores: Pick<DurableStores, 'identity' | 'conversations'>) {
  const pairs: Array<{ conversation: number; a: number; b: number; seq: number }> = [];
  for (let i = 0; i < PAIRS; i++) {
    const a = (await stores.identity.createUser(`a${i}`, 'hash', 1))!.id;
    const b = (await stores.identity.createUser(`b${i}`, 'hash', 1))!.id;
    const { conversation } = await stores.conversations.getOrCreateDirect(a, b, 1);
    pairs.push({ conversation: conversation.id, a, b, seq: 0 });
  }
  return pairs;
}

let nextId = (1n << 60n) + 12345n;
function makeBatch(pairs: Awaited<ReturnType<typeof setup>>): AppendItem[] {
  const batch: AppendItem[] = [];
  for (let j = 0; j < B; j++) {
    const p = pairs[Math.floor(Math.random() * pairs.length)]!;
    const fromA = Math.random() < 0.5;
    const id = (nextId++).toString();
    batch.push({
      message: {
        id, conversationId: p.conversation, seq: ++p.seq, senderId: fromA ? p.a : p.b, clientMsgId: `c-${id}`,
        serverTime: Date.now(), content: new TextEncoder().encode(`\n\x0ehello world ${j}`), mentions: [], mentionAll: false, visibleTo: [],
      },
      timelineUsers: [p.a, p.b],
      senderReadsOwn: true,
      searchText: search ? `hello world ${j}` : undefined,
    });
  }
  return batch;
}

function threadTicks(): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const tid of readdirSync('/proc/self/task')) {
    const f = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    out.set(tid, [Number(f[11]), Number(f[12])]);
  }
  return out;
}

/** This thread's [user, sys] clock ticks (the checkpoint thread is not counted). */
function ownTicks(): [number, number] {
  const f = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]!.split(' ');
  return [Number(f[11]), Number(f[12])];
}

function fileSizes(): string {
  const mib = (file: string) => {
    try {
      return (statSync(file).size / 2 ** 20).toFixed(1);
    } catch {
      return '0';
    }
  };
  return `db ${mib(path)} MiB, wal ${mib(`${path}-wal`)} MiB`;
}

const TICK = 1e6 / 100; // µs per USER_HZ tick
const us = (micros: number) => (micros / N).toFixed(1);
if (mode === 'inproc') {
  const s = openSqliteAdapters({ path, ...coalesce });
  const pairs = await setup(s);
  const batches = Array.from({ length: N / B }, () => makeBatch(pairs));
  const packed = batches.map(packAppend);
  const [u0, k0] = ownTicks();
  for (const p of packed) packAppendResults(await s.messages.append(unpackAppend(p)));
  const [u1, k1] = ownTicks();
  console.log(`inproc batch ${B}: ${N} msgs (${settings}), user ${us((u1 - u0) * TICK)} µs/msg + sys ${us((k1 - k0) * TICK)} µs/msg (this thread, packing excluded); ${fileSizes()}`);
  if (READS > 0) await timeReads(s, pairs, 'self');
  await s.close();
} else {
  // The threads the open starts are the storage thread and the checkpoint thread it runs (no names to tell them by:
  // the busier one is the storage thread).
  const existing = new Set(threadTicks().keys());
  const s = await openSqliteWorkerAdapters({ path, ...coalesce });
  const sqliteThreads = [...threadTicks().keys()].filter((tid) => !existing.has(tid));
  const pairs = await setup(s);
  const batches = Array.from({ length: N / B }, () => makeBatch(pairs));
  const before = threadTicks();
  for (const batch of batches) await s.messages.append(batch);
  // A read: the storage thread first writes the conversation summaries it still holds (ADR 0016), inside the measurement.
  await s.conversations.getConversation(pairs[0]!.conversation);
  const after = threadTicks();
  const spent = sqliteThreads
    .map((tid): [number, number, string] => {
      const [u, k] = after.get(tid) ?? [0, 0];
      const [u0, k0] = before.get(tid) ?? [0, 0];
      return [u - u0, k - k0, tid];
    })
    .sort((a, b) => b[0] + b[1] - a[0] - a[1]);
  const [storage = [0, 0, ''], checkpoint = [0, 0, '']] = spent;
  const total = spent.reduce((t, [u, k]) => t + u + k, 0);
  console.log(
    `worker batch ${B}: ${N} msgs (${settings}), storage thread user ${us(storage[0] * TICK)} + sys ${us(storage[1] * TICK)} µs/msg, ` +
      `checkpoint thread user ${us(checkpoint[0] * TICK)} + sys ${us(checkpoint[1] * TICK)} µs/msg, ` +
      `SQLite threads total ${us(total * TICK)} µs/msg (${sqliteThreads.length} threads); ${fileSizes()}`,
  );
  if (READS > 0) await timeReads(s, pairs, storage[2]);
  await s.close();
}
rmSync(dir, { recursive: true, force: true });

/** History and Sync reads one at a time: the storage thread's CPU and the wall time per read. */
async function timeReads(s: Pick<DurableStores, 'messages'>, pairs: Awaited<ReturnType<typeof setup>>, storageTid: string): Promise<void> {
  const kinds: Array<[string, (p: (typeof pairs)[number]) => Promise<unknown>]> = [
    ['history', (p) => s.messages.getBefore(p.conversation, p.seq + 1, 50)],
    ['sync', (p) => s.messages.readTimeline(p.a, Math.max(0, p.seq - 100), 100)],
  ];
  const parts: string[] = [];
  for (const [name, read] of kinds) {
    const ticks = () => (storageTid === 'self' ? ownTicks() : (threadTicks().get(storageTid) ?? [0, 0]));
    const t0 = ticks();
    const w0 = performance.now();
    for (let i = 0; i < READS; i++) await read(pairs[Math.floor(Math.random() * pairs.length)]!);
    const wall = ((performance.now() - w0) * 1000) / READS;
    const t1 = ticks();
    const cpu = ((t1[0] - t0[0] + t1[1] - t0[1]) * TICK) / READS;
    parts.push(`${name} ${cpu.toFixed(1)} µs CPU, ${wall.toFixed(1)} µs wall per read`);
  }
  console.log(`reads (${settings}), ${READS} each: ${parts.join('; ')}`);
}
