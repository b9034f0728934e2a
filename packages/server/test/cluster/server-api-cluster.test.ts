/**
 * The server API in a cluster: an api-only node runs conversation operations
 * on their owner logic nodes through the same request path a gateway uses
 * (forwarded, never executed on the api node), and a session it issues works
 * on a gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminGet } from '../support/admin.js';
import { ClusterHarness } from '../support/cluster-harness.js';
import { RawClient, postJson } from '../support/raw-client.js';

const SECRET = 'cluster-app-secret-0123456789abcdef0123';

describe('server API in a cluster (in-process harness: 2 logic nodes, 1 api node, 1 gateway)', () => {
  const h = new ClusterHarness();
  const call = async (path: string, body: unknown) => postJson(h.node('api-1').httpUrl, `/v1/server${path}`, body, { authorization: `Bearer ${SECRET}` });

  beforeAll(async () => {
    const extra = { serverApiSecrets: SECRET };
    await h.start('logic-1', ['logic'], extra);
    await h.start('logic-2', ['logic'], extra);
    await h.start('api-1', ['api'], extra);
    await h.start('gw-1', ['gateway', 'api'], extra);
  });
  afterAll(async () => h.close());

  it('sends through the owner nodes and issues sessions that work on a gateway', async () => {
    const a = await call('/users', { username: 'cluster.ann' });
    const b = await call('/users', { username: 'cluster.ben' });
    expect([a.status, b.status]).toEqual([201, 201]);
    const tokens = await call(`/users/${b.json.userId}/tokens`, { deviceId: 'ben-phone' });
    const ben = await RawClient.connect('ws', h.node('gw-1'));
    expect((await ben.request({ case: 'auth', value: { token: tokens.json.accessToken as string } })).body.case).toBe('authOk');

    const acks = [];
    for (let i = 0; i < 10; i++) acks.push((await call('/messages', { from: a.json.userId, to: { userId: b.json.userId }, content: { text: { text: `m${i}` } }, clientMsgId: `c${i}` })).json);
    expect(acks.map((x) => x.seq)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    const pushes = await ben.waitForPushes(10, acks[0]!.conversationId as string);
    expect(pushes).toHaveLength(10);

    const metrics = async (id: string) => (await (await adminGet(h.node(id).httpUrl, '/v1/metrics')).json()) as { forwardedRequests: number; executedRequests: number };
    const api = await metrics('api-1');
    expect(api.forwardedRequests).toBeGreaterThanOrEqual(11); // openDirect + 10 sends, all on logic nodes
    expect(api.executedRequests).toBe(0);
    ben.close();
  });
});
