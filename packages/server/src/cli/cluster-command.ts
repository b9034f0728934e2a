/**
 * `xinbox cluster` (`npm run cluster`): a local cluster on this machine — 2 logic nodes, 2
 * gateways, 1 access node by default — as separate processes on Redis and
 * PostgreSQL. Uses XINBOX_POSTGRES_URL / XINBOX_REDIS_URL when set, otherwise
 * starts throwaway servers from the local binaries (their data lives as long
 * as the cluster run).
 *
 *   npm run cluster -- --gateways 3 --logic 2
 *   xinbox cluster --gateways 3 --logic 2
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { configFromEnv } from '../config.js';
import { startPostgres, startRedis } from '../devtools/local-services.js';
import { explainStartError } from './explain-error.js';

// The `xinbox` entry point in the same form this file runs in: dist/cli/xinbox.js
// under plain node, src/cli/xinbox.ts under tsx in development (the children
// get this process's loader flags through execArgv).
const XINBOX = fileURLToPath(new URL(`./xinbox${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

export async function runCluster(args: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        gateways: { type: 'string', default: '2' },
        logic: { type: 'string', default: '2' },
        'base-port': { type: 'string', default: '8080' },
      },
    });
  } catch (e) {
    console.error(`xinbox cluster: ${(e as Error).message}`);
    process.exit(64);
  }
  const { values } = parsed;
  const gateways = Number(values.gateways);
  const logic = Number(values.logic);
  const basePort = Number(values['base-port']);
  const dataDir = resolve('data/cluster');
  mkdirSync(dataDir, { recursive: true });
  await main(gateways, logic, basePort, dataDir).catch((e) => {
    console.error(explainStartError(e).replace(/^xinbox:/, 'xinbox cluster:'));
    process.exit(1);
  });
}

async function main(gateways: number, logic: number, basePort: number, dataDir: string): Promise<void> {
  const stops: Array<() => Promise<void>> = [];
  // The same validated settings every node reads; the nodes get the rest of XINBOX_* through their environment.
  const settings = configFromEnv();
  let pgUrl = settings.postgresUrl;
  let redisUrl = settings.redisUrl;
  if (!pgUrl) {
    const pg = await startPostgres({ durable: true });
    pgUrl = pg.url;
    stops.push(pg.stop);
  }
  if (!redisUrl) {
    const redis = await startRedis();
    redisUrl = redis.url;
    stops.push(redis.stop);
  }
  const secret = settings.tokenSecret || randomBytes(24).toString('base64url');
  const children: ChildProcess[] = [];
  const run = (id: string, roles: string, port: number, tcpPort: number) => {
    const env = {
      ...process.env,
      XINBOX_STORAGE: 'postgres',
      XINBOX_POSTGRES_URL: pgUrl,
      XINBOX_REDIS_URL: redisUrl,
      XINBOX_TOKEN_SECRET: secret,
      XINBOX_NODE_ID: id,
      XINBOX_ROLES: roles,
      XINBOX_PORT: String(port),
      XINBOX_TCP_PORT: String(tcpPort),
      XINBOX_DATA_DIR: dataDir,
      // All nodes run on this machine, so one directory is a shared media store (unless s3 is configured).
      XINBOX_MEDIA_DIR: settings.mediaDir || join(dataDir, 'media'),
    };
    const child = spawn(process.execPath, [...process.execArgv, XINBOX, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tag = (chunk: Buffer) => process.stdout.write(chunk.toString().replace(/^(?=.)/gm, `[${id}] `));
    child.stdout!.on('data', tag);
    child.stderr!.on('data', tag);
    children.push(child);
  };
  for (let i = 1; i <= logic; i++) run(`logic-${i}`, 'logic', 0, -1);
  for (let i = 1; i <= gateways; i++) run(`gw-${i}`, 'gateway,api', basePort + (i - 1) * 10, basePort + 1 + (i - 1) * 10);
  run('access-1', 'access', basePort - 1, -1);
  console.log(`[cluster] ${logic} logic, ${gateways} gateways, 1 access node; web client and API at http://127.0.0.1:${basePort}, access list at http://127.0.0.1:${basePort - 1}/v1/access`);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('[cluster] stopping (gateways drain first)');
    await Promise.all(children.map((c) => new Promise<void>((r) => {
      if (c.exitCode !== null) return r();
      c.once('exit', () => r());
      c.kill('SIGTERM');
    })));
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}
