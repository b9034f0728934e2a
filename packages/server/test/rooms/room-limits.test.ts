import { afterEach, describe, expect, it } from 'vitest';
import type { Frame } from '@xinbox/protocol';
import type { RawClient } from '../support/raw-client.js';
import { startRoomNode, type RoomTestNode } from './support/room-node.js';
import { createRoom, errorName, joined, roomMessages, roomName, send, textOf, waitForMessages } from './support/room-client.js';

describe('rooms: rate limits and overload on real sockets', () => {
  let node: RoomTestNode | undefined;
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await node?.stop();
    node = undefined;
  });

  async function room(options: Parameters<typeof startRoomNode>[0]) {
    node = await startRoomNode(options);
    const host = await (await node.user('host')).connect();
    clients.push(host);
    const roomId = roomName('lim');
    await createRoom(host, roomId);
    await joined(host, roomId);
    return { node, host, roomId };
  }

  it('refuses a user beyond 5 sends per second with a retryable RATE_LIMITED, then lets them continue', async () => {
    const { node, host, roomId } = await room({ storage: 'memory' });
    const spammer = await (await node.user('spam')).connect();
    clients.push(spammer);
    await joined(spammer, roomId);
    const burstStart = Date.now();
    const replies = await Promise.all(Array.from({ length: 12 }, (_, i) => send(spammer, roomId, `spam ${i}`)));
    // 5 at once, plus one per 200 ms the burst took to arrive (normally none).
    const refilled = Math.floor(((Date.now() - burstStart) * 5) / 1000);
    const ok = replies.filter((r) => r.body.case === 'ok');
    const limited = replies.filter((r) => errorName(r) === 'RATE_LIMITED');
    expect(ok.length).toBeGreaterThanOrEqual(5);
    expect(ok.length).toBeLessThanOrEqual(5 + refilled);
    expect(ok.length + limited.length).toBe(12);
    expect(limited.every((r: Frame) => r.body.case === 'error' && r.body.value.retryable)).toBe(true);
    // Reliable sends draw from the same budget.
    expect(errorName(await send(spammer, roomId, 'gift', { reliable: true }))).toBe('RATE_LIMITED');
    // Other users are not affected.
    expect((await send(host, roomId, 'host is fine')).body.case).toBe('ok');
    expect(node.rooms.stats().rateLimited).toBe(limited.length + 1);
    // The bucket refills at 5/s.
    await new Promise((r) => setTimeout(r, 450));
    expect((await send(spammer, roomId, 'later')).body.case).toBe('ok');
    const got = await waitForMessages(host, roomId, 'accepted spam', (l) => l.some((m) => textOf(m) === 'later'));
    expect(got.filter((m) => textOf(m).startsWith('spam'))).toHaveLength(ok.length);
  });

  it('thins an overloaded room to its cap, keeps the newest, never drops reliable messages, and counts every drop', async () => {
    // 40 ordinary/s per room in 50 ms ticks; senders may burst far above it.
    const { node, host, roomId } = await room({ storage: 'sqlite', rooms: { roomOrdinaryPerSec: 40, tickMs: 50, userSendPerSec: 10_000, userSendBurst: 10_000 } });
    const viewer = await (await node.user('viewer')).connect('phone', 'tcp');
    clients.push(viewer);
    await joined(viewer, roomId);
    const senders: RawClient[] = [];
    for (let i = 0; i < 4; i++) {
      const s = await (await node.user(`flood${i}`)).connect();
      clients.push(s);
      await joined(s, roomId);
      senders.push(s);
    }
    const total = 4 * 150;
    const started = Date.now();
    const replies = await Promise.all(senders.flatMap((s, i) => Array.from({ length: 150 }, (_, k) => send(s, roomId, `flood ${i}-${k}`))));
    expect(replies.every((r) => r.body.case === 'ok')).toBe(true); // accepted, then thinned
    const gift = await send(senders[0]!, roomId, 'gift in the flood', { reliable: true, clientMsgId: 'gift' });
    expect(gift.body.case).toBe('sendAck');
    await send(senders[3]!, roomId, 'the very last');

    const got = await waitForMessages(viewer, roomId, 'the newest message and the gift', (l) =>
      l.some((m) => textOf(m) === 'the very last') && l.some((m) => m.seq === 1));
    await new Promise((r) => setTimeout(r, 200)); // let any later tick land
    const received = roomMessages(viewer, roomId).filter((m) => m.seq === 0);
    const elapsedSec = (Date.now() - started) / 1000;
    const stats = node.rooms.stats();
    expect(stats.ordinaryAccepted).toBe(total + 1);
    // Every accepted ordinary message was either delivered or counted as dropped.
    expect(received.length + stats.ordinaryDropped).toBe(total + 1);
    expect(node.rooms.service.droppedIn(roomId)).toBe(stats.ordinaryDropped);
    expect(stats.ordinaryDropped).toBeGreaterThan(total / 2);
    // Never above the cap (plus the two-tick bucket) over the time it took.
    expect(received.length).toBeLessThanOrEqual(Math.ceil(40 * elapsedSec) + 4);
    expect(got.filter((m) => m.seq > 0).map(textOf)).toEqual(['gift in the flood']);
    // Every viewer saw the same thinned stream.
    const hostSaw = roomMessages(host, roomId).filter((m) => m.seq === 0).map((m) => m.id);
    expect(hostSaw).toEqual(received.map((m) => m.id));
  });
});
