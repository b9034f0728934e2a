import type { Message } from '@xinbox/protocol';
import { describe, expect, it } from 'vitest';
import { SyncEngine } from '../src/sync-engine.js';
import { FakeTimeline, ME } from './support/fake-timeline.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until `cond` holds (polling), so a loaded machine that runs timers
 * late slows the test down instead of failing it. Fixed sleeps remain only
 * where the test shows that something does NOT happen.
 */
async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !cond();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function setup(opts: { gapFillDelayMs?: number; syncPageLimit?: number } = {}) {
  const server = new FakeTimeline();
  const delivered: Message[] = [];
  const events = { resync: 0, summaries: 0, synced: [] as number[], errors: [] as unknown[] };
  const engine = new SyncEngine(
    {
      deliver: (m) => delivered.push(m),
      summaries: () => events.summaries++,
      resync: () => events.resync++,
      synced: (cursor) => events.synced.push(cursor),
      changed: () => undefined,
      error: (e) => events.errors.push(e),
    },
    { gapFillDelayMs: opts.gapFillDelayMs ?? 20, syncPageLimit: opts.syncPageLimit ?? 100, syncRetryMs: 20 },
  );
  const byConv = (id: string) => delivered.filter((m) => m.conversationId === id).map((m) => m.seq);
  const ids = () => delivered.map((m) => m.id);
  return { server, engine, delivered, events, byConv, ids };
}

describe('SyncEngine: live pushes', () => {
  it('delivers in-order pushes at once and batches their acks into one PushAck per tick', async () => {
    const { server, engine, byConv } = setup();
    await engine.attach(server);
    server.acks.length = 0;
    for (let i = 0; i < 5; i++) engine.onPush(server.append('10'));
    expect(byConv('10')).toEqual([1, 2, 3, 4, 5]);
    await until('the ack', () => server.acks.length > 0);
    await sleep(5);
    expect(server.acks).toEqual([{ syncSeq: 5, messageIds: [] }]);
  });

  it('drops retransmitted duplicates but still acks them', async () => {
    const { server, engine, delivered } = setup();
    await engine.attach(server);
    const p = server.append('10');
    engine.onPush(p);
    await until('the ack', () => server.acks.length > 0);
    engine.onPush(p);
    engine.onPush(p);
    expect(delivered).toHaveLength(1);
    await sleep(5);
    // The first ack covered it; a retransmit re-acks only if the cursor moved.
    expect(server.acks.at(-1)?.syncSeq).toBe(1);
  });

  it('holds a message after a gap, pulls the gap after the grace period, then delivers in order', async () => {
    const { server, engine, byConv } = setup({ gapFillDelayMs: 30 });
    await engine.attach(server);
    const p1 = server.append('10');
    server.append('10'); // seq 2: its push gets lost
    const p3 = server.append('10');
    engine.onPush(p1);
    engine.onPush(p3);
    expect(byConv('10')).toEqual([1]);
    expect(engine.snapshot().syncCursor).toBeLessThan(p3.syncSeq);
    // Not at once: the pull waits for the grace period (a timer).
    expect(server.calls.filter((c) => c.startsWith('pull'))).toEqual([]);
    await until('the gap pull', () => server.calls.includes('pull 10 2-2'));
    await until('delivery of the gap', () => byConv('10').length === 3);
    expect(byConv('10')).toEqual([1, 2, 3]);
    expect(engine.snapshot().syncCursor).toBe(3);
  });

  it('does not pull when the late push arrives within the grace period', async () => {
    const { server, engine, byConv } = setup({ gapFillDelayMs: 50 });
    await engine.attach(server);
    const [a, b, c] = [server.append('10'), server.append('10'), server.append('10')];
    engine.onPush(a);
    engine.onPush(c);
    engine.onPush(b);
    await sleep(80);
    expect(byConv('10')).toEqual([1, 2, 3]);
    expect(server.calls.some((x) => x.startsWith('pull'))).toBe(false);
  });

  it('stops waiting for seqs the server cannot give this reader', async () => {
    const { server, engine, byConv } = setup();
    await engine.attach(server);
    const p1 = server.append('10');
    server.append('10');
    const p3 = server.append('10');
    server.missing.add('10:2');
    engine.onPush(p1);
    engine.onPush(p3);
    await until('seq 3 after giving up on 2', () => byConv('10').length === 2);
    expect(byConv('10')).toEqual([1, 3]);
  });

  it("own messages take their seq, so the next push is not a gap and the sync copy is not redelivered", async () => {
    const { server, engine, byConv, delivered } = setup({ gapFillDelayMs: 10 });
    await engine.attach(server);
    engine.onPush(server.append('10'));
    const own = server.append('10', ME);
    engine.onOwnMessage(own.message!);
    engine.onPush(server.append('10'));
    await sleep(30); // longer than the 10 ms grace: a wrongly detected gap would be pulled by now
    expect(byConv('10')).toEqual([1, 2, 3]);
    expect(server.calls.some((c) => c.startsWith('pull'))).toBe(false);
    // A reconnect syncs from the old cursor and sees the own message again.
    engine.detach();
    const fresh = setup();
    fresh.engine.load({ ...engine.snapshot(), rooms: {}, syncCursor: 0 });
    await fresh.engine.attach(server);
    expect(fresh.delivered).toEqual([]);
    expect(delivered).toHaveLength(3);
  });

  it('passes hidden placeholders through so seqs stay continuous', async () => {
    const { server, engine, delivered } = setup();
    await engine.attach(server);
    engine.onPush(server.append('10'));
    engine.onPush(server.append('10', '2', { hidden: true }));
    engine.onPush(server.append('10'));
    expect(delivered.map((m) => [m.seq, m.hidden])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ]);
  });
});

