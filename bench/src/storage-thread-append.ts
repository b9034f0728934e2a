/**
 * Micro-benchmark of the SQLite append path as the storage thread runs it
 * (issue 11): W1-shaped batches of B messages (500 direct conversations,
 * random senders, two timeline rows, the sender's read position; `search`
 * adds a search-index row per message, which W1's traffic does not have).
 *
 *   node --conditions=@xinbox/source --import tsx bench/src/storage-thread-append.ts [inproc|worker] [B] [N] [search] [coalesce]
 *
 * inproc: unpackAppend → SqliteMessageStore.append → packAppendResults in
 *   this thread (batches packed beforehand); reports this thread's CPU per
 *   message from /proc/thread-self (the checkpoint thread is not counted).
 * worker: the real storage thread (openSqliteWorkerAdapters); reports that
 *   thread's user/sys CPU per message from /proc/self/task.
 * Both include SQLite's own work (bench/src/sqlite-floor.ts runs the bare
 * statements), so compare before/after, not absolute values; the gap
 * between the two modes is the thread hop. `coalesce` loads the WAL
 * write-coalescing VFS shim (ADR 0015) as the server does by default; it is
 * process-wide, so compare two runs. docs/benchmarks.md, "The storage
 * thread's own JavaScript".
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteAdapters, openSqliteWorkerAdapters, WAL_COALESCING_LIBRARY } from '../../packages/server/src/adapters/sqlite/index.js';
import { packAppend, packAppendResults, unpackAppend } from '../../packages/server/src/adapters/sqlite/worker/append-codec.js';
import type { DurableStores } from '../../packages/server/src/core/ports/index.js';
import type { AppendItem } from '../../packages/server/src/core/ports/message-store.js';

const mode = process.argv[2] ?? 'inproc';
const B = Number(process.argv[3] ?? 8);
const N = Number(process.argv[4] ?? 100_000);
const PAIRS = 500;
const search = process.argv[5] === 'search';
const coalesce = process.argv.includes('coalesce') ? { walCoalescingLibrary: WAL_COALESCING_LIBRARY } : {};

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
  console.log(`inproc batch ${B}: ${N} msgs, user ${us((u1 - u0) * TICK)} µs/msg + sys ${us((k1 - k0) * TICK)} µs/msg (this thread, packing excluded)`);
  s.close();
} else {
  const s = await openSqliteWorkerAdapters({ path, ...coalesce });
  const pairs = await setup(s);
  const batches = Array.from({ length: N / B }, () => makeBatch(pairs));
  const before = threadTicks();
  for (const batch of batches) await s.messages.append(batch);
  // A read: the storage thread first writes the conversation summaries it still holds (ADR 0016), inside the measurement.
  await s.conversations.getConversation(pairs[0]!.conversation);
  const after = threadTicks();
  let best: [string, number, number] = ['', 0, 0];
  for (const [tid, [u, k]] of after) {
    if (tid === String(process.pid)) continue;
    const [u0, k0] = before.get(tid) ?? [0, 0];
    if (u - u0 + k - k0 > best[1] + best[2]) best = [tid, u - u0, k - k0];
  }
  console.log(`worker batch ${B}: ${N} msgs, storage thread user ${us(best[1] * TICK)} µs/msg + sys ${us(best[2] * TICK)} µs/msg`);
  await s.close();
}
rmSync(dir, { recursive: true, force: true });
