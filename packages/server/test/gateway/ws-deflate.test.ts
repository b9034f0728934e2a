/**
 * permessage-deflate is a setting (wsPerMessageDeflate, default off): off, a
 * client's offer is declined; on, it is accepted and the SDK works through it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SUBPROTOCOL_PROTO } from '@xinbox/protocol';
import { MemoryCursorStore, XinboxClient, textOf } from '@xinbox/sdk';
import { startTestNode } from '../support/server.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

/** The extensions header the server answered a deflate offer with. */
function negotiated(url: string): Promise<string> {
  return new Promise((res, rej) => {
    const ws = new WebSocket(url, SUBPROTOCOL_PROTO, { perMessageDeflate: true });
    ws.once('open', () => {
      res(ws.extensions);
      ws.close();
    });
    ws.once('error', rej);
  });
}

describe('WebSocket permessage-deflate', () => {
  const nodes: Node[] = [];
  afterAll(async () => {
    for (const n of nodes) await n.cleanup();
  });

  it('is declined by default', async () => {
    const node = await startTestNode({});
    nodes.push(node);
    expect(await negotiated(node.wsUrl)).toBe('');
  });

  it('is accepted when enabled, and messages flow through it', async () => {
    const node = await startTestNode({ wsPerMessageDeflate: true });
    nodes.push(node);
    expect(await negotiated(node.wsUrl)).toContain('permessage-deflate');

    // The SDK on Node 20 uses the `ws` package, which offers deflate by default.
    const client = (id: string) => new XinboxClient({ baseUrl: node.httpUrl, deviceId: id, platform: 'desktop', cursorStore: new MemoryCursorStore() });
    const [alice, bob] = [client('alice-z'), client('bob-z')];
    for (const [c, name] of [[alice, 'alicez'], [bob, 'bobz']] as const) {
      await c.register(name, 'a long password');
      await c.login(name, 'a long password');
      await c.connect();
    }
    const got = new Promise<string | undefined>((r) => bob.once('message', (m) => r(textOf(m.content))));
    const conv = await alice.openDirect({ username: 'bobz' });
    const long = '压缩 compressible text '.repeat(200);
    await alice.send(conv.conversationId, long);
    expect(await got).toBe(long);
    await Promise.all([alice.close(), bob.close()]);
  });
});
