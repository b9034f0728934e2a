/**
 * A gateway process (forked by GatewaySupervisor): the gateway role of the
 * ordinary composition root, the same code a cluster gateway node runs, over
 * the primary's ports through the IPC hub (or PostgreSQL and Redis in
 * cluster mode). Connections arrive as socket handles from the primary;
 * plain HTTP requests go back to the primary's API. The process exits when
 * the primary goes away, so it is never left behind.
 */
import type { Server as NetServer, Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { buildConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { startXinbox, type XinboxNode } from '../node.js';
import { openIpcAdapters } from '../adapters/ipc/index.js';
import type { Storage } from '../storage.js';
import type { FromGateway, InitMessage, ToGateway } from './process-messages.js';

const send = (m: FromGateway) => process.send?.(m);

let node: XinboxNode | null = null;
let http: HttpServer | null = null;
let tcp: NetServer | null = null;
let exiting = false;

function exit(code: number): void {
  if (exiting) return;
  exiting = true;
  process.exit(code);
}

// The primary ended (or was killed): leave with it. Its clients reconnect to the restarted primary.
process.on('disconnect', () => exit(0));
// The primary decides when gateways stop (SIGINT to the process group reaches us too): ignore signals it also got.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => void drain(10_000));

process.on('message', (m: ToGateway, handle?: Socket) => {
  switch (m.t) {
    case 'init':
      start(m).catch((e: Error) => {
        send({ t: 'failed', error: e.message });
        exit(1);
      });
      return;
    case 'conn': {
      if (!handle) return;
      const server = m.kind === 'http' ? http : tcp;
      if (!server || exiting) handle.destroy();
      else server.emit('connection', handle);
      return;
    }
    case 'drain':
      void drain(m.timeoutMs);
      return;
    case 'reload-tls':
      try {
        node?.reloadTls();
      } catch {
        // The primary logs the reason (it reads the same files); this process keeps its current certificate.
      }
      return;
  }
});

async function drain(timeoutMs: number): Promise<void> {
  if (!node) exit(0);
  await node!.drain(timeoutMs).catch(() => undefined);
  exit(0);
}

async function start(init: InitMessage): Promise<void> {
  const config = buildConfig(init.settings);
  const log = createLogger(config.logLevel);
  let storage: Storage | undefined;
  if (init.hubPath) {
    const metricsSource = { snapshot: () => node?.metricsSnapshot() ?? null };
    const ipc = await openIpcAdapters(init.hubPath, config.nodeId, { metrics: metricsSource });
    ipc.client.peer.onClose(() => exit(0));
    // The hub serves every port of the primary's storage (servedPorts), so this is a whole Storage.
    storage = { ...ipc.ports, bus: ipc.bus, membership: ipc.membership, close: () => ipc.close() } as unknown as Storage;
  }
  node = await startXinbox(config, {
    storage,
    log,
    handedIn: {
      port: init.port,
      tcpPort: init.tcpPort,
      apiPath: init.apiPath,
      http: (server) => {
        http = server;
      },
      tcp: (server) => {
        tcp = server;
      },
    },
  });
  send({ t: 'ready', nodeId: node.nodeId });
}
