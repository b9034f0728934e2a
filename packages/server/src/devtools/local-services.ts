/**
 * Real database servers for tests and `npm run cluster`: a throwaway PostgreSQL 15 cluster and a
 * throwaway redis-server, each in its own temp dir on a free port, stopped
 * and deleted by `stop()`.
 *
 * A missing binary is a failure under CI=true (CI installs them with
 * scripts/ci-services.sh); elsewhere `missingService` returns the reason so
 * the suites that need the service are skipped visibly.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, chownSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { ChildService } from './child-service.js';
import { freePort } from './free-port.js';

export type ServiceKind = 'postgres' | 'redis';

export interface PostgresService {
  /** URL of a database created for this server. */
  readonly url: string;
  /** Create another empty database; returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export interface RedisService {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  /** Stop the server (all data is lost: no persistence) and start it again on the same port after `downMs`. */
  restart(downMs?: number): Promise<void>;
}

const postgresBinDir = process.env.POSTGRES_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

// Temp dirs of servers not stopped yet, deleted if the process exits without stop() (a crashed script).
// ChildService's exit hook, registered first (import order), has already signalled the servers.
const liveDirs = new Set<string>();
process.once('exit', () => {
  for (const dir of liveDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // the server may still be writing; best effort
    }
  }
});

function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  liveDirs.add(dir);
  return dir;
}

function removeTempDir(dir: string): void {
  liveDirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** Why `kind` cannot run here, or null when it can. Throws under CI=true: a missing service is a failure there. */
export function missingService(kind: ServiceKind): string | null {
  const reason = kind === 'postgres' ? missingPostgres() : missingRedis();
  if (reason && process.env.CI === 'true') {
    throw new Error(`${kind} is required when CI=true but ${reason}; install it with scripts/ci-services.sh`);
  }
  return reason;
}

function missingPostgres(): string | null {
  for (const bin of ['initdb', 'postgres']) {
    if (!isExecutable(join(postgresBinDir, bin))) return `${join(postgresBinDir, bin)} not found (set POSTGRES_BIN_DIR or install postgresql-15)`;
  }
  return null;
}

function missingRedis(): string | null {
  return redisServerPath() ? null : 'redis-server not found on PATH (set REDIS_SERVER_BIN or install redis-server)';
}

function redisServerPath(): string | null {
  if (process.env.REDIS_SERVER_BIN) return isExecutable(process.env.REDIS_SERVER_BIN) ? process.env.REDIS_SERVER_BIN : null;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin', '/usr/sbin'];
  for (const dir of dirs) {
    if (dir && isExecutable(join(dir, 'redis-server'))) return join(dir, 'redis-server');
  }
  return null;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function requireService(kind: ServiceKind): void {
  const reason = missingService(kind);
  if (reason) throw new Error(`cannot start ${kind}: ${reason}`);
}

interface Account {
  readonly uid: number;
  readonly gid: number;
}

/**
 * PostgreSQL refuses to run as root. When we are root, run it as the
 * `postgres` account (Debian's package creates it), else `nobody`, else a
 * system account created for the purpose.
 */
function unprivilegedAccount(): Account | null {
  if (process.getuid?.() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    const account = lookupAccount(name);
    if (account) return account;
  }
  execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'xinbox-test']);
  const created = lookupAccount('xinbox-test');
  if (!created) throw new Error('could not create an unprivileged account for PostgreSQL');
  return created;
}

function lookupAccount(name: string): Account | null {
  try {
    const [, , uid, gid] = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim().split(':');
    return uid && gid ? { uid: Number(uid), gid: Number(gid) } : null;
  } catch {
    return null;
  }
}

const serviceEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' });

export interface PostgresStartOptions {
  /**
   * Keep PostgreSQL's durable defaults (fsync, synchronous_commit,
   * full_page_writes on), e.g. to measure real commit cost. Default false:
   * test data is disposable, so tests skip the flushes.
   */
  readonly durable?: boolean;
}

/** initdb a fresh cluster in a temp dir and run it on a free port. */
export async function startPostgres(options: PostgresStartOptions = {}): Promise<PostgresService> {
  requireService('postgres');
  const account = unprivilegedAccount();
  const dir = makeTempDir('xinbox-pg-');
  const dataDir = join(dir, 'data');
  const asAccount = account ? { uid: account.uid, gid: account.gid } : {};
  try {
    if (account) chownSync(dir, account.uid, account.gid);
    execFileSync(join(postgresBinDir, 'initdb'), [
      '-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions',
    ], { ...asAccount, cwd: dir, env: serviceEnv(), stdio: 'pipe' });
  } catch (e) {
    removeTempDir(dir);
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`initdb failed: ${(e as Error).message}\n${stderr}`, { cause: e });
  }

  let server: ChildService | null = null;
  let port = 0;
  for (let attempt = 1; !server; attempt++) {
    port = await freePort();
    try {
      server = await ChildService.start('postgres', join(postgresBinDir, 'postgres'), [
        '-D', dataDir, '-p', String(port), '-k', dir, '-h', '127.0.0.1',
        ...(options.durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
        '-c', 'max_connections=200', '-c', 'shared_buffers=128MB',
      ], { ...asAccount, cwd: dir, env: serviceEnv(), ready: /ready to accept connections/, exitSignal: 'SIGQUIT' });
    } catch (e) {
      if (attempt >= 3 || !/already in use|could not bind|could not create/i.test((e as Error).message)) {
        removeTempDir(dir);
        throw e;
      }
    }
  }

  const urlOf = (database: string): string => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const createDatabase = async (name: string): Promise<string> => {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
    const admin = postgres(urlOf('postgres'), { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    return urlOf(name);
  };

  const running = server;
  const url = await createDatabase('xinbox_test');
  return {
    url,
    createDatabase,
    async stop() {
      await running.stop('SIGINT'); // fast shutdown: disconnects clients, no waiting
      removeTempDir(dir);
    },
  };
}

/** redis-server on a free port, no persistence, in a temp dir. */
export async function startRedis(): Promise<RedisService> {
  requireService('redis');
  const binary = redisServerPath()!;
  const dir = makeTempDir('xinbox-redis-');
  const launch = (port: number): Promise<ChildService> => ChildService.start('redis-server', binary, [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
    '--protected-mode', 'no', '--daemonize', 'no', '--loglevel', 'notice',
  ], { cwd: dir, env: serviceEnv(), ready: /Ready to accept connections/ });

  let server: ChildService | null = null;
  let port = 0;
  for (let attempt = 1; !server; attempt++) {
    port = await freePort();
    try {
      server = await launch(port);
    } catch (e) {
      if (attempt >= 3) {
        removeTempDir(dir);
        throw e;
      }
    }
  }

  let current: ChildService = server;
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await current.stop('SIGTERM');
      removeTempDir(dir);
    },
    async restart(downMs = 0) {
      await current.stop('SIGTERM');
      if (downMs > 0) await sleep(downMs);
      // The port was ours a moment ago; retry briefly in case the kernel still holds it.
      for (let attempt = 1; ; attempt++) {
        try {
          current = await launch(port);
          return;
        } catch (e) {
          if (attempt >= 5) throw e;
          await sleep(200);
        }
      }
    },
  };
}
