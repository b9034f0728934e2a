import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/** Linux /proc readers for CPU time and resident memory of a process tree. */

let clockTicks: number | undefined;

/** Kernel clock ticks per second (utime/stime unit), usually 100. */
export function clkTck(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

interface StatFields {
  readonly ppid: number;
  /** utime + stime, in clock ticks. */
  readonly cpuTicks: number;
}

function readStat(pid: number): StatFields | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); ppid is field 4, utime 14, stime 15.
  return { ppid: Number(rest[1]), cpuTicks: Number(rest[11]) + Number(rest[12]) };
}

export function readRssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** `pid` and all its live descendants (a server may fork gateway processes). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [pid];
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const st = readStat(Number(e));
    if (!st) continue;
    const list = children.get(st.ppid) ?? [];
    list.push(Number(e));
    children.set(st.ppid, list);
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0 && out.length < 10_000) {
    const p = stack.pop()!;
    out.push(p);
    for (const c of children.get(p) ?? []) stack.push(c);
  }
  return out;
}

/** Direct children of `ppid` whose command name (/proc/<pid>/comm) is one of `names`. */
export function childrenNamed(ppid: number, names: readonly string[]): number[] {
  const out: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (readStat(pid)?.ppid !== ppid) continue;
    try {
      if (names.includes(readFileSync(`/proc/${pid}/comm`, 'utf8').trim())) out.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

export interface ProcTotals {
  readonly cpuTicks: number;
  readonly rssBytes: number;
  readonly processes: number;
  /** Time the main threads spent runnable but waiting for a CPU, ns (/proc/<pid>/schedstat). */
  readonly runWaitNs: number;
}

function readRunWaitNs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) || 0;
  } catch {
    return 0;
  }
}

export function readTotals(pids: readonly number[]): ProcTotals {
  let cpuTicks = 0;
  let rssBytes = 0;
  let processes = 0;
  let runWaitNs = 0;
  for (const pid of pids) {
    const st = readStat(pid);
    if (!st) continue;
    processes++;
    cpuTicks += st.cpuTicks;
    rssBytes += readRssBytes(pid);
    runWaitNs += readRunWaitNs(pid);
  }
  return { cpuTicks, rssBytes, processes, runWaitNs };
}

/** CPU affinity list of a process as printed by taskset (e.g. "0" or "0,1"). */
export function affinityOf(pid: number): string {
  try {
    const out = execFileSync('taskset', ['-pc', String(pid)]).toString();
    return out.slice(out.lastIndexOf(':') + 1).trim();
  } catch {
    return 'unknown';
  }
}

/** Busy (non-idle, non-iowait) clock ticks of the whole machine, all CPUs summed. */
export function machineBusyTicks(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return total - (f[3] ?? 0) - (f[4] ?? 0);
  } catch {
    return 0;
  }
}
