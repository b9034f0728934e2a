import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CloseCodes, SUBPROTOCOL_PROTO, encodeFrame, withLengthPrefix } from '@xinbox/protocol';
import { device, login, register, text } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body } from '../support/frames.js';
import { adminGet } from '../support/admin.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

async function connections(node: Node): Promise<number> {
  return ((await (await adminGet(node.httpUrl, '/v1/metrics')).json()) as { connections: number }).connections;
}

describe('slow consumers', () => {
  let node: Node;
  beforeAll(async () => {
    node = await startTestNode({ maxOutboundBytes: 64 * 1024 });
  });
  afterAll(async () => node.cleanup());

  it('disconnects a consumer that stops reading (4005) instead of growing memory', async () => {
    const [alice, bob] = await Promise.all([register(node.httpUrl, 'sa'), register(node.httpUrl, 'sb')]);
    const a = await device(node, alice, 'a');
    const conv = body(await a.request({ case: 'openDirect', value: { userId: bob.userId } }), 'conversationInfo').conversation!.conversationId;
    const l = await login(node.httpUrl, bob, 'slow');
    const slow = new WebSocket(node.wsUrl, SUBPROTOCOL_PROTO);
    await new Promise((r) => slow.once('open', r));
    slow.send(withLengthPrefix(encodeFrame({ id: 1, body: { case: 'auth', value: { token: l.accessToken } } })));
    await new Promise((r) => slow.once('message', r));
    // Stop reading: the kernel buffers fill, then the server's bounded queue overflows.
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();
    const closed = new Promise<number>((r) => slow.once('close', (code) => r(code)));
    const before = await connections(node);
    const big = 'x'.repeat(15_000);
    for (let i = 0; i < 1000 && (await connections(node)) === before; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, k) => a.request({ case: 'send', value: { conversationId: conv, clientMsgId: `big${i + k}`, content: text(big) } })));
    }
    expect(await connections(node)).toBe(before - 1);
    // Reading again, the client finds the close code behind what the kernel had buffered.
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await closed).toBe(CloseCodes.SLOW_CONSUMER.code);
    // Every message is still stored: the slow device recovers by sync.
    const b = await device(node, bob, 'recover');
    const hist = body(await b.request({ case: 'history', value: { conversationId: conv, limit: 1 } }), 'historyResult');
    expect(hist.messages[0]!.clientMsgId.startsWith('big')).toBe(true);
    a.close();
    b.close();
    slow.terminate();
  });

});

describe('heartbeats', () => {
  let node: Node;
  beforeAll(async () => {
    node = await startTestNode({ pingIntervalMs: 200, heartbeatTimeoutMs: 800 });
  });
  afterAll(async () => node.cleanup());

  it('closes a silent connection at the heartbeat timeout (4004) and marks the device offline', async () => {
    const [carol, dave] = await Promise.all([register(node.httpUrl, 'hc'), register(node.httpUrl, 'hd')]);
    const d = await device(node, dave, 'd');
    body(await d.request({ case: 'openDirect', value: { userId: carol.userId } }), 'conversationInfo');
    const keepAlive = setInterval(() => d.send({ body: { case: 'ping', value: {} } }), 150);
    const c = await device(node, carol, 'silent');
    body(await d.request({ case: 'presenceSubscribe', value: { userIds: [carol.userId] } }), 'ok');
    expect(await c.waitClosed(5_000)).toBe(CloseCodes.HEARTBEAT_TIMEOUT.code);
    const update = await d.waitFor((f) => f.body.case === 'presenceUpdate' && !body(f, 'presenceUpdate').user!.online, 5_000);
    expect(body(update, 'presenceUpdate').user!.userId).toBe(carol.userId);
    clearInterval(keepAlive);
    d.close();
  });

  it('does not time out a live client because the server itself was stalled', async () => {
    const erin = await register(node.httpUrl, 'he');
    const e = await device(node, erin, 'e');
    const keepAlive = setInterval(() => e.send({ body: { case: 'ping', value: {} } }), 100);
    // Block this event loop (the node runs in this process) for about twice the heartbeat timeout: the
    // client's pings cannot be read meanwhile, so on the late sweep tick silence is not evidence.
    const until = performance.now() + 1_600;
    while (performance.now() < until) {
      // busy: a long GC pause or an overloaded machine looks like this to the server
    }
    await new Promise((r) => setTimeout(r, 1_000));
    expect(e.closeCode).toBeNull();
    body(await e.request({ case: 'ping', value: {} }), 'pong');
    clearInterval(keepAlive);
    e.close();
  });
});
