import { encodeFrame, withLengthPrefix } from '@xinbox/protocol';
import { describe, expect, it } from 'vitest';
import { MemoryBus, MemoryRouteRegistry } from '../../src/adapters/memory/index.js';
import type { UserId } from '../../src/core/model.js';
import { uniqueUserId } from '../contracts/contract-support.js';
import type { RecordingConnection } from '../support/recording-connection.js';
import { describeOutboxContract } from '../contracts/outbox.contract.js';
import { clusterOutboxFixture, localOutboxFixture } from '../support/outbox-fixtures.js';

// Redis: test/adapters/redis.test.ts runs the same contract over the Redis bus and route registry.
describeOutboxContract('LocalOutbox (single node)', localOutboxFixture);
describeOutboxContract('ClusterOutbox over the memory bus and routes', async () => {
  const bus = new MemoryBus();
  const routes = new MemoryRouteRegistry();
  return clusterOutboxFixture(async () => ({ bus, routes, close: async () => undefined }));
});

describe('LocalOutbox.reaches (the send path skips building pushes no connection would take)', () => {
  it('is true exactly when toUsers would hand the push to a connection', async () => {
    const fixture = await localOutboxFixture();
    const { outbox, connect } = fixture;
    const push = (userId: UserId, exceptDeviceId?: string) =>
      ({ userId, frame: withLengthPrefix(encodeFrame({ id: 9, body: { case: 'pong', value: { serverTime: 9 } } })), syncSeq: 0, exceptDeviceId });
    const user = uniqueUserId();
    const handed = async (exceptDeviceId?: string): Promise<boolean> => {
      const conns = connections.map((c) => c.frames.length);
      outbox.toUsers([push(user, exceptDeviceId)]);
      await new Promise((r) => setTimeout(r, 20));
      return connections.some((c, i) => c.frames.length > conns[i]!);
    };
    const connections: RecordingConnection[] = [];
    expect(outbox.reaches!(user)).toBe(false);
    expect(await handed()).toBe(false);
    connections.push(await connect(0, user, 'phone'));
    for (const except of [undefined, 'phone', 'laptop']) expect(outbox.reaches!(user, except)).toBe(await handed(except));
    expect(outbox.reaches!(user, 'phone')).toBe(false);
    connections.push(await connect(0, user, 'laptop'));
    for (const except of [undefined, 'phone', 'laptop']) {
      expect(outbox.reaches!(user, except)).toBe(true);
      expect(await handed(except)).toBe(true);
    }
    expect(outbox.reaches!(uniqueUserId())).toBe(false);
    await fixture.close();
  });
});
