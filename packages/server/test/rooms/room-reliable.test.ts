import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawClient } from '../support/raw-client.js';
import { startRoomNode, type RoomTestNode, type TestUser } from './support/room-node.js';
import { ack, createRoom, errorName, join, joined, roomMessages, roomName, send, textOf, waitForMessages } from './support/room-client.js';

describe('rooms: reliable messages (default retransmission: 3 tries, 1 s apart)', () => {
  let node: RoomTestNode;
  const clients: RawClient[] = [];
  const connect = async (u: TestUser, deviceId = 'phone') => {
    const c = await u.connect(deviceId);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    node = await startRoomNode();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await node.stop();
  });

  async function roomWithHost() {
    const roomId = roomName('rel');
    const hostUser = await node.user('host');
    const host = await connect(hostUser);
    await createRoom(host, roomId);
    await joined(host, roomId);
    return { roomId, host };
  }

  it('gives a client that was disconnected during a reliable push the message within 3 s of reconnecting', async () => {
    const { roomId, host } = await roomWithHost();
    const viewerUser = await node.user('viewer');
    const viewer = await connect(viewerUser);
    await joined(viewer, roomId);
    await send(host, roomId, 'gift 1', { reliable: true, clientMsgId: 'r1' });
    const [first] = await waitForMessages(viewer, roomId, 'gift 1', (l) => l.length >= 1);
    ack(viewer, roomId, first!.seq);

    // The viewer's network drops; gifts keep coming while it is away.
    viewer.close();
    await viewer.waitClosed();
    for (let i = 2; i <= 4; i++) await send(host, roomId, `gift ${i}`, { reliable: true, clientMsgId: `r${i}` });

    const started = Date.now();
    const back = await connect(viewerUser);
    const rejoined = await joined(back, roomId, first!.seq);
    expect(rejoined.lastSeq).toBe(4);
    const missed = await waitForMessages(back, roomId, 'missed gifts', (l) => l.filter((m) => m.seq > 1).length >= 3, 3000);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(missed.map((m) => [m.seq, textOf(m)])).toEqual([[2, 'gift 2'], [3, 'gift 3'], [4, 'gift 4']]);
    // The RoomJoined reply comes before the catch-up push.
    const joinedAt = back.frames.findIndex((f) => f.body.case === 'roomJoined');
    const pushAt = back.frames.findIndex((f) => f.body.case === 'roomPush');
    expect(joinedAt).toBeGreaterThanOrEqual(0);
    expect(pushAt).toBeGreaterThan(joinedAt);
  });

  it('retransmits an unacknowledged reliable message 3 times within about 3 s, and not after an ack', async () => {
    const { roomId, host } = await roomWithHost();
    const silent = await connect(await node.user('silent'));
    const polite = await connect(await node.user('polite'));
    await joined(silent, roomId);
    await joined(polite, roomId);
    ack(host, roomId, 1_000_000); // the host is not under test
    const sentAt = Date.now();
    await send(host, roomId, 'red packet', { reliable: true, clientMsgId: 'rp' });
    const [m] = await waitForMessages(polite, roomId, 'red packet', (l) => l.length >= 1);
    ack(polite, roomId, m!.seq);

    const copies = await waitForMessages(silent, roomId, 'three retransmissions', (l) => l.length >= 4, 5000);
    expect(Date.now() - sentAt).toBeLessThan(4000);
    expect(copies.map((x) => x.seq)).toEqual([1, 1, 1, 1]);
    // No fourth retransmission, and the polite viewer got it exactly once.
    await new Promise((r) => setTimeout(r, 1500));
    expect(roomMessages(silent, roomId)).toHaveLength(4);
    expect(roomMessages(polite, roomId)).toHaveLength(1);
  });

  it('stops retransmitting once the connection acks', async () => {
    const { roomId, host } = await roomWithHost();
    const late = await connect(await node.user('late'));
    await joined(late, roomId);
    ack(host, roomId, 1_000_000);
    await send(host, roomId, 'gift', { reliable: true, clientMsgId: 'g' });
    await waitForMessages(late, roomId, 'first retransmission', (l) => l.length >= 2, 3000);
    ack(late, roomId, 1);
    await new Promise((r) => setTimeout(r, 2500));
    expect(roomMessages(late, roomId)).toHaveLength(2);
  });

  it('serves RoomPull pages after a seq, only to connections in the room', async () => {
    const { roomId, host } = await roomWithHost();
    for (let i = 1; i <= 5; i++) await send(host, roomId, `gift ${i}`, { reliable: true, clientMsgId: `p${i}` });
    await send(host, roomId, 'not stored'); // ordinary: never pullable
    const reader = await connect(await node.user('reader'));
    const pull = (afterSeq: number, limit: number) => reader.request({ case: 'roomPull', value: { roomId, afterSeq, limit } });
    expect(errorName(await pull(0, 10))).toBe('NOT_IN_ROOM');
    await joined(reader, roomId);
    const page = await pull(1, 3);
    expect(page.body.case === 'roomPullResult' && [page.body.value.messages.map((m) => m.seq), page.body.value.hasMore]).toEqual([[2, 3, 4], true]);
    const rest = await pull(4, 0);
    expect(rest.body.case === 'roomPullResult' && [rest.body.value.messages.map((m) => [m.seq, textOf(m)]), rest.body.value.hasMore]).toEqual([[[5, 'gift 5']], false]);
    // Joining with afterSeq beyond what exists is fine and returns nothing to catch up on.
    const j = await join(reader, roomId, 5);
    expect(j.body.case === 'roomJoined' && j.body.value.lastSeq).toBe(5);
  });
});
