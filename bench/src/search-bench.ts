/**
 * Search latency over a large message store (issue 14): fills a SQLite
 * database through the store's batch path (MessageStore.append, 512 messages
 * per transaction, each indexed in the same commit, as the send pipeline
 * does), then measures SearchIndex.search p50/p99 per query kind, for a user
 * in ~11 groups (one of them a large group holding a tenth of all messages).
 *
 *   node --conditions=@xinbox/source --import tsx bench/src/search-bench.ts [--messages 1000000] [--queries 200] [--db path] [--postgres url [--reuse]] [--budget 10000[,0]]
 *
 * --no-index appends the same messages without search text (the cost of
 * indexing, A/B); --queries 0 only fills. --budget N sets the scan budget
 * per page (default 10000, the server's; 0 = unbounded; a list such as
 * 10000,0 measures each budget in the same run, A/B).
 *
 * --db reuses (or keeps) the filled file: a second run with the same --db and
 * --messages skips the fill. --postgres runs the same fill and queries on
 * PostgreSQL (schema search_bench, dropped first) instead of SQLite.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteAdapters, SqliteSearchIndex } from '../../packages/server/src/adapters/sqlite/index.js';
import type { AppendItem, ConversationStore, IdentityStore, MessageStore, SearchIndex } from '../../packages/server/src/core/ports/index.js';
import { xorshift } from './xorshift.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const MESSAGES = Number(arg('messages', '1000000'));
const QUERIES = Number(arg('queries', '200'));
const USERS = 1000;
const GROUPS = 1000;
const GROUP_SIZE = 10;
const BATCH = 512;
const INDEX = !process.argv.includes('--no-index');
// SearchQuery.scanBudget (the server's default is 10,000); 0: unbounded, the plan before the budget.
// A comma-separated list measures every query kind once per budget (A/B in one run).
const BUDGETS = arg('budget', '10000').split(',').map((b) => Number(b) || 1_000_000_000);
let BUDGET = BUDGETS[0]!;

// Deterministic, so runs compare.
const rand = xorshift(0x2545f491);
// ~600 common characters, so CJK words repeat like real chat does.
const HAN = '的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生自会那后能对着事其里所去行过家十用发天如然作方成者多日都三小军二无同么经法当起与好看学进种将还分此心前面又定见只主没公从知使问已向战命此文明实现所加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处府队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严';
const cjkWord = (): string => Array.from({ length: 2 + rand(3) }, () => HAN[rand(HAN.length)]!).join('');
const EN = 'budget meeting report release deploy server client search index latency message group channel review design weekend lunch coffee ticket issue merge branch commit test green failing quarter sales invoice contract shipping order refund customer support ticket launch plan draft final version update cancel confirm tomorrow today tonight morning evening photo video file link thanks please sorry hello'.split(' ');
const enWord = (): string => EN[rand(EN.length)]!;
// Phrases people repeat: each in ~0.1 % of messages (a common query with many hits).
const PHRASES = ['明天开会', '预算报告', '周末愉快', '辛苦了大家', '收到谢谢', '下午三点', '项目进度', '发布计划', '晚上吃什么', '生日快乐'];
const text = (): string => {
  const words = Array.from({ length: 4 + rand(10) }, () => (rand(3) === 0 ? enWord() : cjkWord()));
  if (rand(100) === 0) words.splice(rand(words.length), 0, PHRASES[rand(PHRASES.length)]!);
  return words.join(rand(2) ? ' ' : '');
};

interface Stores {
  identity: IdentityStore;
  conversations: ConversationStore;
  messages: MessageStore;
  search: SearchIndex;
  close(): Promise<void>;
  analyze?(): Promise<void>;
}

async function openStores(): Promise<{ stores: Stores; filled: boolean; where: string; cleanup: () => void }> {
  const pgUrl = arg('postgres', '');
  if (pgUrl) {
    const { openPostgresAdapters } = await import('../../packages/server/src/adapters/postgres/index.js');
    const postgres = (await import('postgres')).default;
    const admin = postgres(pgUrl, { max: 1, onnotice: () => undefined });
    // --reuse keeps a schema an earlier run filled with as many messages (the fill takes minutes).
    const [kept] = process.argv.includes('--reuse')
      ? await admin.unsafe<Array<{ n: string }>>(`SELECT count(*) AS n FROM search_bench.messages`).catch(() => [{ n: '0' }])
      : [{ n: '0' }];
    const filled = Number(kept!.n) === MESSAGES;
    if (!filled) await admin.unsafe('DROP SCHEMA IF EXISTS search_bench CASCADE');
    await admin.end();
    const pg = await openPostgresAdapters({ url: pgUrl, poolSize: 4, schema: 'search_bench' });
    // Planner statistics, as autovacuum keeps them on a live database (a freshly filled table has none yet).
    const analyze = async (): Promise<void> => {
      const a = postgres(pgUrl, { max: 1, onnotice: () => undefined });
      await a.unsafe('ANALYZE search_bench.messages, search_bench.message_search, search_bench.members');
      await a.end();
    };
    return { stores: { ...pg, analyze }, filled, where: 'postgres', cleanup: () => undefined };
  }
  const given = arg('db', '');
  const dir = given ? '' : mkdtempSync(join(tmpdir(), 'xinbox-search-bench-'));
  const path = given || join(dir, 'bench.db');
  const filled = given !== '' && existsSync(path);
  const db = openSqliteAdapters({ path });
  return {
    stores: { ...db, search: new SqliteSearchIndex(db.database) },
    filled,
    where: `sqlite ${path}`,
    cleanup: () => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function fill(s: Stores): Promise<{ userId: number; big: number; groups: number[] }> {
  const now = Date.now();
  const users: number[] = [];
  for (let i = 0; i < USERS; i++) users.push((await s.identity.createUser(`bench-${now}-${i}`, 'x', now))!.id);
  const groups: number[] = [];
  for (let g = 0; g < GROUPS; g++) {
    const members = new Set<number>([users[g % USERS]!]);
    while (members.size < GROUP_SIZE) members.add(users[rand(USERS)]!);
    if (g === 0 || g % 100 === 1) members.add(users[0]!); // user 0: the big group and ~10 others
    const [owner, ...rest] = [...members];
    groups.push((await s.conversations.createGroup({ name: `g${g}`, avatarUrl: '', announcement: '', ownerId: owner!, joinPolicy: 'open', memberIds: [owner!, ...rest], large: true }, now)).id);
  }
  const seqs = new Map<number, number>();
  let id = BigInt(now) << 22n;
  const started = performance.now();
  for (let done = 0; done < MESSAGES; ) {
    const batch: AppendItem[] = [];
    for (let i = 0; i < BATCH && done < MESSAGES; i++, done++) {
      const conversationId = rand(10) === 0 ? groups[0]! : groups[1 + rand(GROUPS - 1)]!;
      const seq = (seqs.get(conversationId) ?? 0) + 1;
      seqs.set(conversationId, seq);
      id += 1n;
      const searchText = text();
      batch.push({
        message: { id: id.toString(), conversationId, seq, senderId: users[rand(USERS)]!, clientMsgId: `c${done}`, serverTime: now + done, content: new TextEncoder().encode(searchText), mentions: [], mentionAll: false, visibleTo: [] },
        timelineUsers: [],
        senderReadsOwn: false,
        searchText: INDEX ? searchText : '',
      });
    }
    await s.messages.append(batch);
    if (done % 100_000 < BATCH) process.stderr.write(`filled ${done} (${Math.round(done / ((performance.now() - started) / 1000))}/s)\n`);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`fill: ${MESSAGES} messages in ${seconds.toFixed(1)} s (${Math.round(MESSAGES / seconds)}/s, batches of ${BATCH}, indexed in the same transaction)`);
  return { userId: users[0]!, big: groups[0]!, groups };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(s: Stores, name: string, userId: number, conversationId: number | null, terms: () => string[]): Promise<void> {
  const times: number[] = [];
  let hits = 0;
  let partial = 0;
  for (let i = 0; i < QUERIES; i++) {
    const t = terms();
    const t0 = performance.now();
    const page = await s.search.search({ userId, conversationId, terms: t, beforeId: null, limit: 20, shortScanLimit: 5000, scanBudget: BUDGET });
    times.push(performance.now() - t0);
    hits += page.hits.length;
    if (page.partial) partial++;
  }
  times.sort((a, b) => a - b);
  console.log(`| ${name} | ${percentile(times, 50).toFixed(2)} | ${percentile(times, 99).toFixed(2)} | ${(hits / QUERIES).toFixed(1)} | ${partial} |`);
}

const { stores, filled, where, cleanup } = await openStores();
let scope: { userId: number; big: number; groups: number[] };
if (filled) {
  // Reusing a filled store: the big group is the first one created, and user 0 owns it.
  const owner = (await stores.conversations.listMembers(1, 0, 100)).find((m) => m.role === 'owner');
  const userId = owner?.userId ?? 1;
  const first = (await stores.conversations.listUserConversations(userId, 100, 0)).map((v) => v.conversation.id).sort((a, b) => a - b);
  scope = { userId, big: first[0]!, groups: first };
} else {
  scope = await fill(stores);
}
await stores.analyze?.();
if (QUERIES === 0) {
  await stores.close();
  cleanup();
  process.exit(0);
}
const small = scope.groups[1]!;
const han3 = () => [Array.from({ length: 3 }, () => HAN[rand(HAN.length)]!).join('')];
for (const budget of BUDGETS) {
  BUDGET = budget;
  console.log(`\nsearch over ${MESSAGES} messages (${where}), scan budget ${BUDGET >= 1_000_000_000 ? 'unbounded' : BUDGET}; user in ${(await stores.conversations.listUserConversations(scope.userId, 1000, 0)).length} groups; ${QUERIES} queries each, limit 20, ms:\n`);
  console.log('| query | p50 ms | p99 ms | hits/query | partial |');
  console.log('| --- | --- | --- | --- | --- |');
  await measure(stores, 'all conversations, common CJK phrase (4 chars)', scope.userId, null, () => [PHRASES[rand(PHRASES.length)]!]);
  await measure(stores, 'all conversations, 3 random CJK chars (rare)', scope.userId, null, han3);
  await measure(stores, 'all conversations, English word', scope.userId, null, () => [enWord()]);
  await measure(stores, 'all conversations, English + CJK word', scope.userId, null, () => [enWord(), HAN[rand(HAN.length)]! + HAN[rand(HAN.length)]!]);
  await measure(stores, 'all conversations, 1 CJK char (short scan)', scope.userId, null, () => [HAN[rand(HAN.length)]!]);
  await measure(stores, 'all conversations, absent word', scope.userId, null, () => ['zzqxj']);
  await measure(stores, 'large group (~10% of messages), common CJK phrase', scope.userId, scope.big, () => [PHRASES[rand(PHRASES.length)]!]);
  await measure(stores, 'large group, English word', scope.userId, scope.big, () => [enWord()]);
  await measure(stores, 'small group, English word', scope.userId, small, () => [enWord()]);
  await measure(stores, 'small group, 2 CJK chars (short scan)', scope.userId, small, () => [HAN[rand(HAN.length)]! + HAN[rand(HAN.length)]!]);
}
await stores.close();
cleanup();
