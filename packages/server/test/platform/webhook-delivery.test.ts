/**
 * Webhook delivery end to end, with real HTTP: a receiver that is down for
 * 30 seconds (and a node restart in the middle of it) still gets every
 * event, in order per conversation, with valid signatures. Backoff settings
 * are small so the test does not wait minutes after the receiver comes back;
 * the downtime is real.
 *
 * The contract is at-least-once (docs/integration.md): when an exchange
 * fails after the receiver took the batch (its answer lost to a timeout or
 * a reset), the lane's head is posted again. So the test asserts that every event arrives, that first
 * arrivals are in order per conversation, and that a repeat is only ever a
 * whole batch posted again after a failed attempt, with the same event ids
 * and bytes, never a fresh copy of an event.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startXinbox, type XinboxNode } from '../../src/index.js';
import { freePort } from '../../src/devtools/free-port.js';
import { body } from '../support/frames.js';
import { device, register, text, type RawClient } from '../support/raw-client.js';
import { tempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { adminGet, TEST_ADMIN_TOKEN } from '../support/admin.js';
import { WebhookReceiver, type ReceivedEvent } from '../support/webhook-receiver.js';

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

  const failedAttempts = async (): Promise<number> =>
    ((await (await adminGet(node!.httpUrl, '/v1/metrics')).json()) as { webhooks: { failedAttempts: number } }).webhooks.failedAttempts;

  it('delivers every event at least once, in order per conversation, after 30 s of receiver downtime and a node restart', async () => {
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
    // 15 messages and the group's "created" notice (a system message): wait for all 16, or the
    // last one may still be on its way and land before the receiver stops (the old flake's "16 vs 15").
    await waitFor('first events delivered', () => uniqueSent(receiver).length >= 16);
    // Failed attempts of the first node before the downtime (the only cause of a repeat so far).
    const failedBeforeDowntime = await failedAttempts();

    // Down: connections refused for DOWNTIME_MS while messages keep coming.
    await receiver.stop();
    const receivedBeforeDowntime = receiver.requests.length;
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
    await waitFor('the restarted node to fail at least once', async () => (await failedAttempts()) > 0);
    const left = DOWNTIME_MS - (Date.now() - downAt);
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    // Nothing reached the receiver while it was down.
    expect(receiver.requests.length).toBe(receivedBeforeDowntime);
    expect(uniqueSent(receiver)).toHaveLength(16);

    await receiver.start();
    await waitFor('every message delivered', () => uniqueSent(receiver).length >= acked.length + 1, 20_000);
    // Settle: a late repeat would show up here and is checked below.
    await new Promise((r) => setTimeout(r, 500));

    expect(receiver.requests.every((r) => r.verified)).toBe(true);
    const repeats = expectWholeBatchRepeats(receiver);
    // Before the downtime nothing failed unless something was repeated: a repeat needs a failed attempt.
    if (repeats.beforeDowntime > 0) expect(failedBeforeDowntime).toBeGreaterThan(0);
    const sent = uniqueSent(receiver);
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
    expect(unique(receiver.ofType('group.created'))).toHaveLength(1);
    expect(receiver.ofType('group.created')[0]!.data).toMatchObject({ conversationId: group, actorId: alice!.userId });
    const first = sent.find((e) => e.data.messageId === acked[0])!;
    expect(first.data).toMatchObject({ conversationId: direct1, senderId: alice!.userId, content: { text: { text: 'hello 1' } } });
    a.close();

    function expectWholeBatchRepeats(r: WebhookReceiver): { beforeDowntime: number } {
      const seen = new Map<string, string>(); // event id -> its JSON at first arrival
      const batches: string[] = []; // each request's event ids, joined
      let beforeDowntime = 0;
      r.requests.forEach((req, i) => {
        const events = (JSON.parse(req.body) as { events: ReceivedEvent[] }).events;
        const repeated = events.filter((e) => seen.has(e.id));
        if (repeated.length > 0) {
          // The repeated events are the head of this batch and exactly an earlier batch: the lane's head posted again.
          expect(events.slice(0, repeated.length)).toEqual(repeated);
          expect(batches).toContain(repeated.map((e) => e.id).join());
          for (const e of repeated) expect(JSON.stringify(e)).toBe(seen.get(e.id));
          if (i < receivedBeforeDowntime) beforeDowntime++;
        }
        for (const e of events) if (!seen.has(e.id)) seen.set(e.id, JSON.stringify(e));
        batches.push(events.map((e) => e.id).join());
      });
      return { beforeDowntime };
    }
  }, 120_000);
});

/** Events by id, first arrival only (a receiver deduplicates by id, as docs/integration.md says). */
function unique(events: readonly ReceivedEvent[]): ReceivedEvent[] {
  const ids = new Set<string>();
  return events.filter((e) => !ids.has(e.id) && !!ids.add(e.id));
}

function uniqueSent(r: WebhookReceiver): ReceivedEvent[] {
  return unique(r.ofType('message.sent'));
}
