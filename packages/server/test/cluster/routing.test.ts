import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCodes } from '@xinbox/protocol';
import { device, register, text, type Account, type RawClient } from '../support/raw-client.js';
import { ClusterHarness } from '../support/cluster-harness.js';
import { body } from '../support/frames.js';
import { adminGet } from '../support/admin.js';

async function openDirect(c: RawClient, peer: Account): Promise<string> {
  return body(await c.request({ case: 'openDirect', value: { userId: peer.userId } }), 'conversationInfo').conversation!.conversationId;
}

describe('cluster routing (in-process harness: 2 gateways, 2 logic nodes, 1 access node)', () => {
  const h = new ClusterHarness();
  let alice: Account;
  let bob: Account;

  beforeAll(async () => {
    const small = { largeGroupThreshold: 3 };
    await h.start('logic-1', ['logic'], small);
    await h.start('logic-2', ['logic'], small);
    await h.start('gw-1', ['gateway', 'api'], small);
    await h.start('gw-2', ['gateway', 'api'], small);
    await h.start('access-1', ['access'], small);
    [alice, bob] = await Promise.all([register(h.node('gw-1').httpUrl, 'ca'), register(h.node('gw-2').httpUrl, 'cb')]);
  });
  afterAll(async () => h.close());

  it('routes sends to the owner and pushes across gateways, in order, to every device', async () => {
    const a = await device(h.node('gw-1'), alice, 'a1');
    const b1 = await device(h.node('gw-2'), bob, 'b1');
    const b2 = await device(h.node('gw-1'), bob, 'b2');
    const conv = await openDirect(a, bob);
    const acks = [];
    for (let i = 0; i < 50; i++) acks.push(a.request({ case: 'send', value: { conversationId: conv, clientMsgId: `x${i}`, content: text(`m${i}`) } }));
    const seqs = (await Promise.all(acks)).map((f) => body(f, 'sendAck').seq);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    for (const c of [b1, b2]) {
      const pushes = await c.waitForPushes(50, conv);
      expect(pushes.map((p) => body(p, 'push').message!.seq)).toEqual(seqs);
    }
    const hist = body(await b1.request({ case: 'history', value: { conversationId: conv } }), 'historyResult');
    expect(hist.messages[0]!.seq).toBe(50);
    // The gateways executed nothing themselves: every request crossed to a logic node.
    const metrics = async (id: string) => (await (await adminGet(h.node(id).httpUrl, '/v1/metrics')).json()) as { forwardedRequests: number; executedRequests: number; logicNodes: string[] };
    const gw = await metrics('gw-1');
    expect(gw.forwardedRequests).toBeGreaterThanOrEqual(51);
    expect(gw.logicNodes).toEqual(['logic-1', 'logic-2']);
    for (const c of [a, b1, b2]) c.close();
  });

  it('reaches a read-fan-out group audience on both gateways once each', async () => {
    const members = await Promise.all(Array.from({ length: 4 }, () => register(h.node('gw-1').httpUrl, 'cg')));
    const owner = await device(h.node('gw-1'), members[0]!, 'o');
    const created = body(await owner.request({ case: 'groupCreate', value: { name: 'big', memberIds: members.slice(1).map((m) => m.userId) } }), 'groupInfo');
    const conv = created.group!.conversationId;
    expect(created.group!.large).toBe(true); // 4 members > threshold 3: read fan-out
    const c1 = await device(h.node('gw-1'), members[1]!, 'm1');
    const c2 = await device(h.node('gw-2'), members[2]!, 'm2');
    body(await owner.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'g1', content: text('hello all') } }), 'sendAck');
    for (const c of [c1, c2]) {
      const [push] = await c.waitForPushes(1, conv);
      expect(body(push!, 'push').syncSeq).toBe(0); // not a timeline write: delivered to the audience
    }
    await new Promise((r) => setTimeout(r, 200));
    for (const c of [c1, c2]) expect(c.pushes(conv)).toHaveLength(1); // once per device, not once per gateway
    for (const c of [owner, c1, c2]) c.close();
  });

  it('kicks the stale connection of a device that reconnects through another gateway', async () => {
    const first = await device(h.node('gw-1'), alice, 'roamer');
    const second = await device(h.node('gw-2'), alice, 'roamer');
    expect(await first.waitClosed()).toBe(CloseCodes.REPLACED.code);
    expect((await second.request({ case: 'ping', value: {} })).body.case).toBe('pong');
    second.close();
  });

  it('lists every gateway in the access service, best first', async () => {
    const res = await fetch(`${h.node('access-1').httpUrl}/v1/access?room=r1`);
    const json = (await res.json()) as { endpoints: Array<{ nodeId: string; ws: string; weight: number }> };
    expect(json.endpoints.map((e) => e.nodeId).sort()).toEqual(['gw-1', 'gw-2']);
    // Best first. With two gateways both are the room's pinned pair, so their order follows load, which moves
    // between calls on a busy machine; pinning itself is tested over eight gateways in router/access-service.test.ts.
    const weights = json.endpoints.map((e) => e.weight);
    expect(weights).toEqual([...weights].sort((a, b) => b - a));
  });

  it('moves conversations to the survivor when a logic node leaves, without forking a sequence', async () => {
    const a = await device(h.node('gw-1'), alice, 'a-fail');
    const b = await device(h.node('gw-2'), bob, 'b-fail');
    const conv = await openDirect(a, bob);
    const send = (id: string) => a.request({ case: 'send', value: { conversationId: conv, clientMsgId: id, content: text(id) } });
    const before = body(await send('before'), 'sendAck').seq;
    await h.stop('logic-1');
    await h.stop('logic-2');
    await h.start('logic-3', ['logic']);
    // Retries with the same client id are what an SDK does on UNAVAILABLE.
    let ack;
    for (let i = 0; i < 50; i++) {
      const f = await send('after');
      if (f.body.case === 'sendAck') {
        ack = f.body.value;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(ack!.seq).toBe(before + 1);
    const dup = body(await send('after'), 'sendAck');
    expect(dup.duplicate).toBe(true);
    await b.waitFor((f) => f.body.case === 'push' && body(f, 'push').message!.clientMsgId === 'after');
    a.close();
    b.close();
  });
});

describe('draining a gateway', () => {
  const h = new ClusterHarness();
  afterAll(async () => h.close());

  it('stops accepting, tells clients to reconnect elsewhere (4008), and leaves the access list', async () => {
    await h.start('logic-d', ['logic']);
    await h.start('gw-keep', ['gateway', 'api', 'access']);
    const leaving = await h.start('gw-leave', ['gateway', 'api']);
    const user = await register(leaving.httpUrl, 'dr');
    const c = await device(leaving, user, 'd');
    const listed = async () => ((await (await fetch(`${h.node('gw-keep').httpUrl}/v1/access`)).json()) as { endpoints: Array<{ nodeId: string }> }).endpoints.map((e) => e.nodeId);
    expect(await listed()).toContain('gw-leave');
    await leaving.drain(5_000);
    h.nodes.delete('gw-leave');
    expect(await c.waitClosed()).toBe(CloseCodes.DRAINING.code);
    expect(await listed()).not.toContain('gw-leave');
  });
});
