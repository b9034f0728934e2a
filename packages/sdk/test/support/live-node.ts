import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startXinbox } from '@xinbox/server';
import { afterAll, beforeAll } from 'vitest';
import { WebSocket as WsWebSocket } from 'ws';
import { XinboxClient } from '../../src/client.js';
import type { WebSocketConstructorLike } from '../../src/transport-ws.js';

type Node = Awaited<ReturnType<typeof startXinbox>>;

/**
 * A real in-process server (SQLite in a temporary directory) for one test file, started before its tests and
 * stopped after them with every client `online` opened. `online` logs a registered user in on a device,
 * lets `attach` subscribe to events before anything arrives, connects and waits for the first sync.
 */
export function useLiveNode(prefix: string): { node: () => Node; online: (user: string, deviceId: string, attach: (c: XinboxClient) => void) => Promise<XinboxClient> } {
  let node: Node | undefined;
  let dataDir = '';
  const clients: XinboxClient[] = [];
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), prefix));
    node = await startXinbox({ host: '127.0.0.1', port: 0, tcpPort: 0, dataDir, logLevel: 'error', scryptCost: 4 });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await node?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    node: () => node!,
    online: async (user, deviceId, attach) => {
      const client = new XinboxClient({
        baseUrl: node!.httpUrl, deviceId, platform: 'web', transport: 'ws', reconnect: { baseMs: 50, maxMs: 200 },
        WebSocket: WsWebSocket as unknown as WebSocketConstructorLike,
      });
      clients.push(client);
      attach(client);
      await client.login(user, `pw-${user}-12345`);
      await client.connect();
      await new Promise<void>((r) => client.once('synced', () => r()));
      return client;
    },
  };
}

/** Waits until `cond` holds (polling), or fails naming `what`. */
export async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
