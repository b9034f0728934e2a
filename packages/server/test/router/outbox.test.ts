import { MemoryBus, MemoryRouteRegistry } from '../../src/adapters/memory/index.js';
import { describeOutboxContract } from '../contracts/outbox.contract.js';
import { clusterOutboxFixture, localOutboxFixture } from '../support/outbox-fixtures.js';

// Redis: test/adapters/redis.test.ts runs the same contract over the Redis bus and route registry.
describeOutboxContract('LocalOutbox (single node)', localOutboxFixture);
describeOutboxContract('ClusterOutbox over the memory bus and routes', async () => {
  const bus = new MemoryBus();
  const routes = new MemoryRouteRegistry();
  return clusterOutboxFixture(async () => ({ bus, routes, close: async () => undefined }));
});
