// Bytes allocated per committed send, and where, for the compiled server under W1 load.
//
//   npm run build && node scripts/alloc-profile.mjs [--rate 2000] [--seconds 10] [--top 25] [--stack 4] [--promoted]
//
// Starts the server in this process (packages/server/dist), runs `npm run bench -- w1` against it as a
// child, and once the bench's warm-up is over samples allocations for --seconds with V8's sampling heap
// profiler. By default it keeps objects that were already collected (what GC pressure is made of; a
// plain --heap-prof only shows what survived). With --promoted it drops every sample whose object died
// in a scavenge: what is left was alive across at least one minor GC, i.e. what a scavenge copies or
// promotes to old space (and a mark-compact later frees). The figure is bytes sampled / sends committed
// in the window, by allocation site and by the innermost --stack frames.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';

const { values } = parseArgs({ options: {
  rate: { type: 'string', default: '2000' }, seconds: { type: 'string', default: '10' }, top: { type: 'string', default: '25' },
  stack: { type: 'string', default: '4' }, promoted: { type: 'boolean', default: false },
} });
const promoted = values.promoted;
const root = resolve(import.meta.dirname, '..');
const token = 'alloc-profile-admin-token';
const { startXinbox } = await import(join(root, 'packages/server/dist/index.js'));
const node = await startXinbox({ port: 0, tcpPort: 0, host: '127.0.0.1', dataDir: mkdtempSync(join(tmpdir(), 'xinbox-alloc-')), adminToken: token, logLevel: 'warn', rateLimits: false, scryptCost: 10 });
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
const oldSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_used_size;
const old0 = oldSpace();
await session.post('HeapProfiler.startSampling', {
  samplingInterval: promoted ? 1024 : 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !promoted,
});
await new Promise((r) => setTimeout(r, Number(values.seconds) * 1000));
const { profile } = await session.post('HeapProfiler.stopSampling');
const committed = (await sends()) - before;
const old1 = oldSpace();
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
const what = promoted ? 'sampled that outlived a scavenge' : 'allocated';
console.log(`\n${committed} sends committed in ${values.seconds} s; ${(total / 1e6).toFixed(1)} MB ${what}: ${Math.round(total / Math.max(1, committed))} bytes per send`);
console.log(`old space used ${(old0 / 1e6).toFixed(1)} -> ${(old1 / 1e6).toFixed(1)} MB`);
console.log('\nby site (bytes per send):');
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) console.log(per(bytes), site);
console.log(`\nby innermost ${depth} frames (bytes per send):`);
for (const [site, bytes] of [...byStack].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) console.log(per(bytes), site);
await node.stop();
process.exit(0);
