// Where the send path's promoted (old-space) bytes are allocated, for the compiled server under W1 load.
//
//   npm run build && node scripts/promotion-profile.mjs [--rate 5000] [--seconds 10] [--top 30] [--stack 4]
//
// Like alloc-profile.mjs (the server runs in this process, `npm run bench -- w1` is a child), but V8's
// sampling heap profiler drops every sample whose object died in a scavenge: what is left was alive
// across at least one minor GC — the objects a scavenge copies or promotes, which later die in a
// mark-compact (or are still alive at the end). Bytes per committed send, by allocation site and by
// the innermost --stack frames.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';

const { values } = parseArgs({ options: {
  rate: { type: 'string', default: '5000' }, seconds: { type: 'string', default: '10' }, top: { type: 'string', default: '30' }, stack: { type: 'string', default: '4' },
} });
const root = resolve(import.meta.dirname, '..');
const token = 'promotion-profile-admin-token';
const { startXinbox } = await import(join(root, 'packages/server/dist/index.js'));
const node = await startXinbox({ port: 0, tcpPort: 0, host: '127.0.0.1', dataDir: mkdtempSync(join(tmpdir(), 'xinbox-promo-')), adminToken: token, logLevel: 'warn', rateLimits: false, scryptCost: 10 });
const http = node.httpUrl;
const sends = async () => {
  const text = await (await fetch(`${http}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  return Number(/xinbox_commit_batch_sends_sum\{[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
};

const duration = Number(values.seconds) + 12;
const bench = spawn('npm', ['run', 'bench', '--', 'w1', '--targets', 'xinbox', '--rate', values.rate, '--duration', String(duration), '--xinbox-url', http, '--xinbox-ws', node.wsUrl], {
  cwd: root, env: { ...process.env, BENCH_ADMIN_TOKEN: token }, stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
const warmedUp = new Promise((r) => bench.stdout.on('data', (c) => { out += c; if (out.includes('warm-up')) r(); }));
const ended = new Promise((r) => bench.on('exit', r));
await Promise.race([warmedUp, ended]);

const session = new Session();
session.connect();
await new Promise((r) => setTimeout(r, 2000));
const before = await sends();
const old0 = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space');
await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false });
await new Promise((r) => setTimeout(r, Number(values.seconds) * 1000));
const { profile } = await session.post('HeapProfiler.stopSampling');
const committed = (await sends()) - before;
const old1 = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space');
await ended;
console.log(out.split('\n').filter((l) => l.includes('offered')).join('\n'));

const depth = Number(values.stack);
const bySite = new Map();
const byStack = new Map();
let total = 0;
const name = (f) => `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
const walk = (n, path) => {
  const here = [...path, name(n.callFrame)];
  total += n.selfSize;
  if (n.selfSize > 0) {
    bySite.set(here.at(-1), (bySite.get(here.at(-1)) ?? 0) + n.selfSize);
    const key = here.slice(-depth).join(' <- ');
    byStack.set(key, (byStack.get(key) ?? 0) + n.selfSize);
  }
  n.children.forEach((c) => walk(c, here));
};
walk(profile.head, []);
const per = (b) => String(Math.round(b / Math.max(1, committed))).padStart(7);
console.log(`\n${committed} sends committed in ${values.seconds} s; ${(total / 1e6).toFixed(1)} MB sampled that outlived a scavenge: ${Math.round(total / Math.max(1, committed))} bytes per send`);
console.log(`old space used ${(old0.space_used_size / 1e6).toFixed(1)} -> ${(old1.space_used_size / 1e6).toFixed(1)} MB`);
console.log('\nby site (bytes per send):');
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) console.log(per(bytes), site);
console.log(`\nby innermost ${depth} frames (bytes per send):`);
for (const [site, bytes] of [...byStack].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) console.log(per(bytes), site);
await node.stop();
process.exit(0);
