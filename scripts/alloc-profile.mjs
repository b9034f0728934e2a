// Bytes allocated per committed send, and where, for the compiled server under W1 load.
//
//   npm run build && node scripts/alloc-profile.mjs [--rate 2000] [--seconds 10] [--top 25]
//
// Starts the server in this process (packages/server/dist), runs `npm run bench -- w1` against it as a
// child, and once the bench's warm-up is over samples every allocation for --seconds with V8's sampling
// heap profiler, keeping objects that were already collected (what GC pressure is made of; a plain
// --heap-prof only shows what survived). The figure is bytes sampled / sends committed in the window.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { rate: { type: 'string', default: '2000' }, seconds: { type: 'string', default: '10' }, top: { type: 'string', default: '25' } } });
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
await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
await new Promise((r) => setTimeout(r, Number(values.seconds) * 1000));
const { profile } = await session.post('HeapProfiler.stopSampling');
const committed = (await sends()) - before;
await ended;
console.log(out.split('\n').filter((l) => l.includes('offered')).join('\n'));

const bySite = new Map();
let total = 0;
const walk = (n) => {
  const f = n.callFrame;
  const site = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
  total += n.selfSize;
  bySite.set(site, (bySite.get(site) ?? 0) + n.selfSize);
  n.children.forEach(walk);
};
walk(profile.head);
console.log(`\n${committed} sends committed in ${values.seconds} s; ${(total / 1e6).toFixed(1)} MB allocated: ${Math.round(total / Math.max(1, committed))} bytes per send`);
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) console.log(String(Math.round(bytes / Math.max(1, committed))).padStart(7), site);
await node.stop();
process.exit(0);
