/**
 * A small HTTP API load against one server process: keep-alive clients
 * alternate POST /v1/login and GET /v1/access. Used to compare two builds
 * of the server (e.g. before and after the move to fastify) run by turns.
 *
 *   node --import tsx bench/src/http-api-load.ts --server packages/server/dist/cli.js [--requests 6000] [--concurrency 32] [--out FILE] [--no-rate-limits]
 *
 * `--server` is the compiled entry point of the build to measure (another
 * checkout's works too). scrypt runs at cost 4 so login measures the HTTP
 * path and the session write, not password hashing. Prints one JSON line:
 * requests per second, latency percentiles and the server's CPU time per
 * request (from /proc, the server process only).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const SERVER = resolve(arg('server', 'packages/server/dist/cli.js'));
const REQUESTS = Number(arg('requests', '6000'));
const CONCURRENCY = Number(arg('concurrency', '32'));
const OUT = arg('out', '');
// Builds with per-IP login limits need them off (older builds refuse the unknown setting, so it is opt-in).
const NO_RATE_LIMITS = process.argv.includes('--no-rate-limits');

const dataDir = mkdtempSync(join(tmpdir(), 'xinbox-http-load-'));
const server = spawn(process.execPath, [SERVER], {
  env: {
    PATH: process.env.PATH, XINBOX_HOST: '127.0.0.1', XINBOX_PORT: '0', XINBOX_TCP_PORT: '-1', XINBOX_DATA_DIR: dataDir,
    XINBOX_SCRYPT_COST: '4', XINBOX_LOG_LEVEL: 'warn', ...(NO_RATE_LIMITS ? { XINBOX_RATE_LIMITS: 'false' } : {}),
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
try {
  const base = await new Promise<string>((res, rej) => {
    let out = '';
    const timer = setTimeout(() => rej(new Error(`server did not start:\n${out}`)), 60_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /xinbox listening: .* http=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    };
    server.stdout!.on('data', onData);
    server.stderr!.on('data', onData);
    server.once('exit', (code) => rej(new Error(`server exited ${code}:\n${out}`)));
  });
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const call = (method: string, path: string, body?: unknown) => new Promise<number>((res, rej) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(base + path, {
      method, agent,
      headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
    }, (r) => {
      r.resume();
      r.on('end', () => res(r.statusCode ?? 0));
    });
    req.on('error', rej);
    req.end(payload);
  });
  const user = { username: 'loaduser', password: 'a long password' };
  if (await call('POST', '/v1/register', user) !== 201) throw new Error('register failed');
  // Warm-up: JIT, connections, caches.
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => call('GET', '/v1/access').then(() => call('POST', '/v1/login', { ...user, deviceId: `w${i}` }))));

  const cpuMs = () => {
    const f = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in clock ticks of 10 ms
  };
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  const cpu0 = cpuMs();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async (_, w) => {
    while (next < REQUESTS) {
      const n = next++;
      const started = performance.now();
      const status = n % 2 === 0
        ? await call('POST', '/v1/login', { ...user, deviceId: `d${w}` })
        : await call('GET', '/v1/access');
      latencies.push(performance.now() - started);
      if (status !== 200) failed++;
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  const serverCpuMs = cpuMs() - cpu0;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! * 100) / 100;
  const line = JSON.stringify({
    server: SERVER, requests: REQUESTS, concurrency: CONCURRENCY, failed, seconds: Math.round(seconds * 100) / 100,
    reqPerSec: Math.round(REQUESTS / seconds), p50Ms: pct(0.5), p99Ms: pct(0.99),
    serverCpuUsPerRequest: Math.round((serverCpuMs * 1000) / REQUESTS),
  });
  console.log(line);
  if (OUT) appendFileSync(OUT, line + '\n');
  agent.destroy();
} finally {
  server.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
}
