/**
 * Webhook delivery end to end, with real HTTP: a receiver that is down for
 * 30 seconds (and a node restart in the middle of it) still gets every
 * event exactly once, in order per conversation, with valid signatures.
 * Backoff settings are small so the test does not wait minutes after the
 * receiver comes back; the downtime is real.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startXinbox, type XinboxNode } from '../../src/index.js';
import { freePort } from '../../src/devtools/free-port.js';
import { body } from '../support/frames.js';
import { device, register, text, type RawClient } from '../support/raw-client.js';
import { tempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { adminGet, TEST_ADMIN_TOKEN } from '../support/admin.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const SECRET = 'whsec-test-0123456789abcdef';
const DOWNTIME_MS = 30_000;

describe('webhook delivery from the durable outbox', () => {
  const dir = tempDir();
  let node: XinboxNode | null = null;
  let receiver: WebhookReceiver;
  afterAll(async () => {
    await node?.stop();
    await receiver?.stop();
    dir.remove();
  });

  const start = async (url: string) => startXinbox({
    host: '127.0.0.1', port: 0, tcpPort: -1, dataDir: dir.path, logLevel: 'silent', scryptCost: 4, adminToken: TEST_ADMIN_TOKEN,
    webhookUrl: url, webhookSecret: SECRET, webhookBatchSize: 7, webhookRetryBaseMs: 100, webhookRetryMaxMs: 1_000,
  });

  it('delivers every event once, in order per conversation, after 30 s of receiver downtime and a node restart', async () => {
    receiver = new WebhookReceiver(SECRET, await freePort());
    await receiver.start();
    node = await start(receiver.url);
    const [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((n) => register(node!.httpUrl, n)));
    let a = await device(node, alice!, 'a1');
    const direct1 = body(await a.request({ case: 'openDirect', value: { userId: bob!.userId } }), 'conversationInfo').conversation!.conversationId;
    const direct2 = body(await a.request({ case: 'openDirect', value: { userId: carol!.userId } }), 'conversationInfo').conversation!.conversationId;
    const group = body(await a.request({ case: 'groupCreate', value: { name: 'hooks', memberIds: [bob!.userId, carol!.userId] } }), 'groupInfo').group!.conversationId;
    const conversations = [direct1, direct2, group];
    const acked: string[] = [];
    let n = 0;
    const sendRound = async (c: RawClient) => {
      for (const conv of conversations) {
        const ack = body(await c.request({ case: 'send', value: { conversationId: conv, clientMsgId: `m${n++}`, content: text(`hello ${n}`) } }), 'sendAck');
        acked.push(ack.messageId);
      }
    };

    for (let i = 0; i < 5; i++) await sendRound(a);
    await waitFor('first events delivered', () => receiver.ofType('message.sent').length >= 15);

    // Down: connections refused for DOWNTIME_MS while messages keep coming.
    await receiver.stop();
    const downAt = Date.now();
    for (let i = 0; i < 10; i++) {
      await sendRound(a);
      await new Promise((r) => setTimeout(r, 500));
    }
    // Restart the node during the downtime: what waits in the outbox survives it.
    a.close();
    await node.stop();
    node = await start(receiver.url);
    a = await device(node, alice!, 'a2');
    for (let i = 0; i < 10; i++) {
      await sendRound(a);
      await new Promise((r) => setTimeout(r, 300));
    }
    await waitFor('the restarted node to fail at least once', async () => {
      const m = await (await adminGet(node!.httpUrl, '/v1/metrics')).json() as { webhooks: { failedAttempts: number } };
      return m.webhooks.failedAttempts > 0;
    });
    const left = DOWNTIME_MS - (Date.now() - downAt);
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    const receivedWhileDown = receiver.ofType('message.sent').length;
    expect(receivedWhileDown).toBe(15);

    await receiver.start();
    await waitFor('every message delivered', () => receiver.ofType('message.sent').length >= acked.length + 1, 20_000);
    // Settle: nothing more (no duplicate) arrives afterwards.
    await new Promise((r) => setTimeout(r, 500));

    expect(receiver.requests.every((r) => r.verified)).toBe(true);
    const ids = receiver.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    const sent = receiver.ofType('message.sent');
    const messageIds = sent.map((e) => e.data.messageId as string);
    expect(new Set(messageIds).size).toBe(messageIds.length);
    for (const id of acked) expect(messageIds).toContain(id);
    for (const conv of conversations) {
      const seqs = sent.filter((e) => e.data.conversationId === conv).map((e) => e.data.seq as number);
      // 1, 2, 3, ... in arrival order: nothing missing, duplicated or reordered.
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(sent.filter((e) => e.data.conversationId === conv).every((e) => e.orderKey === `conversation:${conv}`)).toBe(true);
    }
    expect(sent.length).toBe(acked.length + 1); // + the group's "created" notice
    expect(receiver.ofType('group.created')).toHaveLength(1);
    expect(receiver.ofType('group.created')[0]!.data).toMatchObject({ conversationId: group, actorId: alice!.userId });
    const first = sent.find((e) => e.data.messageId === acked[0])!;
    expect(first.data).toMatchObject({ conversationId: direct1, senderId: alice!.userId, content: { text: { text: 'hello 1' } } });
    a.close();
  }, 120_000);
});
