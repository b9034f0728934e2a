import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, register, RawClient } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { waitFor } from '../support/wait-for.js';
import { adminGet } from '../support/admin.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

/** Auth.client_version is kept per connection and reported (rollouts, canaries) in /v1/metrics. */
describe('Auth.client_version', () => {
  let node: Node;
  const clients: RawClient[] = [];
  beforeAll(async () => {
    node = await startTestNode();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await node.cleanup();
  });

  async function connect(deviceId: string, clientVersion?: string): Promise<RawClient> {
    const account = await register(node.httpUrl, 'cv');
    const l = await login(node.httpUrl, account, deviceId);
    const c = await RawClient.connect('tcp', node);
    clients.push(c);
    const ok = await c.request({ case: 'auth', value: { token: l.accessToken, clientVersion } });
    expect(ok.body.case).toBe('authOk');
    return c;
  }

  it('counts open connections by the version they announced, cutting overlong ones', async () => {
    await connect('a', 'web/2.0.0-canary');
    await connect('b', 'web/2.0.0-canary');
    await connect('c');
    await connect('d', 'x'.repeat(500));
    const versions = async () => ((await (await adminGet(node.httpUrl, '/v1/metrics')).json()) as { clientVersions: Record<string, number> }).clientVersions;
    await waitFor('all four counted', async () => Object.values(await versions()).reduce((a, b) => a + b, 0) === 4);
    expect(await versions()).toEqual({ 'web/2.0.0-canary': 2, '': 1, ['x'.repeat(64)]: 1 });
  });
});
