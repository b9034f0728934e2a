/** The event log writer: batches, bounded buffer, retention pruning (on the memory store; the stores have their own contract). */
import { describe, expect, it } from 'vitest';
import { MemoryEventLog } from '../../src/adapters/memory/memory-event-log.js';
import { createLogger } from '../../src/logger.js';
import { EventRecorder } from '../../src/platform/event-log/event-recorder.js';

const DAY = 86_400_000;
const event = (userId: number) => ({ type: 'connect' as const, userId, deviceId: 'd', platform: 'web', ip: '', detail: '' });

describe('EventRecorder', () => {
  it('appends buffered events in one batch, drops beyond its bound, and prunes past the retention', async () => {
    const store = new MemoryEventLog();
    let now = 10 * DAY;
    const recorder = new EventRecorder(store, 'node-a', { retentionMs: 2 * DAY, maxBuffered: 3, flushMs: 10_000, clock: () => now }, createLogger('silent'));
    for (let u = 1; u <= 5; u++) recorder.record(event(u));
    expect(recorder.counters.dropped).toBe(2);
    await recorder.flush();
    expect(recorder.counters.recorded).toBe(3);
    expect((await store.query({ limit: 10 })).map((e) => [e.userId, e.at, e.nodeId])).toEqual([[1, 10 * DAY, 'node-a'], [2, 10 * DAY, 'node-a'], [3, 10 * DAY, 'node-a']]);
    now = 11 * DAY;
    recorder.record(event(6));
    await recorder.flush();
    now = 12 * DAY + 1; // the first three are now older than two days, the fourth is not
    await recorder.prune();
    expect(recorder.counters.pruned).toBe(3);
    expect((await store.query({ limit: 10 })).map((e) => e.userId)).toEqual([6]);
    recorder.record(event(7));
    await recorder.stop(); // flushes what is left
    expect((await store.query({ limit: 10 })).map((e) => e.userId)).toEqual([6, 7]);
  });
});
