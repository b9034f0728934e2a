import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXinbox, type XinboxNode } from '@xinbox/server';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XinboxClient, MemoryCursorStore } from '../src/index.js';

/** The README's SDK example, run for real so the README stays true. */
describe('README SDK example', () => {
  let node: XinboxNode;
  const dir = mkdtempSync(join(tmpdir(), 'xinbox-readme-'));
  beforeAll(async () => {
    node = await startXinbox({ host: '127.0.0.1', port: 0, tcpPort: -1, dataDir: dir, logLevel: 'error', scryptCost: 4 });
  });
  afterAll(async () => {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs as written', async () => {
    const bob = new XinboxClient({ baseUrl: node.httpUrl, deviceId: 'bob-phone', platform: 'ios', cursorStore: new MemoryCursorStore() });
    await bob.register('bob', 'a long password');

    // --- README example (baseUrl points at the test node) ---
    const client = new XinboxClient({
      baseUrl: node.httpUrl,
      deviceId: 'laptop-1',
      platform: 'desktop',
      cursorStore: new MemoryCursorStore(),
    });
    await client.register('alice', 'a long password');
    await client.login('alice', 'a long password');
    await client.connect();
    const seen: number[] = [];
    client.on('message', (m) => seen.push(m.seq));
    let total = -1;
    client.on('unread', (t) => (total = t));
    const conv = await client.openDirect({ username: 'bob' });
    const ack = await client.send(conv.conversationId, '你好 👋');
    const page = await client.history(conv.conversationId, { limit: 10 });
    await client.markRead(conv.conversationId, ack.seq);
    // --- end of the example ---

    expect(ack.seq).toBe(1);
    expect(page.messages.map((m) => m.seq)).toEqual([1]);
    expect(seen).toEqual([1]);
    expect(total).toBeLessThanOrEqual(0);
    await client.close();
    await bob.close();
  });
});
