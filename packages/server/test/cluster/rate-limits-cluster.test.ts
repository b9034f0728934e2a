import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedisAdapters, type RedisAdapters } from '../../src/adapters/redis/index.js';
import { ClusterHarness } from '../support/cluster-harness.js';
import { device, register, text, type Account } from '../support/raw-client.js';
import { requireServices, startRedis, type RedisService } from '../support/services.js';
import { body } from '../support/frames.js';

requireServices('redis');

/**
 * Two gateways (and a logic node) whose request budgets live in a real Redis:
 * one user's sends through both gateways draw on ONE bucket.
 */
describe('rate limits shared across gateways through Redis', () => {
  let redis: RedisService;
  let adapters: RedisAdapters;
  let h: ClusterHarness;
  let alice: Account;
  let bob: Account;

  beforeAll(async () => {
    redis = await startRedis();
    adapters = await openRedisAdapters({ url: redis.url, nodeId: 'limits-test', keyPrefix: 'rl-cluster:' });
    h = new ClusterHarness({ limiter: adapters.limiter });
    // 1 send/s per user with a 6-send bucket; per-IP limits off (every client is 127.0.0.1).
    const limits = { rateLimits: true, limitSendPerUser: 1, limitBurstSeconds: 6, limitSendPerIp: 0, limitReadPerIp: 0, limitCreatePerIp: 0, limitRegisterPerIpPerMin: 0, limitLoginPerIpPerMin: 0 };
    await h.start('logic-1', ['logic'], limits);
    await h.start('gw-1', ['gateway', 'api'], limits);
    await h.start('gw-2', ['gateway', 'api'], limits);
    [alice, bob] = await Promise.all([register(h.node('gw-1').httpUrl, 'rca'), register(h.node('gw-2').httpUrl, 'rcb')]);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await adapters?.close();
    await redis?.stop();
  });

  it('a user sending through two gateways at once gets one budget, not one per gateway', async () => {
    const on1 = await device(h.node('gw-1'), alice, 'a-1');
    const on2 = await device(h.node('gw-2'), alice, 'a-2');
    const conv = body(await on1.request({ case: 'openDirect', value: { userId: bob.userId } }), 'conversationInfo').conversation!.conversationId;
    const send = (c: typeof on1, id: string) => c.request({ case: 'send', value: { conversationId: conv, clientMsgId: id, content: text(id) } });
    // The whole bucket (6) spent through gw-1 ...
    const first = await Promise.all(Array.from({ length: 6 }, (_, i) => send(on1, `g1-${i}`)));
    expect(first.map((f) => f.body.case)).toEqual(Array(6).fill('sendAck'));
    // ... leaves nothing on gw-2 (per-gateway buckets would let all 6 through); at most one token refilled meanwhile.
    const second = await Promise.all(Array.from({ length: 6 }, (_, i) => send(on2, `g2-${i}`)));
    const refused = second.filter((f) => f.body.case === 'error');
    expect(refused.length).toBeGreaterThanOrEqual(5);
    for (const f of refused) {
      expect(f.body.case === 'error' && f.body.value.name).toBe('RATE_LIMITED');
      expect(f.body.case === 'error' && f.body.value.retryAfterMs).toBeGreaterThan(0);
    }
    // Another user is untouched.
    const b = await device(h.node('gw-2'), bob, 'b');
    expect((await b.request({ case: 'send', value: { conversationId: conv, clientMsgId: 'b-1', content: text('hi') } })).body.case).toBe('sendAck');
    for (const c of [on1, on2, b]) c.close();
  });
});
