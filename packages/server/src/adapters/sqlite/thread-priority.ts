import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Sets the calling thread's scheduling priority `delta` nice steps below the
 * event loop's (the process's main thread)
 * (Linux: a thread has its own nice value, addressed by its kernel thread id,
 * which /proc/thread-self names). Why: the storage and checkpoint threads
 * share the process's cores with the thread that serves sockets; at equal
 * priority every wake-up of a storage thread (a batch posted to it) preempts
 * the event loop for the length of a commit. A lower priority lets the loop
 * run first; commits then simply batch more. Returns the thread's new nice
 * value, or null where threads cannot be addressed (not Linux) or the call
 * is refused; either way nothing else changes.
 */
export function lowerThreadPriority(delta: number): number | null {
  if (delta <= 0) return null;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return null;
    // Relative to the process's main thread (the event loop), not to this thread: a thread inherits
    // its creator's nice value, so the checkpoint thread (started by the storage thread) would
    // otherwise end up 2 x delta below the loop.
    const nice = Math.min(19, getPriority(process.pid) + delta);
    setPriority(tid, nice);
    return nice;
  } catch {
    return null;
  }
}
