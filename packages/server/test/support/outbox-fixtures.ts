import { MemoryIdentityStore, MemoryTables } from '../../src/adapters/memory/index.js';
import { defaults } from '../../src/config.js';
import { IdentityService } from '../../src/core/identity/identity-service.js';
import { TokenSigner } from '../../src/core/identity/tokens.js';
import type { Bus, RouteRegistry } from '../../src/core/ports/index.js';
import { FlushScheduler } from '../../src/gateway/flush-scheduler.js';
import { LocalSessions } from '../../src/gateway/local-sessions.js';
import { createLogger } from '../../src/logger.js';
import { ClusterLink } from '../../src/router/cluster-link.js';
import { ClusterOutbox } from '../../src/router/cluster-outbox.js';
import { LocalOutbox } from '../../src/router/local-outbox.js';
import { NodeDirectory } from '../../src/router/node-directory.js';
import { RpcClient } from '../../src/router/rpc-client.js';
import type { Fixture } from '../contracts/contract-support.js';
import type { OutboxPorts } from '../contracts/outbox.contract.js';
import { RecordingConnection } from './recording-connection.js';

/** LocalOutbox over one gateway's sessions: the single-node Outbox. */
export async function localOutboxFixture(): Promise<Fixture<OutboxPorts>> {
  const sessions = new LocalSessions();
  const scheduler = new FlushScheduler();
  return {
    outbox: new LocalOutbox(sessions),
    gateways: 1,
    connect: async (_g, userId, deviceId) => {
      const conn = new RecordingConnection(userId, deviceId, scheduler);
      sessions.add(conn);
      return conn;
    },
    watch: (_g, conn, userIds) => sessions.watch(conn, userIds),
    close: async () => undefined,
  };
}

/** One node's cluster adapters (the bus and route registry it opened). */
export interface ClusterNodePorts {
  readonly bus: Bus;
  readonly routes: RouteRegistry;
  close(): Promise<void>;
}

/**
 * ClusterOutbox on gateway 0 of two gateway nodes, each with its own
 * sessions and ClusterLink on `openNode`'s adapters, as node.ts wires them.
 */
export async function clusterOutboxFixture(openNode: (nodeId: string) => Promise<ClusterNodePorts>): Promise<Fixture<OutboxPorts>> {
  const log = createLogger('error');
  const tag = Math.random().toString(36).slice(2, 8);
  const nodes = await Promise.all([0, 1].map(async (i) => {
    const nodeId = `outbox-${tag}-${i}`;
    const ports = await openNode(nodeId);
    const sessions = new LocalSessions();
    const local = new LocalOutbox(sessions);
    const rpc = new RpcClient(ports.bus, nodeId);
    const identity = new IdentityService(new MemoryIdentityStore(new MemoryTables()), new TokenSigner('outbox-contract-secret-0123456789'), defaults);
    const link = new ClusterLink({
      nodeId, bus: ports.bus, directory: new NodeDirectory(), rpc, executor: null, local, gateway: null, rooms: null, identity, log,
      describe: () => ({ nodeId, roles: ['gateway'], ws: null, tcp: null, region: '', canary: false, connections: 0, eventLoopLagMs: 0, at: Date.now() }),
    });
    await link.start(60_000);
    return { nodeId, ports, sessions, rpc, link, scheduler: new FlushScheduler() };
  }));
  const home = nodes[0]!;
  return {
    outbox: new ClusterOutbox(home.nodeId, home.ports.bus, home.ports.routes, new LocalOutbox(home.sessions), log),
    gateways: nodes.length,
    connect: async (g, userId, deviceId) => {
      const node = nodes[g]!;
      const conn = new RecordingConnection(userId, deviceId, node.scheduler);
      node.sessions.add(conn);
      await node.ports.routes.bind({ userId, deviceId, nodeId: node.nodeId });
      return conn;
    },
    watch: (g, conn, userIds) => nodes[g]!.sessions.watch(conn, userIds),
    close: async () => {
      for (const n of nodes) {
        await n.link.stop();
        n.rpc.close();
        await n.ports.close();
      }
    },
  };
}
