import type { DurableStores, NodeMembership, ProcessServices } from '../../core/ports/index.js';
import { IpcClient, type IpcMembership } from './ipc-client.js';
import type { IpcServices } from './ipc-peer.js';

export { IpcHub, MEMBERS_TOPIC, type IpcHubOptions } from './ipc-hub.js';
export { IpcClient, IpcMembership } from './ipc-client.js';
export { IpcPeer, IpcKind, type IpcServices } from './ipc-peer.js';
export { FrameSocket } from './frame-socket.js';

/**
 * What a gateway process reaches through the primary. The hub names the
 * ports it serves (every port of the primary's storage but its bus and
 * membership, which the hub replaces), so a port added to the storage is
 * served without a change here; the typed fields are the ports known today.
 */
export interface IpcAdapters extends Omit<DurableStores, 'search'>, ProcessServices {
  readonly membership: NodeMembership & Pick<IpcMembership, 'stopHeartbeats'>;
  readonly client: IpcClient;
  /** Every served port by name (the typed fields above among them). */
  readonly ports: Readonly<Record<string, object>>;
  close(): Promise<void>;
}

/** The ports of a storage object the hub serves: every object-valued field except the bus and membership. */
export function servedPorts(storage: object): IpcServices {
  return Object.fromEntries(Object.entries(storage).filter(([name, v]) => typeof v === 'object' && v !== null && name !== 'bus' && name !== 'membership'));
}

/**
 * Connects to the primary's hub at `path`: every port is a proxy whose calls
 * run on the primary's adapter of that name (the SQLite storage thread, the
 * in-memory presence, routes and rate limiter); bus and membership are the
 * hub's. `services` are what the primary may call in this process.
 */
export async function openIpcAdapters(path: string, nodeId: string, services: IpcServices = {}): Promise<IpcAdapters> {
  const client = await IpcClient.connect(path, services);
  const names = (await client.peer.call('$control', 'ports', [])) as string[];
  const ports = Object.fromEntries(names.map((name) => [name, client.port<object>(name)]));
  const membership = client.membership(nodeId);
  return {
    ...(ports as unknown as Omit<IpcAdapters, 'bus' | 'membership' | 'client' | 'ports' | 'close'>),
    bus: client.bus,
    membership,
    client,
    ports,
    close: async () => {
      await membership.close();
      client.close();
    },
  };
}
