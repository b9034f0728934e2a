// Event-loop CPU per committed send of a running bench server (docs/benchmarks.md, "The event loop's own
// JavaScript per message"). Start it, then the bench, with the same admin token:
//
//   BENCH_ADMIN_TOKEN=<16+ chars> node scripts/loop-cpu-per-send.mjs [--every 2] &
//   BENCH_ADMIN_TOKEN=<16+ chars> npm run bench -- w1 --targets xinbox --rate 8000 --duration 20
//
// It waits for the newest process running this checkout's packages/server/dist/cli.js, finds its HTTP port
// (`ss -ltnp`), then every --every seconds reads the event-loop thread's user and system ticks
// (/proc/<pid>/task/<pid>/stat; the main thread's tid is the pid) and xinbox_commit_batch_sends_sum from
// /metrics. It prints each window and, when the server exits, the steady part: from the fourth window with
// sends to the last but one, µs of loop CPU per committed send.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { every: { type: 'string', default: '2' } } });
const token = process.env.BENCH_ADMIN_TOKEN;
if (!token) throw new Error('set BENCH_ADMIN_TOKEN (the bench passes it to the server)');
const cli = resolve(import.meta.dirname, '../packages/server/dist/cli.js');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TICK_US = 1e6 / 100; // USER_HZ

async function waitFor(what, find, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

const pid = await waitFor('server process', () => {
  try {
    return Number(execFileSync('pgrep', ['-n', '-f', cli], { encoding: 'utf8' }).trim().split('\n')[0]);
  } catch {
    return undefined;
  }
});
const metricsText = async (port) => {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`/metrics: ${res.status}`);
  return res.text();
};
const port = await waitFor('metrics port', async () => {
  const lines = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(`pid=${pid},`));
  for (const l of lines) {
    const p = Number(/:(\d+)\s/.exec(l)?.[1]);
    if (!p) continue;
    try {
      await metricsText(p);
      return p;
    } catch {
      // not the HTTP listener, or not ready yet
    }
  }
  return undefined;
});

const ticks = () => {
  const f = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { user: Number(f[11]), system: Number(f[12]) };
};
const sends = async () => Number(/xinbox_commit_batch_sends_sum\{[^}]*\} (\d+)/.exec(await metricsText(port))?.[1] ?? 0);
const perSend = (dTicks, dSends) => ((dTicks * TICK_US) / dSends).toFixed(1);

const rows = [];
for (;;) {
  let row;
  try {
    row = { at: performance.now(), ...ticks(), sends: await sends() };
  } catch {
    break; // the server is gone
  }
  const prev = rows.at(-1);
  rows.push(row);
  if (prev) {
    const dn = row.sends - prev.sends;
    const rate = (dn * 1000) / (row.at - prev.at);
    console.log(`sends/s ${rate.toFixed(0).padStart(6)}` + (dn > 0 ? `  loop µs/send user ${perSend(row.user - prev.user, dn)} system ${perSend(row.system - prev.system, dn)}` : ''));
  }
  await sleep(Number(values.every) * 1000);
}
const busy = rows.map((r, i) => i).filter((i) => i > 0 && rows[i].sends > rows[i - 1].sends);
if (busy.length > 6) {
  const a = rows[busy[3] - 1];
  const b = rows[busy.at(-2)];
  const dn = b.sends - a.sends;
  const s = (b.at - a.at) / 1000;
  console.log(`steady: ${dn} sends in ${s.toFixed(0)} s (${(dn / s).toFixed(0)}/s); loop µs/send user ${perSend(b.user - a.user, dn)} system ${perSend(b.system - a.system, dn)} total ${perSend(b.user - a.user + b.system - a.system, dn)}`);
} else {
  console.log('too few windows with sends for a steady figure');
}
