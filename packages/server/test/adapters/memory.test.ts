import { describe, expect, it } from 'vitest';
import { createMemoryAdapters, MemoryBus, MemoryPresence, MemoryRouteRegistry } from '../../src/adapters/memory/index.js';
import {
  describeBusContract, describeConversationStoreContract, describeIdentityStoreContract,
  describeMessageStoreContract, describeNodeLeaseStoreContract, describePresenceContract, describeRateLimiterContract, describeRouteRegistryContract,
  describeSocialStoreContract, describeModerationStoreContract, describeCommerceContract, describeMessageWebhookEventsContract,
} from '../contracts/index.js';

// The memory adapters are one process's state, so they offer no peer handle.
const open = async () => createMemoryAdapters();

describeIdentityStoreContract('memory', open);
describeMessageStoreContract('memory', open);
describeMessageWebhookEventsContract('memory', open);
describeConversationStoreContract('memory', open);
describeNodeLeaseStoreContract('memory', open);
describeBusContract('memory', open);
describeSocialStoreContract('memory', open);
describeCommerceContract('memory', open);
describeModerationStoreContract('memory', open);
describeRateLimiterContract('memory', open);
describePresenceContract('memory', async () => {
  const adapters = createMemoryAdapters({ presenceTtlMs: 30_000 });
  return { presence: adapters.presence, presenceTtlMs: 30_000, close: adapters.close };
});
describeRouteRegistryContract('memory, no expiry (single node)', open);
describeRouteRegistryContract('memory, with expiry', async () => {
  let now = Date.now();
  const adapters = createMemoryAdapters({ routeTtlMs: 1000, clock: () => now });
  return {
    routes: adapters.routes,
    routeExpiry: { ttlMs: 1000, elapse: async (ms: number) => { now += ms; } },
    close: adapters.close,
  };
});

describe('memory adapters', () => {
  it('expire presence after 90 s by default', async () => {
    const presence = new MemoryPresence();
    await presence.online(1, 'phone', 'ios', 'n1', 0);
    expect((await presence.query([1], 89_999))[0]!.online).toBe(true);
    expect((await presence.query([1], 90_000))[0]!.online).toBe(false);
  });

  it('keep routes until unbind by default', async () => {
    const routes = new MemoryRouteRegistry();
    await routes.bind({ userId: 1, deviceId: 'd', nodeId: 'n' });
    expect(await routes.lookup([1])).toHaveLength(1);
  });

  it('deliver bus messages asynchronously, as a copy, and survive a throwing handler', async () => {
    const errors: unknown[] = [];
    const bus = new MemoryBus({ onHandlerError: (error) => errors.push(error) });
    const got: number[][] = [];
    await bus.subscribe('t', () => {
      throw new Error('handler bug');
    });
    await bus.subscribe('t', (p) => got.push(Array.from(p)));
    const payload = new Uint8Array([1, 2]);
    const published = bus.publish('t', payload);
    payload[0] = 9;
    expect(got).toEqual([]); // not delivered synchronously
    await published;
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(got).toEqual([[1, 2]]);
    expect(errors).toHaveLength(1);
    await bus.close();
    await expect(bus.publish('t', payload)).rejects.toThrow(/closed/);
  });

  it('drop bus deliveries still queued when unsubscribe is called', async () => {
    const bus = new MemoryBus();
    let calls = 0;
    const off = await bus.subscribe('t', () => {
      calls += 1;
    });
    const published = Array.from({ length: 10 }, () => bus.publish('t', new Uint8Array([1])));
    const unsubscribed = off();
    await Promise.all([...published, unsubscribed]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls).toBe(0);
  });

  it('reject members and appends that name unknown users or conversations, changing nothing', async () => {
    const { identity, conversations, messages } = createMemoryAdapters();
    const owner = (await identity.createUser('owner', 'h', 1))!.id;
    await expect(conversations.getOrCreateDirect(owner, 999, 1)).rejects.toThrow(/999/);
    await expect(conversations.createGroup({
      name: 'g', avatarUrl: '', announcement: '', ownerId: owner, joinPolicy: 'open', memberIds: [999], large: false,
    }, 1)).rejects.toThrow(/999/);
    expect(await conversations.listUserConversations(owner, 10, 0)).toEqual([]);
    await expect(messages.append([{
      message: {
        id: '1', conversationId: 12345, seq: 1, senderId: owner, clientMsgId: 'c', serverTime: 1,
        content: new Uint8Array(), mentions: [], mentionAll: false, visibleTo: [],
      },
      timelineUsers: [owner],
      senderReadsOwn: false,
    }])).rejects.toThrow(/12345/);
    expect(await messages.timelineBounds(owner)).toEqual({ head: 0, oldest: 0 });
  });
});
