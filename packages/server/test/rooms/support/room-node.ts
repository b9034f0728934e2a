import { createServer, type Server } from 'node:http';
import { Errors, XinboxError } from '@xinbox/protocol';
import { createMemoryAdapters } from '../../../src/adapters/memory/index.js';
import { MemoryRoomStore } from '../../../src/adapters/memory/memory-room-store.js';
import { openSqliteAdapters } from '../../../src/adapters/sqlite/index.js';
import { SqliteRoomStore } from '../../../src/adapters/sqlite/sqlite-room-store.js';
import { defaults } from '../../../src/config.js';
import { IdentityService } from '../../../src/core/identity/identity-service.js';
import { TokenSigner } from '../../../src/core/identity/tokens.js';
import { SnowflakeGenerator } from '../../../src/core/ids/snowflake.js';
import type { ConversationStore, IdentityStore } from '../../../src/core/ports/index.js';
import type { RoomStore } from '../../../src/core/ports/room-store.js';
import { PresenceService } from '../../../src/core/presence/presence-service.js';
import { createRooms, type Rooms, type RoomOptions } from '../../../src/gateway/rooms.js';
import { Gateway } from '../../../src/gateway/gateway.js';
import { LocalSessions } from '../../../src/gateway/local-sessions.js';
import { RequestDispatcher } from '../../../src/gateway/request-dispatcher.js';
import { createLogger } from '../../../src/logger.js';
import { LocalOutbox } from '../../../src/router/local-outbox.js';
import { RawClient, type Transport } from '../../support/raw-client.js';
import { tempDir } from '../../support/temp-dir.js';

export interface RoomTestNode {
  readonly wsUrl: string;
  readonly tcpPort: number;
  readonly rooms: Rooms;
  /** Register a user and return a fresh access token for `deviceId`. */
  user(prefix?: string): Promise<TestUser>;
  stop(): Promise<void>;
}

export interface TestUser {
  readonly userId: string;
  readonly username: string;
  /** Log in (a new session for the device) and connect an authenticated client. */
  connect(deviceId?: string, transport?: Transport): Promise<RawClient>;
}

let userCounter = 0;

/**
 * A gateway with rooms wired, on real sockets, the way node.ts will wire it
 * (createRooms handlers in the table, onConnectionClosed in the closed hook),
 * until the lead adds rooms to startXinbox. No HTTP API: tokens come from
 * the IdentityService directly.
 */
export async function startRoomNode(opts: { storage?: 'sqlite' | 'memory'; rooms?: Partial<RoomOptions>; pushRetries?: number } = {}): Promise<RoomTestNode> {
  const dir = tempDir('xinbox-rooms-e2e-');
  const memory = createMemoryAdapters();
  let identityStore: IdentityStore = memory.identity;
  let conversations: ConversationStore = memory.conversations;
  let roomStore: RoomStore = new MemoryRoomStore();
  let closeStorage = async () => undefined as void;
  if ((opts.storage ?? 'sqlite') === 'sqlite') {
    const sqlite = openSqliteAdapters({ path: `${dir.path}/xinbox.db` });
    identityStore = sqlite.identity;
    conversations = sqlite.conversations;
    roomStore = new SqliteRoomStore(sqlite.database);
    closeStorage = () => sqlite.close();
  }
  const log = createLogger('error');
  const config = { ...defaults, scryptCost: 10 };
  const identity = new IdentityService(identityStore, new TokenSigner('rooms-test-secret-0123456789abcdef'), config);
  const sessions = new LocalSessions();
  const outbox = new LocalOutbox(sessions);
  const presence = new PresenceService(memory.presence, conversations, identityStore, outbox, 'rooms-test');
  const rooms = createRooms({ store: roomStore, ids: new SnowflakeGenerator(1), options: opts.rooms, log });
  const gateway = new Gateway(
    { ...config, nodeId: 'rooms-test', presenceRefreshMs: 30_000, pushRetries: opts.pushRetries ?? config.pushRetries },
    identity,
    presence,
    sessions,
    new RequestDispatcher(rooms.handlers, () => Promise.reject(new XinboxError(Errors.UNKNOWN_OPERATION, 'no messaging in the rooms test node')), log),
    {
      opened: async () => 0,
      closed: async (conn) => rooms.onConnectionClosed(conn),
    },
    log,
  );
  const http: Server = createServer((_req, res) => res.writeHead(404).end());
  gateway.attachWebSocket(http);
  const port = await new Promise<number>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, '127.0.0.1', () => {
      const a = http.address();
      resolve(typeof a === 'object' && a ? a.port : 0);
    });
  });
  const tcpPort = await gateway.listenTcp(0, '127.0.0.1');
  gateway.start();
  const wsUrl = `ws://127.0.0.1:${port}/ws`;

  return {
    wsUrl,
    tcpPort,
    rooms,
    async user(prefix = 'viewer') {
      const username = `${prefix}${process.pid % 10000}x${++userCounter}`.toLowerCase().slice(0, 32);
      const { userId } = await identity.register(username, 'correct horse battery');
      return {
        userId: String(userId),
        username,
        async connect(deviceId = 'phone', transport: Transport = 'ws') {
          const login = await identity.login(username, 'correct horse battery', deviceId, 'other');
          const client = await RawClient.connect(transport, { wsUrl, tcpPort });
          const ok = await client.request({ case: 'auth', value: { token: login.accessToken } });
          if (ok.body.case !== 'authOk') throw new Error(`auth failed: ${JSON.stringify(ok.body.value)}`);
          return client;
        },
      };
    },
    async stop() {
      rooms.stop();
      await gateway.stop();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      await closeStorage();
      await memory.close();
      dir.remove();
    },
  };
}
