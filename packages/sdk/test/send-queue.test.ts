import { Errors, XinboxError } from '@xinbox/protocol';
import { describe, expect, it } from 'vitest';
import { ConnectionLostError } from '../src/errors.js';
import { randomId } from '../src/ids.js';
import { SendQueue, type FailureAction, type OutgoingSend } from '../src/send-queue.js';

interface Ack {
  messageId: string;
  clientMsgId: string;
  duplicate: boolean;
}

/**
 * A server-side idempotency table like the real one: (sender, clientMsgId)
 * is unique, and a resend returns the first ack with duplicate=true.
 */
class IdempotentStore {
  readonly stored = new Map<string, { messageId: string; text: string }>();
  private next = 1;
  handle(msg: OutgoingSend): Ack {
    const prior = this.stored.get(msg.clientMsgId);
    if (prior) return { messageId: prior.messageId, clientMsgId: msg.clientMsgId, duplicate: true };
    const messageId = String(this.next++);
    const text = msg.content.kind?.case === 'text' ? String((msg.content.kind.value as { text?: string }).text) : '';
    this.stored.set(msg.clientMsgId, { messageId, text });
    return { messageId, clientMsgId: msg.clientMsgId, duplicate: false };
  }
}

const classify = (err: unknown): FailureAction =>
  err instanceof ConnectionLostError ? 'requeue' : err instanceof XinboxError && err.retryable ? 'retry' : 'fail';

function queue(transmit: (m: OutgoingSend) => Promise<Ack>, extra: { limit?: number; maxInFlight?: number } = {}) {
  return new SendQueue<Ack>({
    limit: extra.limit ?? 100,
    maxInFlight: extra.maxInFlight ?? 8,
    transmit,
    classify,
    retryDelayMs: () => 5,
    fullError: (n) => new XinboxError(Errors.RATE_LIMITED, `full ${n}`),
    newId: randomId,
  });
}

