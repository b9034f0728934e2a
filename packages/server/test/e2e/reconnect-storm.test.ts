import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient, login, register, text, type Account, type Login } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

describe('reconnect storm', () => {
  let node: Node;
  beforeAll(async () => {
    node = await startTestNode();
  });
  afterAll(async () => node.cleanup());

  it('reconnects and resumes 1,000 clients at once', async () => {
    const users = 200;
    const devicesPerUser = 5;
    const accounts: Account[] = [];
    for (let i = 0; i < users; i += 50) accounts.push(...(await Promise.all(Array.from({ length: Math.min(50, users - i) }, () => register(node.httpUrl, 'storm')))));
    const logins: Login[] = [];
    for (const a of accounts) logins.push(...(await Promise.all(Array.from({ length: devicesPerUser }, (_, d) => login(node.httpUrl, a, `dev${d}`)))));

    const connectAll = () => Promise.all(logins.map(async (l, i) => {
      const c = await RawClient.connect(i % 2 ? 'tcp' : 'ws', node, `127.0.0.${2 + (i % 8)}`);
      const ok = await c.request({ case: 'auth', value: { token: l.accessToken } }, 30_000);
      expect(ok.body.case).toBe('authOk');
      return c;
    }));
    const first = await connectAll();
    expect(first).toHaveLength(1000);
    // Something to catch up on: each user's first device messages the next user.
    const convs = await Promise.all(accounts.map(async (_, u) => {
      const c = first[u * devicesPerUser]!;
      const peer = accounts[(u + 1) % users]!;
      const r = await c.request({ case: 'openDirect', value: { userId: peer.userId } });
      return r.body.case === 'conversationInfo' ? r.body.value.conversation!.conversationId : '';
    }));
    for (const c of first) c.close();
    await Promise.all(first.map((c) => c.waitClosed()));
    await Promise.all(accounts.map((_, u) => first[u * devicesPerUser]).map(async (_c, u) => {
      const sender = await RawClient.ws(node.wsUrl);
      await sender.request({ case: 'auth', value: { token: logins[u * devicesPerUser]!.accessToken } });
      await sender.request({ case: 'send', value: { conversationId: convs[u]!, clientMsgId: 'storm', content: text('while you were away') } });
      sender.close();
    }));

    const t0 = Date.now();
    const second = await connectAll();
    const synced = await Promise.all(second.map(async (c) => {
      const r = await c.request({ case: 'sync', value: { cursor: 0, limit: 100 } }, 30_000);
      return r.body.case === 'syncResult' ? r.body.value.entries.length : -1;
    }));
    const ms = Date.now() - t0;
    // Every device of every user sees its two conversations' messages (sent and received).
    expect(synced.every((n) => n === 2)).toBe(true);
    expect(second).toHaveLength(1000);
    console.log(`reconnect storm: 1000 clients reconnected, authenticated and synced in ${ms} ms`);
    for (const c of second) c.close();
  }, 120_000);
});
