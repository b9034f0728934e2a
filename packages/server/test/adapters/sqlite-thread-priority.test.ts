import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteWorkerAdapters } from '../../src/adapters/sqlite/index.js';

/** Nice value of every thread of this process, by kernel thread id (field 19 of /proc/self/task/<tid>/stat). */
function threadNices(): Map<number, number> {
  const nices = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
      nices.set(Number(tid), Number(fields[16]));
    } catch { /* the thread ended */ }
  }
  return nices;
}

const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  return check();
};

describe('storage thread priority (storageThreadNice)', () => {
  it('runs the storage and checkpoint threads the given steps below the event loop, and leaves the loop alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xinbox-nice-'));
    const own = threadNices().get(process.pid)!;
    const before = new Set(threadNices().keys());
    const stores = await openSqliteWorkerAdapters({ path: join(dir, 'x.db'), threadNice: 7 });
    try {
      const lowered = () => [...threadNices()].filter(([tid, nice]) => !before.has(tid) && nice === Math.min(19, own + 7)).length;
      expect(await waitFor(() => lowered() >= 2)).toBe(true); // the storage thread and its checkpoint thread
      expect(threadNices().get(process.pid)).toBe(own);
      // Not further: the checkpoint thread, started by the storage thread, inherits its nice value and must not lower it again.
      await new Promise((r) => setTimeout(r, 300));
      expect([...threadNices()].filter(([tid, nice]) => !before.has(tid) && nice > Math.min(19, own + 7))).toEqual([]);
    } finally {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with 0 starts every thread at the process\'s priority', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xinbox-nice-'));
    const own = threadNices().get(process.pid)!;
    const before = new Set(threadNices().keys());
    const stores = await openSqliteWorkerAdapters({ path: join(dir, 'x.db'), threadNice: 0 });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const started = [...threadNices()].filter(([tid]) => !before.has(tid));
      expect(started.length).toBeGreaterThan(0);
      expect(started.every(([, nice]) => nice === own)).toBe(true);
    } finally {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
