import { afterAll, describe, expect, it } from 'vitest';
import { device, register, text, type RawClient } from '../support/raw-client.js';
import { spawnNode } from '../support/process-node.js';
import { tempDir } from '../support/temp-dir.js';

/**
 * SIGKILL the server in the middle of a send stream and restart it: every
 * acked message must be there, seqs continuous, and no device sees a
 * duplicate — also after the client resends what was not acked.
 */
describe('crash durability (real process, SIGKILL)', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('keeps every acked message across kill -9 and never duplicates on resend', async () => {
    const env = { XINBOX_DATA_DIR: dir.path };
    let node = await spawnNode(env);
    const alice = await register(node.httpUrl, 'ka');
    const bob = await register(node.httpUrl, 'kb');
    let a = await device(node, alice, 'a');
    const open = await a.request({ case: 'openDirect', value: { userId: bob.userId } });
    const conv = open.body.case === 'conversationInfo' ? open.body.value.conversation!.conversationId : '';

    const acked = new Map<string, number>();
    const total = 3000;
    let sent = 0;
    // Pipeline sends 50 at a time; kill the server once about a third are acked.
    const pump = (async () => {
      while (sent < total) {
        const batch = [];
        for (let i = 0; i < 50 && sent < total; i++, sent++) {
          const id = `k-${sent}`;
          batch.push(a.request({ case: 'send', value: { conversationId: conv, clientMsgId: id, content: text(id) } }, 5000)
            .then((f) => { if (f.body.case === 'sendAck') acked.set(id, f.body.value.seq); })
            .catch(() => undefined));
        }
        await Promise.all(batch);
        if (a.closeCode !== null) return;
      }
    })();
    while (acked.size < 1000) await new Promise((r) => setTimeout(r, 5));
    await node.kill('SIGKILL');
    await pump;
    expect(acked.size).toBeGreaterThanOrEqual(1000);
    expect(acked.size).toBeLessThan(total);

    node = await spawnNode(env);
    try {
      // Resend everything with the same client ids, as an SDK would for unacked sends.
      a = await device(node, alice, 'a');
      const resent = new Map<string, { seq: number; duplicate: boolean }>();
      for (let i = 0; i < total; i += 100) {
        const replies = await Promise.all(Array.from({ length: Math.min(100, total - i) }, (_, k) => {
          const id = `k-${i + k}`;
          return a.request({ case: 'send', value: { conversationId: conv, clientMsgId: id, content: text(id) } }).then((f) => [id, f] as const);
        }));
        for (const [id, f] of replies) if (f.body.case === 'sendAck') resent.set(id, { seq: f.body.value.seq, duplicate: f.body.value.duplicate });
      }
      for (const [id, seq] of acked) {
        expect(resent.get(id)).toEqual({ seq, duplicate: true });
      }

      const b: RawClient = await device(node, bob, 'b');
      const seqs: number[] = [];
      const ids = new Set<string>();
      let cursor = 0;
      for (;;) {
        const r = await b.request({ case: 'sync', value: { cursor, limit: 500 } });
        if (r.body.case !== 'syncResult') throw new Error(r.body.case);
        for (const e of r.body.value.entries) {
          seqs.push(e.message!.seq);
          ids.add(e.message!.clientMsgId);
        }
        cursor = r.body.value.nextCursor;
        if (!r.body.value.hasMore) break;
      }
      expect(seqs.length).toBe(total);
      expect(ids.size).toBe(total);
      expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    } finally {
      await node.kill('SIGTERM');
    }
  }, 120_000);
});
