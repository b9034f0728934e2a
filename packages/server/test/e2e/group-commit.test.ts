import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { device, register, text } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body } from '../support/frames.js';
import { adminGet } from '../support/admin.js';
import { parsePrometheusText } from '../support/prom-text.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

async function batches(node: Node): Promise<{ count: number; sends: number }> {
  const families = parsePrometheusText(await (await adminGet(node.httpUrl, '/metrics')).text());
  // No sample yet before the first commit.
  const value = (name: string): number => [...families.values()].flatMap((f) => f.samples).find((s) => s.name === name)?.value ?? 0;
  return { count: value('xinbox_commit_batch_sends_count'), sends: value('xinbox_commit_batch_sends_sum') };
}

describe('group commit (commitIntervalMs)', () => {
  let node: Node;
  afterAll(async () => node.cleanup());
  // Long enough that every send below arrives inside one interval even on a loaded machine.
  beforeAll(async () => {
    node = await startTestNode({ commitIntervalMs: 100 });
  });

  it('sends arriving while a commit is paced share the next transaction, in order, each acked once', async () => {
    const [alice, bob] = await Promise.all([register(node.httpUrl, 'gc-a'), register(node.httpUrl, 'gc-b')]);
    const a = await device(node, alice, 'a');
    const conv = body(await a.request({ case: 'openDirect', value: { userId: bob.userId } }), 'conversationInfo').conversation!.conversationId;
    const before = await batches(node);
    // The first send starts a commit at once; the next ten arrive one by one, a few ms apart (each would
    // be its own transaction without pacing), all before the interval ends.
    const sent = [a.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'gc-0', content: text('m0') } })];
    for (let i = 1; i <= 10; i++) {
      await new Promise((r) => setTimeout(r, 2));
      sent.push(a.request({ case: 'send', value: { conversationId: conv, clientMsgId: `gc-${i}`, content: text(`m${i}`) } }));
    }
    const acks = (await Promise.all(sent)).map((f) => body(f, 'sendAck'));
    expect(acks.map((k) => Number(k.seq))).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
    const after = await batches(node);
    expect(after.sends - before.sends).toBe(11);
    // Unpaced, each send here is its own transaction (11); paced, the first commits alone and the rest
    // share the next one (a heavily loaded machine stretching the 2-ms gaps may split them further).
    expect(after.count - before.count).toBeLessThanOrEqual(4);
    a.close();
  }, 30_000);
});
