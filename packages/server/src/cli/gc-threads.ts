/**
 * V8's garbage collector on a process that may use one core (`gcThreads`).
 *
 * By default V8 scavenges in parallel and marks and sweeps concurrently on
 * helper threads. With one core those threads only take turns with the
 * event loop and the storage thread: the same collection costs more CPU
 * (context switches, work split and merged) and the loop waits for the
 * helpers' share anyway. `--single-threaded-gc` makes V8 collect on the
 * allocating thread. It is a V8 start-up flag (setting it at run time
 * crashes V8), so `xinbox start` starts itself again with it: the parent
 * only forwards signals to the child and exits with its status.
 * Measured in docs/benchmarks.md ("One core: V8's GC on the loop thread").
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

export type GcThreads = 'auto' | 'single' | 'parallel';
export const SINGLE_THREADED_GC_FLAG = '--single-threaded-gc';

/** Whether this process should run V8 with `--single-threaded-gc`: `auto` = when its CPU affinity allows one core. */
export function wantsSingleThreadedGc(setting: GcThreads, cores = availableParallelism()): boolean {
  return setting === 'single' || (setting === 'auto' && cores <= 1);
}

export function hasSingleThreadedGc(execArgv: readonly string[] = process.execArgv): boolean {
  return execArgv.includes(SINGLE_THREADED_GC_FLAG);
}

/**
 * In the restarted child: end with the parent. A parent killed outright
 * (SIGKILL, OOM) cannot forward anything, and its supervisor believes the
 * server gone; the server must not live on unsupervised.
 */
export function restartedChildWatchesParent(): void {
  if (!process.send || !process.channel) return;
  process.channel.unref(); // the channel alone does not keep the server running
  process.once('disconnect', () => process.kill(process.pid, 'SIGKILL'));
}

const FORWARDED = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const;

/**
 * Runs this same command again in a child process with `--single-threaded-gc`
 * and the same stdio and environment; forwards signals (the child drains on
 * SIGTERM/SIGINT and reloads TLS on SIGHUP exactly as the parent would) and
 * ends with the child's exit status. Never returns.
 */
export function restartWithSingleThreadedGc(): Promise<never> {
  // The IPC channel tells the child when this process is gone, even by SIGKILL (restartedChildWatchesParent).
  const child = spawn(process.execPath, [...process.execArgv, SINGLE_THREADED_GC_FLAG, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  for (const signal of FORWARDED) process.on(signal, () => child.kill(signal));
  return new Promise<never>(() => {
    child.on('error', (e) => {
      console.error(`xinbox: could not start with ${SINGLE_THREADED_GC_FLAG}: ${e.message}`);
      process.exit(1);
    });
    child.on('exit', (code, signal) => {
      if (signal) {
        // Die of the same signal, so a supervisor sees what happened to the server.
        for (const s of FORWARDED) process.removeAllListeners(s);
        process.kill(process.pid, signal);
      }
      process.exit(code ?? 1);
    });
  });
}
