import { affinityOf } from '../metrics/proc.js';
import type { ServerHandle } from './launch.js';

/** A Xinbox the user started (e.g. several gateway processes); the bench neither starts nor stops it. */
export function externalServer(ext: { httpBase: string; wsUrls: string[]; pids: number[] }): ServerHandle {
  return {
    name: 'xinbox',
    pid: ext.pids[0] ?? -1,
    pids: ext.pids,
    servicePids: () => [],
    httpBase: ext.httpBase,
    // Each gateway URL ws://host:port/ws also serves the HTTP API (roles gateway,api) at http://host:port.
    httpBases: [...new Set([ext.httpBase, ...ext.wsUrls.map((u) => u.replace(/^ws/, 'http').replace(/\/ws$/, ''))])],
    wsUrls: ext.wsUrls,
    affinity: ext.pids[0] ? affinityOf(ext.pids[0]) : 'unknown (external)',
    logPath: undefined,
    stop: async () => undefined,
  };
}
