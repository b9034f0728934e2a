import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';

/** What the results were measured on. */
export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memGb: number;
  readonly kernel: string;
  readonly node: string;
  readonly openFilesSoft: string;
  readonly openFilesHard: string;
  readonly ephemeralPorts: string;
}

function sh(cmd: string): string {
  try {
    return execFileSync('sh', ['-c', cmd]).toString().trim();
  } catch {
    return 'unknown';
  }
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memGb: Math.round(totalmem() / 1024 ** 3),
    kernel: release(),
    node: process.version,
    openFilesSoft: sh('ulimit -Sn'),
    openFilesHard: sh('ulimit -Hn'),
    ephemeralPorts: sh('cat /proc/sys/net/ipv4/ip_local_port_range').replace(/\s+/g, '-'),
  };
}
