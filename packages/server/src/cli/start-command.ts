/**
 * `xinbox start` (`npm start`): one node with the configured roles, config
 * from XINBOX_* / XINBOX_CONFIG. Prints the ready line tests and benchmarks
 * wait for, drains on SIGTERM/SIGINT, reloads TLS files on SIGHUP. On one
 * core it first starts itself again with V8's single-threaded GC (gc-threads.ts).
 */
import { configFromEnv, type XinboxConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { startXinbox } from '../node.js';
import { explainStartError } from './explain-error.js';
import { hasSingleThreadedGc, restartedChildWatchesParent, restartWithSingleThreadedGc, wantsSingleThreadedGc } from './gc-threads.js';

export async function runStart(): Promise<void> {
  let config: XinboxConfig | undefined;
  try {
    config = configFromEnv();
    if (wantsSingleThreadedGc(config.gcThreads) && !hasSingleThreadedGc()) return await restartWithSingleThreadedGc();
    restartedChildWatchesParent();
    await serve(config);
  } catch (e) {
    console.error(explainStartError(e, config));
    process.exit(config ? 1 : 2);
  }
}

async function serve(config: XinboxConfig): Promise<void> {
  const log = createLogger(config.logLevel);
  const node = await startXinbox(config, { log });
  const roles = config.roles;
  const http = node.port > 0 ? node.httpUrl : '-';
  const ws = roles.includes('gateway') && node.port > 0 ? node.wsUrl : '-';
  const tcp = node.tcpPort > 0 ? String(node.tcpPort) : '-';
  // Benchmarks and tests wait for this line ("xinbox listening:").
  const gateways = node.gatewayProcesses ? ` gatewayProcesses=${node.gatewayProcesses.processes.length}` : '';
  const gc = hasSingleThreadedGc() ? ' gc=single-threaded' : '';
  console.log(`xinbox listening: node=${node.nodeId} roles=${roles.join(',')} http=${http} ws=${ws} tcp=${tcp} storage=${config.storage}${gateways}${gc}`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: draining`);
    node.drain(config.drainTimeoutMs).then(() => process.exit(0), (e) => {
      log.error('shutdown failed', e);
      process.exit(1);
    });
  };
  // SIGHUP: a renewed certificate (e.g. after certbot). Without a handler SIGHUP would end the process.
  process.on('SIGHUP', () => {
    try {
      if (node.reloadTls()) log.info('SIGHUP: TLS certificate and key reloaded; new connections use them');
      else log.info('SIGHUP: TLS is off, nothing to reload');
    } catch (e) {
      log.error(`SIGHUP: TLS reload failed, keeping the current certificate: ${(e as Error).message}`);
    }
  });
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
