import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { affinityOf } from '../metrics/proc.js';
import { sleep } from '../time.js';
import { ensureNativeBuild } from '../../../scripts/native-build.mjs';

/**
 * Starts a server under test as a child process, pinned with `taskset -c 0`
 * (load processes use CPU 1), waits for its ready line and stops it again.
 */

export type TargetName = 'ceiling' | 'naive' | 'xinbox';

export interface ServerHandle {
  readonly name: TargetName;
  /** The first server process (the one whose HTTP API the bench uses). */
  readonly pid: number;
  /** Every server process (one per gateway); CPU and RSS are summed over their process trees. */
  readonly pids: readonly number[];
  /** Processes the server depends on (PostgreSQL, Redis): their CPU counts as the server's, their RSS does not (shared memory). */
  servicePids(): readonly number[];
  readonly httpBase: string;
  /** HTTP base of every server process, for per-process counters (/v1/metrics). */
  readonly httpBases: readonly string[];
  /** One or more WebSocket gateway URLs; connections are spread over them. */
  readonly wsUrls: readonly string[];
  /** Raw TCP listeners (protocol.md 2.3), where the target has them (Xinbox; not the relays). */
  readonly tcpAddrs?: readonly { readonly host: string; readonly port: number }[];
  /** CPU affinity as read back from the running process. */
  readonly affinity: string;
  readonly logPath: string | undefined;
  stop(): Promise<void>;
}

export interface LaunchOptions {
  readonly pin: boolean;
  readonly serverCpu: string;
  readonly logDir: string;
  readonly readyTimeoutMs: number;
  /** Extra environment for the server (XINBOX_* settings it documents). */
  readonly env: Record<string, string>;
}

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const XINBOX_CLI = join(REPO_ROOT, 'packages/server/src/cli.ts');
/** The compiled server, as `npm start` runs it (plain node, no tsx): see ensureCompiledServer. */
const XINBOX_DIST_CLI = join(REPO_ROOT, 'packages/server/dist/cli.js');
const LOG_CAP_BYTES = 8 * 1024 * 1024;

/**
 * Whether the Xinbox server is in this checkout; if so, compiles it (tsc -b, well under a second when
 * up to date) so the bench measures the JS that `npm start` runs, not tsx's on-the-fly transpile.
 */
export function ensureCompiledXinbox(): boolean {
  if (!existsSync(XINBOX_CLI)) return false;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
  ensureNativeBuild();
  return existsSync(XINBOX_DIST_CLI);
}

export function commandFor(name: TargetName): { script: string; ready: string } {
  if (name === 'xinbox') return { script: XINBOX_DIST_CLI, ready: 'xinbox listening' };
  return { script: fileURLToPath(new URL(`./${name}.ts`, import.meta.url)), ready: 'relay listening' };
}

export interface SpawnedProcess {
  readonly pid: number;
  readonly logPath: string;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  readonly label: string;
  readonly script: string;
  readonly ready: string;
  readonly env: Record<string, string>;
  readonly pin: boolean;
  readonly serverCpu: string;
  readonly logDir: string;
  readonly readyTimeoutMs: number;
}

/** Spawns one server process (pinned when asked), logs its output (capped) and waits for its ready line. */
export async function spawnServerProcess(o: SpawnOptions): Promise<SpawnedProcess> {
  // BENCH_SERVER_NODE_ARGS: extra node flags for the server under test (e.g. --cpu-prof).
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // Where `xinbox start` would restart itself with V8's single-threaded GC (gcThreads=single, or auto pinned to one
  // core; gc-threads.ts), giving it the flag up front keeps the measured pid the server's own.
  const oneCore = o.pin && /^\d+$/.test(o.serverCpu);
  const gcThreads = o.env.XINBOX_GC_THREADS ?? process.env.XINBOX_GC_THREADS ?? 'auto';
  const singleThreadedGc = gcThreads === 'single' || (gcThreads === 'auto' && oneCore);
  if (o.script === XINBOX_DIST_CLI && singleThreadedGc && !extra.includes('--single-threaded-gc')) extra.push('--single-threaded-gc');
  // Compiled JS (dist/) runs as production does; TypeScript sources (relays, sinks) through tsx.
  const nodeArgs = o.script.endsWith('.js') ? [...extra, o.script] : [...extra, '--conditions=@xinbox/source', '--import', 'tsx', o.script];
  const [cmd, args] = o.pin ? ['taskset', ['-c', o.serverCpu, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const child = spawn(cmd, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, XINBOX_HOST: '127.0.0.1', NODE_ENV: 'production', ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logPath = join(o.logDir, `server-${o.label}.log`);
  const log = createWriteStream(logPath);
  let logged = 0;
  let tail = '';
  let readyResolve: (() => void) | undefined;
  const readySeen = new Promise<void>((r) => (readyResolve = r));
  const onData = (chunk: Buffer): void => {
    if (logged < LOG_CAP_BYTES) {
      log.write(chunk);
      logged += chunk.length;
    }
    if (readyResolve) {
      tail = (tail + chunk.toString('utf8')).slice(-4096);
      if (tail.includes(o.ready)) {
        readyResolve();
        readyResolve = undefined;
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

  const outcome = await Promise.race([
    readySeen.then(() => 'ready' as const),
    exited.then(() => 'exited' as const),
    sleep(o.readyTimeoutMs).then(() => 'timeout' as const),
  ]);
  if (outcome !== 'ready') {
    await stopChild(child, exited);
    log.end();
    throw new Error(`${o.label} did not become ready (${outcome}); last output:\n${tail.slice(-1500)}`);
  }
  return {
    pid: child.pid!,
    logPath,
    stop: async () => {
      await stopChild(child, exited);
      log.end();
    },
  };
}

export async function launchServer(name: TargetName, opts: LaunchOptions): Promise<ServerHandle> {
  const port = await freePort();
  const tcpPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `xinbox-bench-${name}-`));
  const { script, ready } = commandFor(name);
  let proc: SpawnedProcess;
  try {
    proc = await spawnServerProcess({
      label: `${name}-${port}`, script, ready, pin: opts.pin, serverCpu: opts.serverCpu, logDir: opts.logDir, readyTimeoutMs: opts.readyTimeoutMs,
      env: { XINBOX_PORT: String(port), XINBOX_TCP_PORT: String(tcpPort), XINBOX_DATA_DIR: dataDir, ...opts.env },
    });
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  return {
    name,
    pid: proc.pid,
    pids: [proc.pid],
    servicePids: () => [],
    httpBase: `http://127.0.0.1:${port}`,
    httpBases: [`http://127.0.0.1:${port}`],
    wsUrls: [`ws://127.0.0.1:${port}/ws`],
    ...(name === 'xinbox' ? { tcpAddrs: [{ host: '127.0.0.1', port: tcpPort }] } : {}),
    affinity: affinityOf(proc.pid),
    logPath: proc.logPath,
    stop: async () => {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
  if (!done) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(2000)]);
  }
}
