import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { device, register, text, type RawClient } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body } from '../support/frames.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

describe('fair send admission', () => {
  let node: Node;
  afterAll(async () => node.cleanup());
  beforeAll(async () => {
    // A small send queue so the flood overloads it; rate limits off so only fairness protects.
    node = await startTestNode({ maxSendBatch: 16, maxQueuedSends: 64, maxQueuedSendsPerUser: 24 });
  });

  it('a flooding user cannot get another user\'s Send refused', async () => {
    const [flooder, victim, peer] = await Promise.all([register(node.httpUrl, 'fl'), register(node.httpUrl, 'vi'), register(node.httpUrl, 'pe')]);
    const floods: RawClient[] = await Promise.all([0, 1, 2, 3].map((i) => device(node, flooder, `f${i}`)));
    const f0 = floods[0]!;
    const floodConv = body(await f0.request({ case: 'openDirect', value: { userId: peer.userId } }), 'conversationInfo').conversation!.conversationId;
    const v = await device(node, victim, 'v');
    const conv = body(await v.request({ case: 'openDirect', value: { userId: peer.userId } }), 'conversationInfo').conversation!.conversationId;

    let flooding = true;
    const refusedFlood: string[] = [];
    const flood = floods.map(async (c, d) => {
      for (let i = 0; flooding; i++) {
        const batch = await Promise.all(Array.from({ length: 64 }, (_, k) => c.request({ case: 'send', value: { conversationId: floodConv, clientMsgId: `f${d}-${i}-${k}`, content: text('flood') } }, 30_000)));
        for (const f of batch) if (f.body.case === 'error') refusedFlood.push(f.body.value.name);
      }
    });
    const victimResults: string[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await v.request({ case: 'send', value: { conversationId: conv, clientMsgId: `v-${i}`, content: text(`v${i}`) } }, 30_000);
      victimResults.push(r.body.case === 'error' ? r.body.value.name : r.body.case!);
    }
    flooding = false;
    await Promise.all(flood);
    expect(victimResults).toEqual(Array.from({ length: 30 }, () => 'sendAck'));
    // The flood did overload the queue: the flooder (only) was turned away, with a retryable error.
    expect(refusedFlood.length).toBeGreaterThan(0);
    expect(new Set(refusedFlood)).toEqual(new Set(refusedFlood.filter((n) => n === 'RATE_LIMITED' || n === 'UNAVAILABLE')));
    for (const c of floods) c.close();
    v.close();
  }, 60_000);
});
