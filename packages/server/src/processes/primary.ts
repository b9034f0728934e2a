import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { buildConfig, type XinboxConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { openStorage, type Storage } from '../storage.js';
import { StartupError } from '../startup-error.js';
import { IpcHub, servedPorts } from '../adapters/ipc/index.js';
import type { NodeDeps, NodeMetricsSnapshot, XinboxNode } from '../node-types.js';
import { GatewaySupervisor } from './gateway-supervisor.js';

/** Gateway processes the config asks for (`auto`: one per available core); 0 or 1 means none (one process does everything). */
export function gatewayProcessCount(config: Pick<XinboxConfig, 'gatewayProcesses'>): number {
  return config.gatewayProcesses === 'auto' ? availableParallelism() : config.gatewayProcesses;
}

type StartNode = (config: XinboxConfig, deps: NodeDeps) => Promise<XinboxNode>;

/**
 * `npm start` with gatewayProcesses ≥ 2: this process is the primary. It owns
 * the public listeners and hands each accepted connection to one of N
 * gateway processes (round robin), and runs every other role itself: logic
 * (the single writer), storage (SQLite on its storage thread), api, access.
 * The gateway processes reach the primary's ports through an IpcHub on a
 * unix socket; the bus messages between them are the cluster envelopes, so
 * the gateway and the logic code are the cluster's, unchanged. In cluster
 * mode (storage=postgres) the processes open PostgreSQL and Redis themselves
 * and are ordinary cluster gateway nodes. See ADR gateway-processes-over-local-ipc.
 */
export async function startWithGatewayProcesses(config: XinboxConfig, deps: NodeDeps, startNode: StartNode): Promise<XinboxNode> {
  const count = gatewayProcessCount(config);
  const primaryRoles = config.roles.filter((r) => r !== 'gateway');
  if (primaryRoles.length === 0) {
    throw new StartupError('gatewayProcesses needs another role besides gateway in this process (XINBOX_ROLES, XINBOX_GATEWAY_PROCESSES)');
  }
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const nodeId = config.nodeId || `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const log = (deps.log ?? createLogger(config.logLevel)).child({ node: nodeId });
  // Sockets of the hub and the API: a private directory (mkdtemp: mode 0700), short enough for a unix socket path.
  const runDir = mkdtempSync(join(tmpdir(), 'xinbox-'));
  const cleanups: Array<() => Promise<void>> = [async () => rmSync(runDir, { recursive: true, force: true })];
  const cleanup = async () => {
    while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
  };
  try {
    // The public listeners first: a taken port fails the start before anything opens, and port 0 becomes the port every process advertises.
    const http = await listenPaused(config.port, config.host);
    cleanups.push(() => closeServer(http));
    const tcp = config.tcpPort >= 0 ? await listenPaused(config.tcpPort, config.host) : null;
    if (tcp) cleanups.push(() => closeServer(tcp));
    const port = boundPort(http);
    const tcpPort = tcp ? boundPort(tcp) : -1;

    const base = deps.storage ?? (await openStorage(config, dataDir, nodeId));
    if (!deps.storage) cleanups.push(() => base.close());
    let hub: IpcHub | null = null;
    let storage: Storage = base;
    if (base.membership === null) {
      const h = new IpcHub(servedPorts(base), { path: join(runDir, 'hub.sock'), membershipTtlMs: config.membershipTtlMs, onHandlerError: (e, topic) => log.warn(`bus handler for ${topic} failed`, e) });
      await h.listen();
      cleanups.push(() => h.close());
      hub = h;
      // The primary is a cluster of one logic node and N gateway nodes whose bus and membership store is the hub.
      storage = { ...base, bus: h.bus, membership: h.membership(nodeId), close: async () => undefined };
    }
    const peerMetrics = hub
      ? async (): Promise<NodeMetricsSnapshot[]> => (await hub.callEach('metrics', 'snapshot'))
        .flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value as NodeMetricsSnapshot] : []))
      : undefined;
    const hasHttp = primaryRoles.includes('api') || primaryRoles.includes('access');
    const apiPath = join(runDir, 'api.sock');
    const primaryConfig = buildConfig({ ...config, nodeId, roles: primaryRoles, gatewayProcesses: 0 });
    const node = await startNode(primaryConfig, { ...deps, storage, log: deps.log, apiPath, peerMetrics });
    cleanups.push(() => node.stop());

    const settings: Record<string, unknown> = { ...config, roles: ['gateway'], gatewayProcesses: 0, adminPort: -1, port, tcpPort };
    const supervisor = new GatewaySupervisor({
      count,
      nodeId,
      log,
      init: (childId) => ({ t: 'init', settings: { ...settings, nodeId: childId }, hubPath: hub?.path ?? null, apiPath: hasHttp ? apiPath : null, port, tcpPort }),
    });
    await supervisor.start();
    cleanups.push(() => supervisor.stop());
    http.on('connection', (socket) => supervisor.handOff('http', socket));
    tcp?.on('connection', (socket) => supervisor.handOff('tcp', socket));

    const host = config.publicHost || (config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host);
    const scheme = config.tlsCertFile ? 'https' : 'http';
    let stopped = false;
    const stopAll = async (drainMs: number | null): Promise<void> => {
      if (stopped) return;
      stopped = true;
      // Stop accepting; the gateway processes move their clients (DRAINING), then the primary stops.
      await Promise.all([closeServer(http), tcp ? closeServer(tcp) : Promise.resolve()]);
      if (drainMs === null) await supervisor.stop();
      else await supervisor.drain(drainMs);
      await cleanup();
    };
    return {
      ...node,
      port,
      tcpPort,
      httpUrl: `${scheme}://${host}:${port}`,
      wsUrl: `${scheme === 'https' ? 'wss' : 'ws'}://${host}:${port}/ws`,
      reloadTls: () => {
        supervisor.broadcast({ t: 'reload-tls' });
        return node.reloadTls();
      },
      drain: (timeoutMs) => stopAll(timeoutMs ?? config.drainTimeoutMs),
      stop: () => stopAll(null),
      gatewayProcesses: supervisor,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

function listenPaused(port: number, host: string): Promise<Server> {
  // Paused: the primary reads nothing from a connection; the gateway process it is handed to does (TLS included).
  const server = createServer({ pauseOnConnect: true, noDelay: true });
  return new Promise((resolveServer, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolveServer(server);
    });
  });
}

function boundPort(server: Server): number {
  const a = server.address();
  return typeof a === 'object' && a ? a.port : 0;
}

/**
 * Stops accepting. Not waiting for close's callback: for a server whose
 * sockets were handed to other processes, Node asks those processes for
 * their connection counts first, which outlives the processes themselves.
 */
async function closeServer(server: Server): Promise<void> {
  if (server.listening) server.close();
}
