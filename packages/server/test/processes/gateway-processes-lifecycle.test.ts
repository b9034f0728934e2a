/**
 * Process lifecycle of `npm start` with gateway processes, on the real
 * compiled CLI: the primary's death takes its gateway processes with it (no
 * orphans), SIGTERM drains and stops everything, and acknowledged messages
 * survive kill -9 of the primary.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { body } from '../support/frames.js';
import { spawnNode, type ProcessNode } from '../support/process-node.js';
import { device, register, text } from '../support/raw-client.js';
import { tempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('gateway processes: lifecycle of the real process', () => {
  const dirs: Array<{ remove(): void }> = [];
  const nodes: ProcessNode[] = [];
  afterEach(async () => {
    for (const n of nodes.splice(0)) await n.kill('SIGKILL').catch(() => undefined);
    for (const d of dirs.splice(0)) d.remove();
  });
  const start = async (dataDir: string) => {
    const n = await spawnNode({ XINBOX_DATA_DIR: dataDir, XINBOX_GATEWAY_PROCESSES: '2' });
    nodes.push(n);
    return n;
  };

  it('forks two gateway processes; kill -9 of the primary leaves no orphan, and acked messages survive it', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const n = await start(dir.path);
    const gateways = childrenOf(n.proc.pid!).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('gateway-process'));
    expect(gateways).toHaveLength(2);
    const a = await register(n.httpUrl, 'lka');
    const b = await register(n.httpUrl, 'lkb');
    const c = await device(n, a, 'a');
    const conv = body(await c.request({ case: 'openDirect', value: { userId: b.userId } }), 'conversationInfo').conversation!.conversationId;
    const acked: number[] = [];
    for (let i = 0; i < 30; i++) acked.push(body(await c.request({ case: 'send', value: { conversationId: conv, clientMsgId: `d${i}`, content: text(`d${i}`) } }), 'sendAck').seq);
    await n.kill('SIGKILL');
    await waitFor('gateway processes gone', () => gateways.every((pid) => !alive(pid)), 10_000, 50);
    const again = await start(dir.path);
    const r = await device(again, b, 'b');
    const page = body(await r.request({ case: 'sync', value: { cursor: 0, limit: 500 } }), 'syncResult');
    expect(page.entries.filter((e) => e.message!.conversationId === conv).map((e) => e.message!.seq)).toEqual(acked);
    r.close();
  });

  it('SIGTERM drains the gateway processes and stops everything', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const n = await start(dir.path);
    const gateways = childrenOf(n.proc.pid!);
    expect(gateways.length).toBeGreaterThanOrEqual(2);
    const a = await register(n.httpUrl, 'lta');
    const c = await device(n, a, 'a');
    const code = await n.kill('SIGTERM');
    expect(code).toBe(0);
    expect(await c.waitClosed()).toBe(4008);
    await waitFor('gateway processes gone', () => gateways.every((pid) => !alive(pid)), 10_000, 50);
  });
});
