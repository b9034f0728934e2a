import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireServices } from '../support/services.js';
import { LocalCluster } from '../support/local-cluster.js';
import { device, login, register, RawClient, text, type Account } from '../support/raw-client.js';
import { body } from '../support/frames.js';

requireServices('postgres', 'redis');

/** Send with retries and the same client id, as the SDK does; resolves with the ack's seq. */
async function sendReliably(connect: () => Promise<RawClient>, state: { c: RawClient }, conv: string, id: string): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      if (state.c.closeCode !== null) state.c = await connect();
      const f = await state.c.request({ case: 'send', value: { conversationId: conv, clientMsgId: id, content: text(id) } }, 6_000);
      if (f.body.case === 'sendAck') return f.body.value.seq;
    } catch {
      // timed out or connection lost: retry
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`send ${id} never succeeded`);
}

async function syncAll(c: RawClient, conv: string): Promise<number[]> {
  const seqs: number[] = [];
  let cursor = 0;
  for (;;) {
    // Right after a Redis restart a gateway may not see a logic node yet: retry UNAVAILABLE, as the SDK does.
    let reply = await c.request({ case: 'sync', value: { cursor, limit: 500 } });
    for (let i = 0; i < 50 && reply.body.case === 'error' && reply.body.value.retryable; i++) {
      await new Promise((r) => setTimeout(r, 100));
      reply = await c.request({ case: 'sync', value: { cursor, limit: 500 } });
    }
    const page = body(reply, 'syncResult');
    for (const e of page.entries) if (e.message!.conversationId === conv) seqs.push(e.message!.seq);
    cursor = page.nextCursor;
    if (!page.hasMore) return seqs;
  }
}

describe('failover with real processes on Redis + PostgreSQL', () => {
  const cluster = new LocalCluster();
  let alice: Account;
  let bob: Account;
  let conv: string;

  beforeAll(async () => {
    await cluster.startServices();
    await Promise.all([
      cluster.start({ id: 'logic-1', roles: 'logic' }),
      cluster.start({ id: 'logic-2', roles: 'logic' }),
      cluster.start({ id: 'gw-1', roles: 'gateway,api,access' }),
      cluster.start({ id: 'gw-2', roles: 'gateway,api,access' }),
    ]);
    alice = await register(cluster.node('gw-1').httpUrl, 'fa');
    bob = await register(cluster.node('gw-1').httpUrl, 'fb');
    const a = await device(cluster.node('gw-1'), alice, 'setup');
    conv = body(await a.request({ case: 'openDirect', value: { userId: bob.userId } }), 'conversationInfo').conversation!.conversationId;
    a.close();
  }, 120_000);
  afterAll(async () => cluster.stop(), 60_000);

  it('a killed gateway\'s clients reconnect to another one and catch up with no loss and no duplicate', async () => {
    const connectAlice = () => device(cluster.node('gw-1'), alice, 'a-gw');
    const a = { c: await connectAlice() };
    const bobLogin = await login(cluster.node('gw-2').httpUrl, bob, 'b-gw');
    let b = await RawClient.ws(cluster.node('gw-2').wsUrl);
    body(await b.request({ case: 'auth', value: { token: bobLogin.accessToken } }), 'authOk');
    const seen = new Map<number, number>();
    const count = (c: RawClient) => c.pushes(conv).forEach((p) => seen.set(body(p, 'push').message!.seq, (seen.get(body(p, 'push').message!.seq) ?? 0) + 1));
    const sent: number[] = [];
    for (let i = 0; i < 40; i++) sent.push(await sendReliably(connectAlice, a, conv, `gw-${i}`));
    await b.waitForPushes(40, conv);
    await cluster.kill('gw-2');
    const cursor = Math.max(...b.pushes().map((p) => body(p, 'push').syncSeq));
    count(b);
    for (let i = 40; i < 80; i++) sent.push(await sendReliably(connectAlice, a, conv, `gw-${i}`));
    // Bob's SDK would try the next endpoint from the access list: gw-1.
    b = await RawClient.ws(cluster.node('gw-1').wsUrl);
    body(await b.request({ case: 'auth', value: { token: bobLogin.accessToken } }), 'authOk');
    let next = cursor;
    for (;;) {
      const page = body(await b.request({ case: 'sync', value: { cursor: next, limit: 100 } }), 'syncResult');
      for (const e of page.entries) if (e.message!.conversationId === conv) seen.set(e.message!.seq, (seen.get(e.message!.seq) ?? 0) + 1);
      next = page.nextCursor;
      if (!page.hasMore) break;
    }
    for (const s of sent) expect(seen.get(s)).toBe(1);
    a.c.close();
    b.close();
    await cluster.start({ id: 'gw-2', roles: 'gateway,api,access' });
  }, 90_000);

  it('a killed logic node\'s conversations move to the survivor: no acked message lost, no sequence forked', async () => {
    const connectAlice = () => device(cluster.node('gw-1'), alice, 'a-logic');
    const a = { c: await connectAlice() };
    const acked = new Map<string, number>();
    let i = 0;
    const stream = (async () => {
      for (; i < 150; i++) acked.set(`lg-${i}`, await sendReliably(connectAlice, a, conv, `lg-${i}`));
    })();
    while (acked.size < 30) await new Promise((r) => setTimeout(r, 10));
    await cluster.kill('logic-1');
    await stream;
    const seqs = [...acked.values()];
    expect(new Set(seqs).size).toBe(seqs.length); // no two messages share a seq
    const b = await device(cluster.node('gw-1'), bob, 'b-logic');
    const all = await syncAll(b, conv);
    expect(all).toEqual(Array.from({ length: all.length }, (_, k) => k + 1)); // continuous, no fork
    for (const s of seqs) expect(all).toContain(s);
    a.c.close();
    b.close();
    await cluster.start({ id: 'logic-1', roles: 'logic' });
  }, 120_000);

  it('survives a Redis restart: service resumes and no acked message is lost', async () => {
    const connectAlice = () => device(cluster.node('gw-1'), alice, 'a-redis');
    const a = { c: await connectAlice() };
    const before = await sendReliably(connectAlice, a, conv, 'redis-before');
    await cluster.redis.restart(500);
    const after = await sendReliably(connectAlice, a, conv, 'redis-after');
    expect(after).toBe(before + 1);
    const b = await device(cluster.node('gw-2'), bob, 'b-redis');
    const all = await syncAll(b, conv);
    expect(all).toContain(before);
    expect(all).toContain(after);
    a.c.close();
    b.close();
  }, 90_000);
});
