/**
 * The before-send webhook against a real HTTP receiver: reject and rewrite,
 * order kept per sender while checks answer out of order, a slow check not
 * holding up another user's sends, and the fail-open / fail-closed setting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Errors } from '@xinbox/protocol';
import { freePort } from '../../src/devtools/free-port.js';
import { body, errorCode } from '../support/frames.js';
import { device, register, text, type Account } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

const SECRET = 'before-send-secret-0123456789';
type Node = Awaited<ReturnType<typeof startTestNode>>;

interface BeforeSend {
  data: { senderId: string; conversationId: string; clientMsgId: string; content: { text?: { text: string } } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('before-send webhook', () => {
  const nodes: Node[] = [];
  const receivers: WebhookReceiver[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.cleanup()));
    await Promise.all(receivers.splice(0).map((r) => r.stop()));
  });

  async function setup(onFailure: 'allow' | 'reject' = 'allow', timeoutMs = 5_000) {
    const hook = new WebhookReceiver(SECRET, await freePort());
    await hook.start();
    receivers.push(hook);
    const node = await startTestNode({ beforeSendUrl: hook.url, webhookSecret: SECRET, beforeSendTimeoutMs: timeoutMs, beforeSendOnFailure: onFailure });
    nodes.push(node);
    const [alice, bob] = await Promise.all([register(node.httpUrl, 'alice'), register(node.httpUrl, 'bob')]);
    const a = await device(node, alice, 'a');
    const b = await device(node, bob, 'b');
    const conv = body(await a.request({ case: 'openDirect', value: { userId: bob.userId } }), 'conversationInfo').conversation!.conversationId;
    return { hook, node, alice: alice as Account, bob, a, b, conv };
  }

  it('rejects and rewrites as the hook answers, and signs every call', async () => {
    const { hook, a, b, conv, alice } = await setup();
    hook.answer = (_req, json) => {
      const t = (json as unknown as BeforeSend).data.content.text?.text ?? '';
      if (t.includes('forbidden')) return { status: 200, body: { action: 'reject', reason: 'contains a forbidden word' } };
      if (t.includes('rewrite')) return { status: 200, body: { action: 'rewrite', content: { text: { text: t.replace('rewrite me', '*** rewritten ***') } } } };
      if (t === 'no content') return { status: 204 };
      return { status: 200, body: { action: 'allow' } };
    };
    const rejected = await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'r1', content: text('this is forbidden') } });
    expect(errorCode(rejected)).toBe(Errors.MESSAGE_REJECTED.code);
    expect(rejected.body.case === 'error' && rejected.body.value.message).toContain('forbidden word');
    const rewritten = body(await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'r2', content: text('please rewrite me') } }), 'sendAck');
    const allowed = body(await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'r3', content: text('fine') } }), 'sendAck');
    const allowed204 = body(await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'r4', content: text('no content') } }), 'sendAck');
    expect([rewritten.seq, allowed.seq, allowed204.seq]).toEqual([1, 2, 3]);
    await b.waitForPushes(3, conv);
    const texts = b.pushes(conv).map((p) => (body(p, 'push').message!.content!.kind.value as { text: string }).text);
    expect(texts).toEqual(['please *** rewritten ***', 'fine', 'no content']);
    const hist = body(await b.request({ case: 'history', value: { conversationId: conv } }), 'historyResult');
    expect(hist.messages.map((m) => m.clientMsgId).sort()).toEqual(['r2', 'r3', 'r4']);
    expect(hook.requests).toHaveLength(4);
    expect(hook.requests.every((r) => r.verified)).toBe(true);
    const call = JSON.parse(hook.requests[0]!.body) as BeforeSend & { type: string };
    expect(call.type).toBe('message.before_send');
    expect(call.data).toMatchObject({ senderId: alice.userId, conversationId: conv, clientMsgId: 'r1' });
  });

  it('refuses a rewrite into invalid content like a failing hook (fail closed)', async () => {
    const { hook, a, conv } = await setup('reject');
    hook.answer = () => ({ status: 200, body: { action: 'rewrite', content: { system: { kind: 'forged', text: 'x' } } } });
    const r = await a.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'bad', content: text('x') } });
    expect(errorCode(r)).toBe(Errors.UNAVAILABLE.code);
  });

  it('keeps one sender\'s order while the hook answers out of order, and a slow check does not hold up another user', async () => {
    const { hook, node, a, b, conv, bob } = await setup();
    hook.answer = async (_req, json) => {
      const d = (json as unknown as BeforeSend).data;
      if (d.content.text?.text === 'slow') await sleep(2_500);
      else if (d.senderId !== bob.userId) await sleep(Math.floor(Math.random() * 40));
      return { status: 200, body: { action: 'allow' } };
    };
    const sends = Array.from({ length: 20 }, (_, i) => a.request({ case: 'send', value: { conversationId: conv, clientMsgId: `o${i}`, content: text(`o${i}`) } }));
    const acks = (await Promise.all(sends)).map((f) => body(f, 'sendAck'));
    expect(acks.map((x) => x.seq)).toEqual(acks.map((_, i) => i + 1));

    // Carol's message waits 2.5 s for its check; Bob's, sent after it, is committed first.
    const carol = await register(node.httpUrl, 'carol');
    const c = await device(node, carol, 'c');
    const convC = body(await c.request({ case: 'openDirect', value: { userId: bob.userId } }), 'conversationInfo').conversation!.conversationId;
    const order: string[] = [];
    const slow = c.request({ case: 'send', value: { conversationId: convC, clientMsgId: 's', content: text('slow') } }).then(() => order.push('carol'));
    await sleep(50);
    const fast = b.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'f', content: text('fast') } }).then(() => order.push('bob'));
    await Promise.all([slow, fast]);
    expect(order).toEqual(['bob', 'carol']);
  });

  it('fails open or closed when the hook times out or errors, as configured', async () => {
    const open = await setup('allow', 1_000);
    open.hook.answer = async () => {
      await sleep(3_000);
      return { status: 200, body: { action: 'reject' } };
    };
    const passed = await open.a.request({ case: 'send', value: { conversationId: open.conv, clientMsgId: 't1', content: text('late') } });
    expect(passed.body.case).toBe('sendAck');

    const closed = await setup('reject', 1_000);
    closed.hook.answer = async () => {
      await sleep(3_000);
      return { status: 200, body: { action: 'allow' } };
    };
    const refused = await closed.a.request({ case: 'send', value: { conversationId: closed.conv, clientMsgId: 't2', content: text('late') } });
    expect(errorCode(refused)).toBe(Errors.UNAVAILABLE.code);
    closed.hook.answer = () => ({ status: 500, body: { oops: true } });
    const refused500 = await closed.a.request({ case: 'send', value: { conversationId: closed.conv, clientMsgId: 't3', content: text('x') } });
    expect(errorCode(refused500)).toBe(Errors.UNAVAILABLE.code);
    // The retry with the same client id goes through once the hook answers again.
    closed.hook.answer = () => ({ status: 200, body: { action: 'allow' } });
    const retried = await closed.a.request({ case: 'send', value: { conversationId: closed.conv, clientMsgId: 't3', content: text('x') } });
    expect(body(retried, 'sendAck').seq).toBe(1);
  });
});
