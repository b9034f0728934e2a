import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Limits, encodeFrame, type Frame } from '@xinbox/protocol';
import { device, register, text, type RawClient } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { body } from '../support/frames.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

/** The documented ceiling of a reply frame: the budget plus one entry. */
const MAX_REPLY = Limits.maxReplyBytes + 64 * 1024;
const sizeOf = (f: Frame) => encodeFrame(f).length;

describe('list replies are cut by bytes as well as by count', () => {
  let node: Node;
  let conv: string;
  let bob: Awaited<ReturnType<typeof register>>;
  const big = 'x'.repeat(12 * 1024);

  beforeAll(async () => {
    node = await startTestNode();
    const alice = await register(node.httpUrl, 'rb');
    bob = await register(node.httpUrl, 'rbb');
    const a = await device(node, alice, 'a');
    conv = body(await a.request({ case: 'openDirect', value: { userId: bob.userId } }), 'conversationInfo').conversation!.conversationId;
    for (let i = 0; i < 500; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, k) => a.request({ case: 'send', value: { conversationId: conv, clientMsgId: `m${i + k}`, content: text(big) } })));
    }
    a.close();
  }, 60_000);
  afterAll(async () => node.cleanup());

  it('Sync{limit: 500} over 500 messages of 12 KB completes in pages, each reply within the budget, the connection stays open', async () => {
    const b = await device(node, bob, 'sync');
    let cursor = 0;
    let entries = 0;
    let pages = 0;
    for (;;) {
      const reply = await b.request({ case: 'sync', value: { cursor, limit: 500 } });
      expect(sizeOf(reply)).toBeLessThanOrEqual(MAX_REPLY);
      const page = body(reply, 'syncResult');
      expect(page.entries.length).toBeGreaterThan(0);
      entries += page.entries.length;
      pages++;
      cursor = page.nextCursor;
      if (!page.hasMore) break;
      expect(pages).toBeLessThan(200);
    }
    expect(entries).toBe(500);
    expect(pages).toBeGreaterThan(1);
    expect(b.closeCode).toBeNull();
    b.close();
  });

  it('History and PullRange pages of 100 big messages are cut too, and continue with hasMore', async () => {
    const b: RawClient = await device(node, bob, 'hist');
    const seen = new Set<number>();
    let before = 0;
    for (;;) {
      const reply = await b.request({ case: 'history', value: { conversationId: conv, beforeSeq: before, limit: 100 } });
      expect(sizeOf(reply)).toBeLessThanOrEqual(MAX_REPLY);
      const page = body(reply, 'historyResult');
      for (const m of page.messages) seen.add(m.seq);
      before = page.messages[page.messages.length - 1]!.seq;
      if (!page.hasMore) break;
    }
    expect(seen.size).toBe(500);
    const range = await b.request({ case: 'pullRange', value: { conversationId: conv, fromSeq: 1, toSeq: 100 } });
    expect(sizeOf(range)).toBeLessThanOrEqual(MAX_REPLY);
    const r = body(range, 'historyResult');
    expect(r.hasMore).toBe(true);
    expect(r.messages.length).toBeLessThan(100);
    expect(r.messages.map((m) => m.seq)).toEqual(r.messages.map((_, i) => i + 1));
    b.close();
  });

  it('a client that reads is not closed as a slow consumer even with a small outbound bound', async () => {
    const small = await startTestNode({ maxOutboundBytes: 64 * 1024 });
    try {
      const x = await register(small.httpUrl, 'rbs');
      const y = await register(small.httpUrl, 'rbt');
      const a = await device(small, x, 'a');
      const c = body(await a.request({ case: 'openDirect', value: { userId: y.userId } }), 'conversationInfo').conversation!.conversationId;
      await Promise.all(Array.from({ length: 40 }, (_, k) => a.request({ case: 'send', value: { conversationId: c, clientMsgId: `s${k}`, content: text(big) } })));
      const reader = await device(small, y, 'r');
      // Several big replies requested at once: more than maxOutboundBytes in total.
      const replies = await Promise.all(Array.from({ length: 8 }, () => reader.request({ case: 'history', value: { conversationId: c, limit: 100 } })));
      for (const r of replies) expect(body(r, 'historyResult').messages.length).toBeGreaterThan(0);
      expect(reader.closeCode).toBeNull();
      expect((await reader.request({ case: 'ping', value: {} })).body.case).toBe('pong');
      a.close();
      reader.close();
    } finally {
      await small.cleanup();
    }
  });
});
