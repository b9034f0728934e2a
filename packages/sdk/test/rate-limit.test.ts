/**
 * The SDK honours RATE_LIMITED's retryAfterMs: sends over the server's budget
 * wait as told and go through, none is lost or failed (real server in process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startXinbox } from '@xinbox/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as WsWebSocket } from 'ws';
import { XinboxClient } from '../src/client.js';
import { HttpApi } from '../src/http-api.js';
import type { WebSocketConstructorLike } from '../src/transport-ws.js';

type Node = Awaited<ReturnType<typeof startXinbox>>;
let node: Node;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'xinbox-sdk-rl-'));
  node = await startXinbox({
    host: '127.0.0.1', port: 0, tcpPort: -1, dataDir, logLevel: 'error', scryptCost: 4,
    rateLimits: true, limitSendPerUser: 2, limitBurstSeconds: 1,
  });
});
afterAll(async () => {
  await node?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('SDK and RATE_LIMITED', () => {
  it('waits retryAfterMs and retries sends over the limit until all are stored once', async () => {
    const http = new HttpApi(node.httpUrl);
    await http.register('rl-alice', 'pw-rl-alice-123');
    await http.register('rl-bob', 'pw-rl-bob-1234');
    const client = new XinboxClient({ baseUrl: node.httpUrl, deviceId: 'rl', WebSocket: WsWebSocket as unknown as WebSocketConstructorLike, reconnect: { baseMs: 50, maxMs: 200 } });
    try {
      await client.login('rl-alice', 'pw-rl-alice-123');
      await client.connect();
      const conv = (await client.openDirect({ username: 'rl-bob' })).conversationId;
      const started = Date.now();
      // 8 sends against 2/s with a bucket of 2: the server refuses most at first.
      const acks = await Promise.all(Array.from({ length: 8 }, (_, i) => client.send(conv, `m${i}`)));
      const elapsed = Date.now() - started;
      expect(acks.map((a) => a.seq).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(acks.every((a) => !a.duplicate)).toBe(true);
      // 6 beyond the bucket at 2/s: the client waited about 3 s, as the server said.
      expect(elapsed).toBeGreaterThan(2_000);
    } finally {
      await client.close();
    }
  }, 30_000);
});
