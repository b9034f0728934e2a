#!/usr/bin/env node
/** `npm start`: one process with every role, embedded SQLite under ./data, config from XINBOX_* env. */
import { configFromEnv, ConfigError } from './config.js';
import { createLogger } from './logger.js';
import { startXinbox } from './node.js';

async function main(): Promise<void> {
  let config;
  try {
    config = configFromEnv();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger(config.logLevel);
  const node = await startXinbox(config, { log });
  const roles = config.roles;
  const http = node.port > 0 ? node.httpUrl : '-';
  const ws = roles.includes('gateway') && node.port > 0 ? node.wsUrl : '-';
  const tcp = node.tcpPort > 0 ? String(node.tcpPort) : '-';
  // Benchmarks and tests wait for this line ("xinbox listening:").
  console.log(`xinbox listening: node=${node.nodeId} roles=${roles.join(',')} http=${http} ws=${ws} tcp=${tcp} storage=${config.storage}`);
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
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((e) => {
  console.error('xinbox failed to start:', e);
  process.exit(1);
});
