import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { device, register, text } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body } from '../support/frames.js';

describe('timeline retention', () => {
  let node: Awaited<ReturnType<typeof startTestNode>>;
  beforeAll(async () => {
    node = await startTestNode({ timelineRetention: 100 });
  });
  afterAll(async () => node.cleanup());

  it('trims old timeline entries and sends too-old cursors down the documented resync path', async () => {
    const [alice, bob] = await Promise.all([register(node.httpUrl, 'ra'), register(node.httpUrl, 'rb')]);
    const a = await device(node, alice, 'a');
    const conv = body(await a.request({ case: 'openDirect', value: { userId: bob.userId } }), 'conversationInfo').conversation!.conversationId;
    for (let i = 0; i < 1100; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, k) => a.request({ case: 'send', value: { conversationId: conv, clientMsgId: `r${i + k}`, content: text('x') } })));
    }
    await new Promise((r) => setTimeout(r, 100));
    const b = await device(node, bob, 'b');
    const stale = body(await b.request({ case: 'sync', value: { cursor: 5, limit: 10 } }), 'syncResult');
    expect(stale.resyncRequired).toBe(true);
    expect(stale.entries).toHaveLength(0);
    expect(stale.nextCursor).toBe(1100);
    // The resync path: conversation list, then recent history pages.
    const list = body(await b.request({ case: 'listConversations', value: {} }), 'conversationList');
    expect(list.conversations[0]!.lastSeq).toBe(1100);
    const recent = body(await b.request({ case: 'history', value: { conversationId: conv } }), 'historyResult');
    expect(recent.messages[0]!.seq).toBe(1100);
    const fresh = body(await b.request({ case: 'sync', value: { cursor: 1050, limit: 100 } }), 'syncResult');
    expect(fresh.resyncRequired).toBe(false);
    expect(fresh.entries).toHaveLength(50);
    a.close();
    b.close();
  });
});
