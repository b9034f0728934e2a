/**
 * `gcThreads`: on one core `xinbox start` restarts itself with V8's
 * single-threaded GC and stays one server to its supervisor: signals reach
 * the restarted server, its exit status is the parent's, and it does not
 * outlive a parent killed outright. The compiled CLI under plain node.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { wantsSingleThreadedGc } from '../../src/cli/gc-threads.js';
import { spawnNode } from '../support/process-node.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli.js');
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'xinbox-gc-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Pids whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(check: () => boolean, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('gcThreads', () => {
  it('auto means single-threaded GC only where the process may use one core', () => {
    expect(wantsSingleThreadedGc('auto', 1)).toBe(true);
    expect(wantsSingleThreadedGc('auto', 2)).toBe(false);
    expect(wantsSingleThreadedGc('single', 8)).toBe(true);
    expect(wantsSingleThreadedGc('parallel', 1)).toBe(false);
  });

  it('gcThreads=single: the server restarts itself with --single-threaded-gc and SIGTERM to the parent drains it', async () => {
    const node = await spawnNode({ XINBOX_GC_THREADS: 'single', XINBOX_DATA_DIR: tempDir() });
    expect(node.output()).toMatch(/xinbox listening: .* gc=single-threaded/);
    const [server] = childrenOf(node.proc.pid!);
    expect(server).toBeDefined();
    expect(readFileSync(`/proc/${server}/cmdline`, 'utf8').split('\0')).toContain('--single-threaded-gc');
    // The restarted server answers on the printed port.
    expect((await fetch(`${node.httpUrl}/healthz`)).status).toBe(200);
    expect(await node.kill('SIGTERM')).toBe(0);
    expect(await until(() => !alive(server!))).toBe(true);
  });

  it('auto under a one-core affinity (taskset -c 0) restarts too, and the server dies with a parent killed outright', async () => {
    const proc = spawn('taskset', ['-c', '0', process.execPath, CLI], {
      env: { ...process.env, XINBOX_HOST: '127.0.0.1', XINBOX_PORT: '0', XINBOX_TCP_PORT: '0', XINBOX_LOG_LEVEL: 'warn', XINBOX_DATA_DIR: tempDir() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (out += b.toString()));
    expect(await until(() => out.includes('xinbox listening'), 60_000), out).toBe(true);
    expect(out).toMatch(/gc=single-threaded/);
    const [server] = childrenOf(proc.pid!);
    expect(server).toBeDefined();
    proc.kill('SIGKILL');
    expect(await until(() => !alive(server!))).toBe(true);
  });

  it('auto with more than one core keeps V8\'s parallel GC (no restart)', async () => {
    const node = await spawnNode({ XINBOX_DATA_DIR: tempDir() });
    expect(/gc=single-threaded/.test(node.output())).toBe(availableParallelism() <= 1);
    await node.kill('SIGTERM');
  });
});