describe('SyncEngine: catch-up sync', () => {
  it('an offline device pages through the timeline and gets every message exactly once, in order', async () => {
    const { server, engine, byConv, ids, events } = setup({ syncPageLimit: 40 });
    for (let i = 0; i < 150; i++) server.append(String(10 + (i % 3)));
    await engine.attach(server);
    expect(server.calls.filter((c) => c.startsWith('sync'))).toEqual(['sync 0', 'sync 40', 'sync 80', 'sync 120']);
    for (const c of ['10', '11', '12']) expect(byConv(c)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(new Set(ids()).size).toBe(150);
    expect(engine.syncCursor).toBe(150);
    expect(engine.isLive).toBe(true);
    expect(events.synced).toEqual([150]);
    await until('the ack of the sync', () => server.acks.at(-1)?.syncSeq === 150);
  });

  it('pushes racing the sync are delivered once', async () => {
    const { server, engine, ids } = setup({ syncPageLimit: 10 });
    server.latencyMs = 5;
    for (let i = 0; i < 30; i++) server.append('10');
    const attaching = engine.attach(server);
    // The server pushes new and retransmitted entries while the sync pages.
    for (let i = 0; i < 10; i++) {
      engine.onPush(server.timeline[25 + (i % 5)]!);
      engine.onPush(server.append('10'));
      await sleep(3);
    }
    await attaching;
    await until('every message', () => ids().length >= server.conversations.get('10')!.length);
    await sleep(20); // a duplicate would arrive about now
    expect(ids()).toEqual(server.conversations.get('10')!.map((m) => m.id));
    expect(engine.syncCursor).toBe(40);
  });

  it('resumes from persisted state without redelivering', async () => {
    const a = setup();
    for (let i = 0; i < 10; i++) a.server.append('10');
    await a.engine.attach(a.server);
    const saved = { ...a.engine.snapshot(), rooms: {} };
    a.engine.detach();
    for (let i = 0; i < 5; i++) a.server.append('10');

    const b = setup();
    b.engine.load(saved);
    await b.engine.attach(a.server);
    expect(b.byConv('10')).toEqual([11, 12, 13, 14, 15]);
    expect(a.server.calls.filter((c) => c.startsWith('sync')).at(-1)).toBe('sync 10');
  });

  it('never persists a cursor past a message that is still held back', async () => {
    const { server, engine } = setup({ gapFillDelayMs: 10_000 });
    await engine.attach(server);
    engine.onPush(server.append('10'));
    server.append('10');
    const late = server.append('10');
    engine.onPush(late);
    engine.onPush(server.append('11'));
    expect(engine.syncCursor).toBe(4);
    expect(engine.snapshot().syncCursor).toBe(late.syncSeq - 1);
    engine.detach();
  });

  it('resyncs when the cursor fell out of the retained timeline', async () => {
    const { server, engine, events, byConv } = setup();
    engine.load({ syncCursor: 2, conversations: { '10': 2 }, rooms: {} });
    for (let i = 0; i < 30; i++) server.append('10');
    server.readSeq.set('10', 27);
    server.oldestRetained = 20;
    await engine.attach(server);
    expect(events.resync).toBe(1);
    expect(server.calls).toContain('list');
    // Local state was dropped; the unread tail (28..30) is delivered, and the
    // retained timeline entries from 20 on add nothing already delivered.
    expect(byConv('10')).toEqual([28, 29, 30]);
    expect(engine.syncCursor).toBe(30);
  });

  it('catches up read fan-out conversations from their summaries and acks their pushes by id', async () => {
    const { server, engine, byConv } = setup();
    server.large.add('99');
    for (let i = 0; i < 5; i++) server.append('99');
    engine.load({ syncCursor: 0, conversations: { '99': 2 }, rooms: {} });
    await engine.attach(server);
    expect(server.calls).toContain('pull 99 3-5');
    expect(byConv('99')).toEqual([3, 4, 5]);
    const p = server.append('99');
    expect(p.syncSeq).toBe(0);
    engine.onPush(p);
    expect(byConv('99')).toEqual([3, 4, 5, 6]);
    await until('the ack by id', () => (server.acks.at(-1)?.messageIds.length ?? 0) > 0);
    expect(server.acks.at(-1)).toEqual({ syncSeq: 0, messageIds: [p.message!.id] });
  });

  it('for an unknown read fan-out conversation delivers only the unread tail', async () => {
    const { server, engine, byConv } = setup();
    server.large.add('99');
    for (let i = 0; i < 500; i++) server.append('99');
    server.readSeq.set('99', 497);
    await engine.attach(server);
    expect(byConv('99')).toEqual([498, 499, 500]);
  });

  it('ignores the results of a sync whose connection went away', async () => {
    const { server, engine, delivered } = setup();
    server.latencyMs = 20;
    for (let i = 0; i < 5; i++) server.append('10');
    const attaching = engine.attach(server);
    engine.detach();
    await attaching;
    expect(delivered).toEqual([]);
    expect(engine.isLive).toBe(false);
  });

  it('retries a sync the server failed while the connection stays up', async () => {
    const { server, engine, events, byConv } = setup();
    for (let i = 0; i < 3; i++) server.append('10');
    const realSync = server.sync.bind(server);
    let failures = 1;
    server.sync = async (cursor, limit) => {
      if (failures-- > 0) throw new Error('INTERNAL');
      return realSync(cursor, limit);
    };
    await engine.attach(server);
    expect(events.errors).toHaveLength(1);
    expect(engine.isLive).toBe(false);
    await until('the retried sync', () => engine.isLive);
    expect(byConv('10')).toEqual([1, 2, 3]);
    expect(events.synced).toEqual([3]);
  });
});
