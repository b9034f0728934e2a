import { affinityOf } from '../metrics/proc.js';
import type { ServerHandle } from './launch.js';

/** A Xinbox the user started (e.g. several gateway processes); the bench neither starts nor stops it. */
export function externalServer(ext: { httpBase: string; wsUrls: string[]; pid: number | undefined }): ServerHandle {
  return {
    name: 'xinbox',
    pid: ext.pid ?? -1,
    httpBase: ext.httpBase,
    wsUrls: ext.wsUrls,
    affinity: ext.pid ? affinityOf(ext.pid) : 'unknown (external)',
    logPath: undefined,
    stop: async () => undefined,
  };
}
