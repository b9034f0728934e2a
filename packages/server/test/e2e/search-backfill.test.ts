/**
 * The search index backfill on a real node (SQLite, storage thread): an index
 * rebuilt empty (the operator's steps in docs/operations.md) is filled again
 * by the background job after a restart, newest first, with each message's
 * latest edit and without recalled text; progress shows in /metrics.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { SearchResult } from '@xinbox/protocol';
import { startXinbox, type XinboxNode } from '../../src/index.js';
import { TEST_ADMIN_TOKEN, adminGet } from '../support/admin.js';
import { body } from '../support/frames.js';
import { parsePrometheusText } from '../support/prom-text.js';
import { device, register, text, type RawClient } from '../support/raw-client.js';
import { tempDir } from '../support/temp-dir.js';
import { waitFor } from '../support/wait-for.js';

const dir = tempDir('xinbox-backfill-');
afterAll(() => dir.remove());
const start = (): Promise<XinboxNode> =>
  startXinbox({ host: '127.0.0.1', port: 0, tcpPort: 0, dataDir: dir.path, logLevel: 'error', storage: 'sqlite', scryptCost: 4, adminToken: TEST_ADMIN_TOKEN, rateLimits: false });

async function send(c: RawClient, conv: string, clientMsgId: string, content: unknown): Promise<number> {
  return body(await c.request({ case: 'send', value: { conversationId: conv, clientMsgId, content } as never }), 'sendAck').seq;
}
/** The snippets of the hits: the indexed text (an edited message's hit is its original seq, the snippet its latest text). */
async function found(c: RawClient, query: string): Promise<string[]> {
  const r: SearchResult = body(await c.request({ case: 'search', value: { query, conversationId: '0', cursor: '', limit: 50 } }), 'searchResult');
  return r.hits.map((h) => h.snippet);
}
async function metric(node: XinboxNode, name: string): Promise<number> {
  const families = parsePrometheusText(await (await adminGet(node.httpUrl, '/metrics')).text());
  return [...families.values()].flatMap((f) => f.samples).find((s) => s.name === name)?.value ?? 0;
}

describe('search index backfill', () => {
  it('re-indexes every readable message after the index was emptied, and persists that it is done', async () => {
    let node = await start();
    const [alice, bob] = await Promise.all([register(node.httpUrl, 'bf-a'), register(node.httpUrl, 'bf-b')]);
    let a = await device(node, alice, 'a');
    const conv = body(await a.request({ case: 'openDirect', value: { userId: bob.userId } }), 'conversationInfo').conversation!.conversationId;
    for (let i = 0; i < 30; i++) await send(a, conv, `bf-${i}`, text(`rebuild marker ${i} 重建`));
    const draft = await send(a, conv, 'bf-draft', text('rebuild draft wording'));
    await send(a, conv, 'bf-edit', { kind: { case: 'edit', value: { targetSeq: draft, text: 'rebuild final wording' } } });
    const secret = await send(a, conv, 'bf-secret', text('rebuild secret 秘密'));
    await send(a, conv, 'bf-recall', { kind: { case: 'recall', value: { targetSeq: secret } } });
    a.close();
    await node.stop();

    // Rebuild: empty the index and reset the cursor (docs/operations.md).
    const db = new Database(join(dir.path, 'xinbox.db'));
    db.exec("DELETE FROM message_search; UPDATE search_backfill SET before_id = NULL, done = 0;");
    db.close();

    node = await start();
    try {
      a = await device(node, alice, 'a2');
      const b = await device(node, bob, 'b');
      await waitFor('backfill done', async () => (await metric(node, 'xinbox_search_backfill_done')) === 1);
      expect(await metric(node, 'xinbox_search_backfill_indexed_total')).toBeGreaterThanOrEqual(31);
      for (const c of [a, b]) {
        expect(await found(c, '重建')).toHaveLength(30);
        expect(await found(c, 'rebuild wording')).toEqual(['rebuild final wording']);
        expect(await found(c, 'draft')).toEqual([]);
        expect(await found(c, '秘密')).toEqual([]);
      }
      // Done is persisted: a restart does not walk the messages again.
      a.close();
      b.close();
      await node.stop();
      node = await start();
      await waitFor('metrics up', async () => (await metric(node, 'xinbox_search_backfill_done')) === 1);
      expect(await metric(node, 'xinbox_search_backfill_scanned_total')).toBe(0);
    } finally {
      await node.stop();
    }
  });
});
