import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoomAdminAction, type RoomMessage } from '@xinbox/protocol';
import { MemoryCursorStore, XinboxClient } from '@xinbox/sdk';
import { device, register, type Account, type RawClient } from '../support/raw-client.js';
import { startTestNode } from '../support/server.js';
import { admin, errorName, joined, roomName, send, textOf, waitForEvent, waitForMessages } from './support/room-client.js';

type Node = Awaited<ReturnType<typeof startTestNode>>;

/**
 * Rooms through startXinbox itself: proves node.ts wires createRooms (the
 * handlers, and onConnectionClosed in the gateway's closed hook). A node
 * without rooms fails here (UNKNOWN_OPERATION); the other files in this
 * folder cover rooms through their own gateway.
 */
describe.each(['sqlite', 'memory'] as const)('rooms wired into startXinbox on %s', (storage) => {
  let node: Node;
  let host: Account;
  let viewer: Account;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    node = await startTestNode({ storage });
    [host, viewer] = await Promise.all([register(node.httpUrl, 'host'), register(node.httpUrl, 'viewer')]);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await node.cleanup();
  });

  it('creates, joins, delivers both classes, and forgets closed connections', async () => {
    const h = await device(node, host, 'h-phone');
    clients.push(h);
    const roomId = roomName('wired');
    const created = await admin(h, roomId, RoomAdminAction.CREATE);
    expect(errorName(created) ?? created.body.case).toBe('ok');
    await joined(h, roomId);

    const v = await device(node, viewer, 'v-phone', 'tcp');
    clients.push(v);
    expect((await joined(v, roomId)).audience).toBe(2);
    expect((await send(h, roomId, 'hello room')).body.case).toBe('ok');
    const gift = await send(v, roomId, 'a gift', { reliable: true, clientMsgId: 'gift-1' });
    expect(gift.body.case === 'sendAck' && gift.body.value.seq).toBe(1);
    const got = await waitForMessages(v, roomId, 'both messages', (l) => l.length >= 2);
    expect(got.map((m) => [textOf(m), m.seq])).toEqual([['hello room', 0], ['a gift', 1]]);

    // The gateway's closed hook must drop the viewer from the room.
    v.close();
    await waitForEvent(h, roomId, 'audience', (e) => e.audience === 1, 5000);
  });

  it('works with the SDK: gifts sent while it was away arrive once each, in order, after it reconnects', async () => {
    const h = await device(node, host, 'h-laptop');
    clients.push(h);
    const roomId = roomName('sdk');
    const created = await admin(h, roomId, RoomAdminAction.CREATE);
    expect(errorName(created) ?? created.body.case).toBe('ok');
    await joined(h, roomId);

    const sdk = new XinboxClient({ baseUrl: node.httpUrl, deviceId: 'sdk-phone', cursorStore: new MemoryCursorStore(), autoListConversations: false });
    const seen: RoomMessage[] = [];
    sdk.on('room', (m) => seen.push(m));
    await sdk.login(viewer.username, viewer.password);
    await sdk.connect();
    try {
      const j = await sdk.joinRoom(roomId);
      expect(j.roomId).toBe(roomId);
      await sdk.sendRoom(roomId, 'hi from the sdk');
      const ack = await sdk.sendRoom(roomId, 'sdk gift', { reliable: true });
      expect(ack?.seq).toBe(1);
      await waitForSeen(seen, (l) => l.some((m) => m.seq === 1));

      await sdk.close();
      for (let i = 2; i <= 4; i++) await send(h, roomId, `gift ${i}`, { reliable: true, clientMsgId: `sdk-g${i}` });
      await sdk.connect();
      await waitForSeen(seen, (l) => l.some((m) => m.seq === 4), 3000);
      await new Promise((r) => setTimeout(r, 300));
      expect(seen.filter((m) => m.seq > 0).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
      expect(seen.filter((m) => m.seq === 0).map(textOf)).toEqual(['hi from the sdk']);
    } finally {
      await sdk.close();
    }
  });
});

async function waitForSeen(seen: RoomMessage[], check: (l: RoomMessage[]) => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check(seen)) {
    if (Date.now() > deadline) throw new Error(`timed out; saw seqs ${seen.map((m) => m.seq).join(',')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
