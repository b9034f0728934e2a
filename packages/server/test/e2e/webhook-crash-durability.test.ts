import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/devtools/free-port.js';
import { device, register, text } from '../support/raw-client.js';
import { spawnNode } from '../support/process-node.js';
import { tempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const SECRET = 'whsec-crash-0123456789abcdef';

/**
 * Issue 16: a message's `message.sent` event commits in the message's own
 * transaction. The webhook receiver is down while a send stream runs; the
 * server is SIGKILLed right after a batch of acks (sends still in flight),
 * then restarted with the receiver up. Every stored message — every acked
 * one among them — must reach the receiver exactly once, and no event may
 * name a message that is not stored.
 */
describe('after-send webhook events across kill -9 (real process)', () => {
  const dir = tempDir();
  let receiver: WebhookReceiver | null = null;
  afterAll(async () => {
    await receiver?.stop();
    dir.remove();
  });

  it('delivers the event of every acked message exactly once after a SIGKILL with the receiver down', async () => {
    receiver = new WebhookReceiver(SECRET, await freePort());
    // Not started yet: every delivery attempt before the crash is refused.
    const env = {
      XINBOX_DATA_DIR: dir.path, XINBOX_WEBHOOK_URL: receiver.url, XINBOX_WEBHOOK_SECRET: SECRET, XINBOX_WEBHOOK_EVENTS: 'message.sent',
      XINBOX_WEBHOOK_RETRY_BASE_MS: '100', XINBOX_WEBHOOK_RETRY_MAX_MS: '500',
    };
    let node = await spawnNode(env);
    const alice = await register(node.httpUrl, 'wa');
    const bob = await register(node.httpUrl, 'wb');
    const a = await device(node, alice, 'a');
    const open = await a.request({ case: 'openDirect', value: { userId: bob.userId } });
    const conv = open.body.case === 'conversationInfo' ? open.body.value.conversation!.conversationId : '';

    const acked = new Map<string, string>();
    const total = 2000;
    let sent = 0;
    const pump = (async () => {
      while (sent < total) {
        const batch = [];
        for (let i = 0; i < 50 && sent < total; i++, sent++) {
          const id = `w-${sent}`;
          batch.push(a.request({ case: 'send', value: { conversationId: conv, clientMsgId: id, content: text(id) } }, 5000)
            .then((f) => { if (f.body.case === 'sendAck') acked.set(id, f.body.value.messageId); })
            .catch(() => undefined));
        }
        await Promise.all(batch);
        if (a.closeCode !== null) return;
      }
    })();
    while (acked.size < 600) await new Promise((r) => setImmediate(r));
    await node.kill('SIGKILL');
    await pump;
    expect(acked.size).toBeLessThan(total);

    await receiver.start();
    node = await spawnNode(env);
    try {
      // What the restarted server stores (acked messages and any committed whose ack the crash cut off).
      const b = await device(node, bob, 'b');
      const stored = new Set<string>();
      for (let cursor = 0; ;) {
        const r = await b.request({ case: 'sync', value: { cursor, limit: 500 } });
        if (r.body.case !== 'syncResult') throw new Error(r.body.case);
        for (const e of r.body.value.entries) stored.add(e.message!.id);
        cursor = r.body.value.nextCursor;
        if (!r.body.value.hasMore) break;
      }
      for (const id of acked.values()) expect(stored.has(id)).toBe(true);

      const delivered = () => receiver!.ofType('message.sent').map((e) => e.data.messageId as string);
      await waitFor('every stored message delivered', () => new Set(delivered()).size >= stored.size, 30_000);
      // Settle: a late repeat would show up here.
      await new Promise((r) => setTimeout(r, 500));
      const ids = delivered();
      expect(receiver.requests.every((r) => r.verified)).toBe(true);
      expect(ids.length).toBe(new Set(ids).size);
      expect(new Set(ids)).toEqual(stored);
      const seqs = receiver.ofType('message.sent').map((e) => e.data.seq as number);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    } finally {
      await node.kill('SIGTERM');
    }
  }, 120_000);
});
