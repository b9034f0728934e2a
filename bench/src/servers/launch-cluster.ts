import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { affinityOf, childrenNamed, processTree } from '../metrics/proc.js';
import { REPO_ROOT, commandFor, spawnServerProcess, type LaunchOptions, type ServerHandle, type SpawnedProcess, type TargetName } from './launch.js';
import { freePort } from './ports.js';

/**
 * A target as several server processes (`--gateways N`), the way a
 * deployment spreads an audience too large for one process (20k open files
 * each here):
 *  - xinbox: N processes with roles gateway,api,logic forming one cluster on
 *    PostgreSQL + Redis, which are started here from the local binaries and
 *    pinned with the server; their CPU counts as the server's;
 *  - ceiling / naive: N relays whose rooms span all of them (relay 0 numbers
 *    room messages, relay-link.ts).
 * Every server process is pinned to the server CPU, as a single one is.
 */

interface LocalServices {
  startPostgres(o: { durable?: boolean }): Promise<{ url: string; stop(): Promise<void> }>;
  startRedis(): Promise<{ url: string; stop(): Promise<void> }>;
}

const LOCAL_SERVICES = join(REPO_ROOT, 'packages/server/src/devtools/local-services.ts');

export async function launchCluster(name: TargetName, gateways: number, opts: LaunchOptions): Promise<ServerHandle> {
  const dataDir = mkdtempSync(join(tmpdir(), `xinbox-bench-${name}-`));
  const stops: Array<() => Promise<void>> = [];
  const procs: Array<{ proc: SpawnedProcess; port: number }> = [];
  let servicePids: () => number[] = () => [];
  // An interrupted bench must not leave PostgreSQL, Redis or servers behind.
  const onSignal = (): void => void stopAll().finally(() => process.exit(130));
  const stopAll = async (): Promise<void> => {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const { script, ready } = commandFor(name);
    let env: (i: number, port: number) => Record<string, string>;
    if (name === 'xinbox') {
      const services = (await import(pathToFileURL(LOCAL_SERVICES).href)) as LocalServices;
      const pg = await services.startPostgres({ durable: true });
      stops.push(pg.stop);
      const redis = await services.startRedis();
      stops.push(redis.stop);
      // The services are children of this process; find them (and PostgreSQL's backends) by name.
      servicePids = () => childrenNamed(process.pid, ['postgres', 'redis-server']).flatMap((pid) => processTree(pid));
      if (opts.pin) for (const pid of servicePids()) pinTree(pid, opts.serverCpu);
      const secret = randomBytes(24).toString('base64url');
      env = (i, port) => ({
        XINBOX_STORAGE: 'postgres', XINBOX_POSTGRES_URL: pg.url, XINBOX_REDIS_URL: redis.url, XINBOX_TOKEN_SECRET: secret,
        XINBOX_NODE_ID: `bench-${i + 1}`, XINBOX_ROLES: 'gateway,api,logic', XINBOX_PORT: String(port), XINBOX_TCP_PORT: '-1',
        XINBOX_DATA_DIR: dataDir, XINBOX_MEDIA_DIR: `${dataDir}/media`, ...opts.env,
      });
    } else {
      env = (i, port) => ({ XINBOX_PORT: String(port), BENCH_RELAY_LINK: i === 0 ? 'owner' : `ws://127.0.0.1:${procs[0]!.port}/peer`, ...opts.env });
    }
    // One at a time: Xinbox nodes run migrations under a lock and relays link to relay 0.
    for (let i = 0; i < gateways; i++) {
      const port = await freePort();
      const proc = await spawnServerProcess({
        label: `${name}-${i + 1}-${port}`, script, ready, env: env(i, port), pin: opts.pin, serverCpu: opts.serverCpu,
        logDir: opts.logDir, readyTimeoutMs: opts.readyTimeoutMs,
      });
      stops.push(proc.stop);
      procs.push({ proc, port });
    }
  } catch (e) {
    await stopAll();
    throw e;
  }
  const pids = procs.map((p) => p.proc.pid);
  const httpBases = procs.map((p) => `http://127.0.0.1:${p.port}`);
  return {
    name,
    pid: pids[0]!,
    pids,
    servicePids,
    httpBase: httpBases[0]!,
    httpBases,
    wsUrls: procs.map((p) => `ws://127.0.0.1:${p.port}/ws`),
    affinity: `${affinityOf(pids[0]!)} (${gateways} processes${name === 'xinbox' ? ' + PostgreSQL + Redis' : ''})`,
    logPath: procs[0]!.proc.logPath,
    stop: stopAll,
  };
}

/** Pins a running process and its threads (children forked later inherit it). */
function pinTree(pid: number, cpu: string): void {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpu, String(pid)], { stdio: 'ignore' });
  } catch {
    // The process may have exited in between; the sampler still counts what runs.
  }
}
