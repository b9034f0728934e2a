/**
 * The SQLite floor of a W1 append: CPU per 1:1 message of Xinbox's message
 * store (the code the storage thread runs) against the same SQL statements
 * run bare, on the same database (real migrations and pragmas, the
 * background checkpointer on), W1's shape: 1,000 users in 500 direct
 * conversations, random senders, batches of --batch sends per transaction.
 *
 *   node --conditions=@xinbox/source --import tsx bench/src/sqlite-floor.ts [--messages 200000] [--batch 8] [--rounds 2] [--coalesce 1]
 *
 * `--coalesce 1` loads the WAL write-coalescing VFS shim (ADR 0015) first, as
 * the server does by default; it is process-wide, so compare two runs.
 *
 * `store` is SqliteMessageStore.append (message row, two timeline rows, the
 * conversation bump and the sender's read position, in one transaction):
 * what the storage thread does per batch, without the thread hop.
 * `bare` runs the same five statements from a loop with nothing else. The
 * difference is the store's own JavaScript; `bare` is what SQLite costs
 * for this schema (user time: B-tree work and WAL checksums; system time:
 * WAL frame writes, two pwrite calls per dirty page). CPU is the whole
 * process's (process.cpuUsage), so it includes the checkpoint thread.
 * docs/benchmarks.md, "Where W1's core goes".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteAdapters, WAL_COALESCING_LIBRARY, type SqliteAdapters } from '../../packages/server/src/adapters/sqlite/index.js';
import type { AppendItem } from '../../packages/server/src/core/ports/index.js';
import { xorshift } from './xorshift.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const MESSAGES = arg('messages', 200_000);
const BATCH = arg('batch', 8);
const ROUNDS = arg('rounds', 2);
const COALESCE = arg('coalesce', 0) === 1;
const USERS = 1000;

// Deterministic, so runs compare.
const rand = xorshift(0x2545f491);

interface Pair { readonly conversationId: number; readonly a: number; readonly b: number; seq: number }
interface World { readonly db: SqliteAdapters; readonly pairs: Pair[]; readonly heads: Map<number, number>; nextId: bigint; sent: number }

async function openWorld(dir: string, name: string): Promise<World> {
  const db = openSqliteAdapters({ path: join(dir, `${name}.db`), ...(COALESCE ? { walCoalescingLibrary: WAL_COALESCING_LIBRARY } : {}) });
  const now = Date.now();
  const users: number[] = [];
  for (let i = 0; i < USERS; i++) users.push((await db.identity.createUser(`floor-${i}`, 'x', now))!.id);
  const pairs: Pair[] = [];
  for (let i = 0; i < USERS; i += 2) {
    const { conversation } = await db.conversations.getOrCreateDirect(users[i]!, users[i + 1]!, now);
    pairs.push({ conversationId: conversation.id, a: users[i]!, b: users[i + 1]!, seq: 0 });
  }
  return { db, pairs, heads: new Map(), nextId: BigInt(now) << 22n, sent: 0 };
}

/** The next W1 send: a random pair, a random direction. */
function nextSend(w: World): { pair: Pair; sender: number; recipient: number; seq: number; id: bigint } {
  const pair = w.pairs[rand(w.pairs.length)]!;
  const forward = rand(2) === 0;
  w.nextId += 1n;
  w.sent++;
  return { pair, sender: forward ? pair.a : pair.b, recipient: forward ? pair.b : pair.a, seq: ++pair.seq, id: w.nextId };
}

const CONTENT = new Uint8Array(40).fill(7);
/**
 * One event-loop turn between batches, as the storage thread has between
 * two calls: the checkpoint thread's catch-up request runs there.
 */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function runStore(w: World, messages: number): Promise<void> {
  for (let done = 0; done < messages; done += BATCH) {
    const batch: AppendItem[] = [];
    for (let i = 0; i < BATCH; i++) {
      const s = nextSend(w);
      batch.push({
        message: { id: s.id.toString(), conversationId: s.pair.conversationId, seq: s.seq, senderId: s.sender, clientMsgId: `c${w.sent}`, serverTime: Date.now(), content: CONTENT, mentions: [], mentionAll: false, visibleTo: [] },
        timelineUsers: [s.sender, s.recipient],
        senderReadsOwn: true,
      });
    }
    await w.db.messages.append(batch);
    await nextTurn();
  }
}

function bareAppender(w: World): (messages: number) => Promise<void> {
  const db = w.db.database;
  const insert = db.prepare(`INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, server_time, content, mentions, mention_all, visible_to)
    VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 0, NULL)`);
  const timeline = db.prepare('INSERT INTO timeline (user_id, sync_seq, conversation_id, seq) VALUES (?, ?, ?, ?)');
  const bump = db.prepare(`UPDATE conversations SET last_message_id = CASE WHEN ? > last_seq THEN ? ELSE last_message_id END,
    last_seq = MAX(last_seq, ?), updated_at = MAX(updated_at, ?) WHERE id = ?`);
  const readOwn = db.prepare('UPDATE members SET read_seq = MAX(read_seq, ?) WHERE conversation_id = ? AND user_id = ?');
  const content = Buffer.from(CONTENT);
  const head = (user: number): number => {
    const next = (w.heads.get(user) ?? 0) + 1;
    w.heads.set(user, next);
    return next;
  };
  const tx = db.transaction((n: number) => {
    for (let i = 0; i < n; i++) {
      const s = nextSend(w);
      const now = Date.now();
      insert.run(s.id, s.pair.conversationId, s.seq, s.sender, `c${w.sent}`, now, content);
      timeline.run(s.sender, head(s.sender), s.pair.conversationId, s.seq);
      timeline.run(s.recipient, head(s.recipient), s.pair.conversationId, s.seq);
      bump.run(s.seq, s.id, s.seq, now, s.pair.conversationId);
      readOwn.run(s.seq, s.pair.conversationId, s.sender);
    }
  });
  return async (messages) => {
    for (let done = 0; done < messages; done += BATCH) {
      tx.immediate(BATCH);
      await nextTurn();
    }
  };
}

async function measure(label: string, run: () => Promise<void> | void): Promise<void> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const used = process.cpuUsage(cpu);
  const perMessage = (us: number): string => (us / MESSAGES).toFixed(1);
  console.log(`| ${label} | ${BATCH} | ${perMessage(used.user)} | ${perMessage(used.system)} | ${perMessage(used.user + used.system)} | ${perMessage((performance.now() - t0) * 1000)} |`);
}

const dir = mkdtempSync(join(tmpdir(), 'xinbox-sqlite-floor-'));
try {
  const store = await openWorld(dir, 'store');
  const bare = await openWorld(dir, 'bare');
  const bareRun = bareAppender(bare);
  // Warm both (statement caches, JIT, the first B-tree pages), then alternate.
  await runStore(store, 20_000);
  await bareRun(20_000);
  console.log(`${MESSAGES} messages per run, ${USERS} users in ${USERS / 2} direct conversations, WAL write coalescing ${COALESCE ? 'on' : 'off'}; µs per message`);
  console.log('| mode | batch | user | system | total CPU | wall |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (let r = 0; r < ROUNDS; r++) {
    await measure('store', () => runStore(store, MESSAGES));
    await measure('bare', () => bareRun(MESSAGES));
  }
  await store.db.close();
  await bare.db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