const text = (t: string) => ({ conversationId: '7', content: { kind: { case: 'text' as const, value: { text: t } } }, mentions: [], mentionAll: false, visibleTo: [] });
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('SendQueue', () => {
  it('assigns the client message id at enqueue time', () => {
    const q = queue(async () => ({ messageId: '1', clientMsgId: '', duplicate: false }));
    const a = q.enqueue(text('a'));
    const b = q.enqueue(text('b'));
    expect(a.clientMsgId).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.clientMsgId).not.toBe(b.clientMsgId);
    expect(q.pending().map((p) => p.clientMsgId)).toEqual([a.clientMsgId, b.clientMsgId]);
  });

  it('holds messages while paused and sends them in order on resume', async () => {
    const server = new IdempotentStore();
    const order: string[] = [];
    const q = queue(async (m) => {
      order.push(m.clientMsgId);
      return server.handle(m);
    });
    const sent = [q.enqueue(text('1')), q.enqueue(text('2')), q.enqueue(text('3'))];
    await tick();
    expect(order).toEqual([]);
    q.resume();
    const acks = await Promise.all(sent.map((s) => s.ack));
    expect(order).toEqual(sent.map((s) => s.clientMsgId));
    expect(acks.map((a) => a.duplicate)).toEqual([false, false, false]);
    expect(q.size).toBe(0);
  });

  it('a lost ack is retried with the same id after reconnect: stored once, resolved once', async () => {
    const server = new IdempotentStore();
    let online = true;
    const attempts: string[] = [];
    const q = queue(async (m) => {
      attempts.push(m.clientMsgId);
      const ack = server.handle(m); // the server stores it...
      if (attempts.length === 1) {
        online = false;
        q.pause();
        throw new ConnectionLostError(1006, 'dropped before the ack'); // ...but the ack is lost
      }
      return ack;
    });
    q.resume();
    const { clientMsgId, ack } = q.enqueue(text('hello'));
    let settled = 0;
    void ack.then(() => settled++);
    await tick();
    expect(online).toBe(false);
    expect(settled).toBe(0);
    q.resume(); // reconnected
    const result = await ack;
    expect(attempts).toEqual([clientMsgId, clientMsgId]);
    expect(result).toEqual({ messageId: '1', clientMsgId, duplicate: true });
    expect(server.stored.size).toBe(1);
    await tick();
    expect(settled).toBe(1);
  });

  it('requeues on connection loss even when pause() comes late, without spinning', async () => {
    const server = new IdempotentStore();
    let calls = 0;
    const q = queue(async (m) => {
      calls++;
      if (calls <= 2) throw new ConnectionLostError(undefined, 'gone');
      return server.handle(m);
    });
    q.resume();
    const { ack } = q.enqueue(text('x'));
    await tick();
    expect(calls).toBe(1);
    const a = await ack;
    expect(a.duplicate).toBe(false);
    expect(calls).toBe(3);
  });

  it('retries retryable server errors and fails on final ones', async () => {
    const server = new IdempotentStore();
    let n = 0;
    const q = queue(async (m) => {
      n++;
      if (m.content.kind?.case === 'text' && (m.content.kind.value as { text: string }).text === 'bad') {
        throw new XinboxError(Errors.CONTENT_INVALID);
      }
      if (n === 1) throw new XinboxError(Errors.RATE_LIMITED);
      return server.handle(m);
    });
    q.resume();
    const good = q.enqueue(text('good'));
    await expect(good.ack).resolves.toMatchObject({ clientMsgId: good.clientMsgId, duplicate: false });
    const bad = q.enqueue(text('bad'));
    await expect(bad.ack).rejects.toMatchObject({ code: Errors.CONTENT_INVALID.code });
    expect(q.size).toBe(0);
  });

  it('gives up on a retryable error after maxRetries', async () => {
    const q = new SendQueue<Ack>({
      limit: 10,
      maxInFlight: 1,
      transmit: async () => {
        throw new XinboxError(Errors.UNAVAILABLE);
      },
      classify,
      maxRetries: 2,
      retryDelayMs: () => 1,
      fullError: () => new Error('full'),
      newId: randomId,
    });
    q.resume();
    await expect(q.enqueue(text('x')).ack).rejects.toMatchObject({ code: Errors.UNAVAILABLE.code });
  });

  it('is bounded', async () => {
    const q = queue(async () => ({ messageId: '1', clientMsgId: '', duplicate: false }), { limit: 2 });
    q.enqueue(text('1'));
    q.enqueue(text('2'));
    await expect(q.enqueue(text('3')).ack).rejects.toMatchObject({ code: Errors.RATE_LIMITED.code });
    expect(q.size).toBe(2);
  });

  it('enqueuing a pending client id again returns the same promise', () => {
    const q = queue(async () => ({ messageId: '1', clientMsgId: '', duplicate: false }));
    const a = q.enqueue({ ...text('a'), clientMsgId: 'fixed' });
    const b = q.enqueue({ ...text('a'), clientMsgId: 'fixed' });
    expect(b.ack).toBe(a.ack);
    expect(q.size).toBe(1);
  });

  it('limits the number of unanswered sends', async () => {
    const release: Array<() => void> = [];
    let maxSeen = 0;
    const q = queue(
      (m) =>
        new Promise<Ack>((resolve) => {
          maxSeen = Math.max(maxSeen, q.inFlightCount);
          release.push(() => resolve({ messageId: m.clientMsgId, clientMsgId: m.clientMsgId, duplicate: false }));
        }),
      { maxInFlight: 3 },
    );
    q.resume();
    const all = Array.from({ length: 10 }, (_, i) => q.enqueue(text(String(i))).ack);
    let answered = 0;
    while (answered < 10) {
      await tick();
      expect(q.inFlightCount).toBeLessThanOrEqual(3);
      const batch = release.splice(0);
      answered += batch.length;
      batch.forEach((r) => r());
    }
    await Promise.all(all);
    expect(maxSeen).toBe(3);
  });

  it('failAll rejects everything pending', async () => {
    const q = queue(async () => ({ messageId: '1', clientMsgId: '', duplicate: false }));
    const a = q.enqueue(text('a')).ack;
    q.failAll(new Error('closed'));
    await expect(a).rejects.toThrow('closed');
    expect(q.size).toBe(0);
  });
});
