import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '@xinbox/protocol';
import { body } from '../support/frames.js';
import { device, register, text, type Account, type RawClient } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

const RETRY_MS = 150;
const RETRIES = 3;

/**
 * Read fan-out (large group) pushes carry no sync seq; they are acked by
 * message id (PushAck.messageIds) and, until then, retransmitted with the same
 * backoff and bounds as timeline pushes (seed 000 §8.4.1).
 */
describe('read fan-out pushes are retransmitted until acked by message id', () => {
  let node: Node;
  let owner: Account;
  let reader: Account;
  let other: Account;
  let conv: string;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    // Three members > threshold 2: the group uses read fan-out.
    node = await startTestNode({ largeGroupThreshold: 2, pushRetryBaseMs: RETRY_MS, pushRetries: RETRIES });
    [owner, reader, other] = await Promise.all([register(node.httpUrl, 'rfo'), register(node.httpUrl, 'rfr'), register(node.httpUrl, 'rfx')]);
    const o = await device(node, owner, 'o-phone');
    clients.push(o);
    const created = await o.request({ case: 'groupCreate', value: { name: 'big', memberIds: [reader.userId, other.userId] } });
    conv = body(created, 'groupInfo').group!.conversationId;
    expect(body(created, 'groupInfo').group!.large).toBe(true);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await node.cleanup();
  });

  const pushesOf = (c: RawClient, messageId: string): Frame[] =>
    c.pushes(conv).filter((f) => f.body.case === 'push' && f.body.value.message?.id === messageId);

  async function sendOne(id: string): Promise<string> {
    const ack = body(await clients[0]!.request({ case: 'send', value: { conversationId: conv, clientMsgId: id, content: text(id) } }), 'sendAck');
    return ack.messageId;
  }

  it('resends a push the client dropped, then stops once it acks the message id', async () => {
    const r = await device(node, reader, 'r-phone');
    clients.push(r);
    r.autoAck = false; // drops (does not ack) the first push
    const messageId = await sendOne('dropped-1');
    await waitFor('the first push', () => pushesOf(r, messageId).length >= 1);
    const firstAt = Date.now();
    await waitFor('a retransmission', () => pushesOf(r, messageId).length >= 2, 5_000);
    expect(Date.now() - firstAt).toBeGreaterThanOrEqual(RETRY_MS / 2);
    const [first, again] = pushesOf(r, messageId);
    expect(again!.body.value).toEqual(first!.body.value);
    expect(first!.body.case === 'push' && first!.body.value.syncSeq).toBe(0);

    r.send({ body: { case: 'pushAck', value: { messageIds: [messageId] } } });
    const count = pushesOf(r, messageId).length;
    // Longer than the whole backoff (150, 300, 600 ms): nothing more comes.
    await new Promise((res) => setTimeout(res, RETRY_MS * 2 ** (RETRIES + 1)));
    expect(pushesOf(r, messageId).length).toBe(count);
  });

  it('gives up after pushRetries retransmissions (the device pulls the gap)', async () => {
    const r = await device(node, reader, 'r-tablet');
    clients.push(r);
    r.autoAck = false;
    const messageId = await sendOne('never-acked-1');
    await waitFor('every retransmission', () => pushesOf(r, messageId).length >= 1 + RETRIES, 10_000);
    await new Promise((res) => setTimeout(res, RETRY_MS * 2 ** (RETRIES + 1)));
    expect(pushesOf(r, messageId)).toHaveLength(1 + RETRIES);
  });

  it('does not retransmit to a client that acks by message id (the SDK and raw clients do)', async () => {
    const x = await device(node, other, 'x-phone');
    clients.push(x);
    const messageId = await sendOne('acked-1');
    await waitFor('the push', () => pushesOf(x, messageId).length >= 1);
    await new Promise((res) => setTimeout(res, RETRY_MS * 4));
    expect(pushesOf(x, messageId)).toHaveLength(1);
  });
});
