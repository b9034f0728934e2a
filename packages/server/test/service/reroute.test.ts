import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceStatus } from '@xinbox/protocol';
import type { RawClient } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body } from '../support/frames.js';
import { register } from '../support/raw-client.js';
import { waitFor } from '../support/wait-for.js';
import { assignedTo, available, customer, event, open, say, shopWithAgents } from './service-client.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

const REPO = resolve(import.meta.dirname, '../../../..');

/** An agent on the compiled SDK in its own process: logs in, goes available, prints "ready", then waits to be killed. */
const AGENT = `
import { XinboxClient } from '@xinbox/sdk';
const [baseUrl, username, password, shopId] = process.argv.slice(2);
const client = new XinboxClient({ baseUrl, deviceId: 'agent-process', platform: 'desktop', transport: 'tcp' });
await client.login(username, password);
await client.connect();
client.on('service', (e) => console.log('event ' + e.reason + ' ' + e.conversation.conversationId));
await client.setAgentAvailable(shopId, true);
console.log('ready');
setInterval(() => undefined, 1 << 30);
`;

/** Rerouting on timeouts and on a killed agent process (sqlite, the default storage). */
describe('customer service rerouting', () => {
  let node: Node;
  const clients: RawClient[] = [];
  const project = mkdtempSync(join(tmpdir(), 'xinbox-agent-'));

  beforeAll(async () => {
    symlinkSync(join(REPO, 'node_modules'), join(project, 'node_modules'));
    writeFileSync(join(project, 'agent.mjs'), AGENT);
    node = await startTestNode({ serviceSweepMs: 100, serviceAnswerTimeoutMs: 1_000 });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await node.cleanup();
    rmSync(project, { recursive: true, force: true });
  });

  it('reroutes a conversation the agent does not answer in time, and keeps it with an agent who answers', async () => {
    const { shopId, agents: [a, b] } = await shopWithAgents(node, [{ skills: ['presale'], capacity: 5 }, { skills: ['presale'], capacity: 5, available: false }]);
    clients.push(a!.client, b!.client);
    const cu = await customer(node);
    clients.push(cu.client);
    const s = await open(cu.client, shopId);
    expect(s.agentId).toBe(a!.account.userId);
    await say(cu.client, s.conversationId, 'anyone there?');
    await available(b!.client, shopId, true);
    const t0 = Date.now();
    // A stays silent: after serviceAnswerTimeoutMs the router moves the conversation to B.
    const moved = await event(cu.client, s.conversationId, (x, reason) => reason === 'rerouted' || (x.status === ServiceStatus.ASSIGNED && x.agentId === b!.account.userId));
    await event(cu.client, s.conversationId, assignedTo(b!.account));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(800);
    expect(moved.conversationId).toBe(s.conversationId);
    // B answers: well past another timeout, it is still B's.
    await say(b!.client, s.conversationId, 'B here, how can I help?');
    await new Promise((r) => setTimeout(r, 1_500));
    const board = body(await b!.client.request({ case: 'serviceList', value: { shopId } }), 'serviceBoard');
    expect(board.active.map((x) => [x.conversationId, x.agentId])).toEqual([[s.conversationId, b!.account.userId]]);
  });

  it('reroutes when the agent\'s client process is killed with SIGKILL', async () => {
    const { shopId, admin, agents: [b] } = await shopWithAgents(node, [{ skills: ['presale'], capacity: 5, available: false }]);
    clients.push(admin, b!.client);
    const k = await register(node.httpUrl, 'killed');
    body(await admin.request({ case: 'shopAgentSet', value: { shopId, userId: k.userId, skills: ['presale'], capacity: 5 } }), 'shopInfo');
    const child = spawn(process.execPath, ['agent.mjs', node.httpUrl, k.username, k.password, shopId], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((r) => child.once('exit', r));
    try {
      await waitFor(`the agent process to be ready:\n${out}`, () => out.includes('ready') || child.exitCode !== null, 30_000);
      expect(out).toContain('ready');
      const cu = await customer(node);
      clients.push(cu.client);
      const s = await open(cu.client, shopId);
      expect(s.agentId).toBe(k.userId);
      await waitFor('the agent process to hear of it', () => out.includes(`event assigned ${s.conversationId}`));
      await available(b!.client, shopId, true);
      child.kill('SIGKILL');
      await exited;
      const t0 = Date.now();
      await event(cu.client, s.conversationId, assignedTo(b!.account));
      // Presence saw the socket close: no wait for a heartbeat timeout.
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
