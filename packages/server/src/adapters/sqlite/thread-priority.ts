import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Lowers the calling thread's scheduling priority by `delta` nice steps
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
    const nice = Math.min(19, getPriority(tid) + delta);
    setPriority(tid, nice);
    return nice;
  } catch {
    return null;
  }
}
