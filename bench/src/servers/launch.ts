import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { affinityOf } from '../metrics/proc.js';
import { sleep } from '../time.js';

/**
 * Starts a server under test as a child process, pinned with `taskset -c 0`
 * (load processes use CPU 1), waits for its ready line and stops it again.
 */

export type TargetName = 'ceiling' | 'naive' | 'xinbox';

export interface ServerHandle {
  readonly name: TargetName;
  readonly pid: number;
  readonly httpBase: string;
  /** One or more WebSocket gateway URLs; connections are spread over them. */
  readonly wsUrls: readonly string[];
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
const LOG_CAP_BYTES = 8 * 1024 * 1024;

export function xinboxPresent(): boolean {
  return existsSync(XINBOX_CLI);
}

function commandFor(name: TargetName): { script: string; ready: string } {
  if (name === 'xinbox') return { script: XINBOX_CLI, ready: 'xinbox listening' };
  return { script: fileURLToPath(new URL(`./${name}.ts`, import.meta.url)), ready: 'relay listening' };
}

export async function launchServer(name: TargetName, opts: LaunchOptions): Promise<ServerHandle> {
  const port = await freePort();
  const tcpPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `xinbox-bench-${name}-`));
  const { script, ready } = commandFor(name);
  // BENCH_SERVER_NODE_ARGS: extra node flags for the server under test (e.g. --cpu-prof).
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const nodeArgs = [...extra, '--import', 'tsx', script];
  const [cmd, args] = opts.pin ? ['taskset', ['-c', opts.serverCpu, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const child = spawn(cmd, args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      XINBOX_PORT: String(port),
      XINBOX_TCP_PORT: String(tcpPort),
      XINBOX_DATA_DIR: dataDir,
      XINBOX_HOST: '127.0.0.1',
      NODE_ENV: 'production',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logPath = join(opts.logDir, `server-${name}-${port}.log`);
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
      if (tail.includes(ready)) {
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
    sleep(opts.readyTimeoutMs).then(() => 'timeout' as const),
  ]);
  if (outcome !== 'ready') {
    await stopChild(child, exited);
    log.end();
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`${name} server did not become ready (${outcome}); last output:\n${tail.slice(-1500)}`);
  }
  const pid = child.pid!;
  return {
    name,
    pid,
    httpBase: `http://127.0.0.1:${port}`,
    wsUrls: [`ws://127.0.0.1:${port}/ws`],
    affinity: affinityOf(pid),
    logPath,
    stop: async () => {
      await stopChild(child, exited);
      log.end();
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
