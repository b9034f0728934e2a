import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameStreamDecoder, decodeFrame, encodeFrame, withLengthPrefix, type Frame } from '@xinbox/protocol';
import { device, login, register, text } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body } from '../support/frames.js';
import { adminGet } from '../support/admin.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;
interface FlowMetrics { pausedNow: number; pauses: number; inFlightPeak: number; heldPeak: number; requests: number }

const LIMIT = 4;

async function flow(node: Node): Promise<FlowMetrics> {
  return ((await (await adminGet(node.httpUrl, '/v1/metrics')).json()) as { flow: FlowMetrics }).flow;
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

describe('per-connection flow control', () => {
  let node: Node;
  let conv: string;
  let bob: Awaited<ReturnType<typeof register>>;

  beforeAll(async () => {
    node = await startTestNode({ maxInFlightPerConnection: LIMIT, outboundHighWaterBytes: 64 * 1024 });
    const alice = await register(node.httpUrl, 'fc');
    bob = await register(node.httpUrl, 'fcb');
    const a = await device(node, alice, 'a');
    conv = body(await a.request({ case: 'openDirect', value: { userId: bob.userId } }), 'conversationInfo').conversation!.conversationId;
    await Promise.all(Array.from({ length: 20 }, (_, k) => a.request({ case: 'send', value: { conversationId: conv, clientMsgId: `m${k}`, content: text('y'.repeat(1000)) } })));
    a.close();
  });
  afterAll(async () => node.cleanup());

  it('stops reading a client that pipelines without reading, never exceeds the in-flight limit, then answers everything in order', async () => {
    const l = await login(node.httpUrl, bob, 'pipeliner');
    const socket: Socket = connect({ port: node.tcpPort, host: '127.0.0.1' });
    await new Promise((r) => socket.once('connect', r));
    const decoder = new FrameStreamDecoder(1 << 24);
    const got: Frame[] = [];
    socket.on('data', (chunk) => {
      for (const b of decoder.push(chunk)) got.push(decodeFrame(b));
    });
    socket.write(withLengthPrefix(encodeFrame({ id: 1, body: { case: 'auth', value: { token: l.accessToken } } })));
    await until(async () => got.length > 0);
    expect(got[0]!.body.case).toBe('authOk');
    socket.pause(); // stop reading

    // ~5 KB per reply: N of them is tens of MB if the server kept reading.
    const N = 6000;
    const frames = Array.from({ length: N }, (_, i) => withLengthPrefix(encodeFrame({ id: i + 2, body: { case: 'history', value: { conversationId: conv, limit: 4 } } })));
    const all = Buffer.concat(frames);
    socket.write(all);

    await until(async () => (await flow(node)).pausedNow >= 1);
    const rssBefore = process.memoryUsage.rss();
    // Paused, the server stays paused: our writes back up in our own socket.
    await new Promise((r) => setTimeout(r, 300));
    const paused = await flow(node);
    expect(paused.pausedNow).toBeGreaterThanOrEqual(1);
    expect(paused.pauses).toBeGreaterThanOrEqual(1);
    expect(paused.inFlightPeak).toBeLessThanOrEqual(LIMIT);
    // Replies go on into the kernel's socket buffers (which autotune upwards slowly); beyond
    // those nothing more is read or run while the client does not read: no growing
    // read-but-unanswered queue, whatever N is.
    await new Promise((r) => setTimeout(r, 1_500));
    const still = await flow(node);
    expect(still.requests).toBeLessThan(N / 2);
    expect(still.pausedNow).toBeGreaterThanOrEqual(1);
    expect(still.inFlightPeak).toBeLessThanOrEqual(LIMIT);
    // Memory bounded: the same process holds the server, nowhere near N replies (~30 MB).
    expect(process.memoryUsage.rss() - rssBefore).toBeLessThan(30 * 1024 * 1024);

    // Read again: every request is answered, in the order sent.
    socket.resume();
    await until(async () => got.length >= N + 1, 120_000);
    const ids = got.slice(1).map((f) => f.id);
    expect(ids).toEqual(Array.from({ length: N }, (_, i) => i + 2));
    for (const f of got.slice(1)) expect(body(f, 'historyResult').messages.length).toBe(4);
    const after = await flow(node);
    expect(after.inFlightPeak).toBeLessThanOrEqual(LIMIT);
    expect(after.pausedNow).toBe(0);
    socket.end();
  }, 180_000);

  it('keeps serving others while one connection is paused', async () => {
    const other = await device(node, bob, 'other');
    expect((await other.request({ case: 'ping', value: {} })).body.case).toBe('pong');
    expect(body(await other.request({ case: 'history', value: { conversationId: conv, limit: 5 } }), 'historyResult').messages.length).toBe(5);
    other.close();
  });
});
