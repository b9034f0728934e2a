import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoomAdminAction, RoomMessageClass } from '@xinbox/protocol';
import type { RawClient, Transport } from '../support/raw-client.js';
import { startRoomNode, type RoomTestNode } from './support/room-node.js';
import {
  admin, createRoom, joined, roomEvents, roomMessages, roomName, send, textOf, waitForEvent, waitForMessages,
} from './support/room-client.js';

describe('rooms: delivery on real sockets', () => {
  let node: RoomTestNode;
  const clients: RawClient[] = [];
  const connect = async (prefix: string, transport: Transport = 'ws') => {
    const u = await node.user(prefix);
    const c = await u.connect('phone', transport);
    clients.push(c);
    return { user: u, c };
  };

  beforeAll(async () => {
    node = await startRoomNode({ rooms: { audienceEventMs: 200 } });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await node.stop();
  });

  it('delivers every ordinary message to every connected member at normal load, merged into few frames', async () => {
    const roomId = roomName('live');
    const { c: host } = await connect('host');
    await createRoom(host, roomId);
    await joined(host, roomId);
    const transports: Transport[] = ['ws', 'tcp', 'ws-json'];
    const members: RawClient[] = [host];
    for (let i = 0; i < 24; i++) {
      const { c } = await connect(`m${i}`, transports[i % 3]);
      await joined(c, roomId);
      members.push(c);
    }
    const senders = members.slice(1, 5);
    const sent: string[] = [];
    // Each sender stays inside its 5-message burst, so nothing is refused.
    const replies = await Promise.all(senders.flatMap((s, i) => Array.from({ length: 5 }, (_, k) => {
      sent.push(`dm-${i}-${k}`);
      return send(s, roomId, `dm-${i}-${k}`);
    })));
    for (const r of replies) expect(r.body.case).toBe('ok');
    for (const m of members) {
      const got = await waitForMessages(m, roomId, 'all danmaku', (list) => list.length >= sent.length);
      expect(got.map(textOf).sort()).toEqual([...sent].sort());
      for (const msg of got) {
        expect(msg.class).toBe(RoomMessageClass.ORDINARY);
        expect(msg.seq).toBe(0);
        expect(BigInt(msg.id)).toBeGreaterThan(0n);
      }
    }
    // Ordinary messages of one tick share one RoomPush frame, so far fewer frames than messages.
    const pushFrames = members[7]!.frames.filter((f) => f.body.case === 'roomPush').length;
    expect(pushFrames).toBeLessThan(sent.length);
    expect(node.rooms.service.droppedIn(roomId)).toBe(0);
    // Senders appear as themselves.
    const bySender = new Set(roomMessages(host, roomId).map((m) => m.senderId));
    expect(bySender.size).toBe(4);
  });

  it('reports the audience in RoomJoined and in periodic audience events', async () => {
    const roomId = roomName('aud');
    const { c: host } = await connect('host');
    await createRoom(host, roomId);
    expect((await joined(host, roomId)).audience).toBe(1);
    const { c: a } = await connect('a');
    const { c: b } = await connect('b');
    expect((await joined(a, roomId)).audience).toBe(2);
    expect((await joined(b, roomId)).audience).toBe(3);
    await waitForEvent(host, roomId, 'audience', (e) => e.audience === 3);
    expect((await b.request({ case: 'roomLeave', value: { roomId } })).body.case).toBe('ok');
    await waitForEvent(host, roomId, 'audience', (e) => e.audience === 2);
    await waitForEvent(a, roomId, 'audience', (e) => e.audience === 2);
    // b left: it hears nothing more from the room.
    const before = b.frames.length;
    await send(host, roomId, 'after b left');
    await waitForMessages(a, roomId, 'message after leave', (l) => l.some((m) => textOf(m) === 'after b left'));
    expect(b.frames.slice(before).filter((f) => f.body.case === 'roomPush')).toHaveLength(0);
    // A disconnect counts as leaving.
    a.close();
    await waitForEvent(host, roomId, 'audience', (e) => e.audience === 1);
  });

  it('stores reliable messages with seq 1, 2, 3, acks them, and pushes them to everyone once per clientMsgId', async () => {
    const roomId = roomName('gift');
    const { c: host } = await connect('host');
    await createRoom(host, roomId);
    await joined(host, roomId);
    const { c: fan } = await connect('fan');
    const { c: viewer } = await connect('viewer', 'tcp');
    await joined(fan, roomId);
    await joined(viewer, roomId);
    const acks = [];
    for (let i = 1; i <= 3; i++) acks.push(await send(fan, roomId, `gift ${i}`, { reliable: true, clientMsgId: `g${i}` }));
    expect(acks.map((a) => (a.body.case === 'sendAck' ? [a.body.value.seq, a.body.value.duplicate, a.body.value.clientMsgId] : a.body.case))).toEqual([
      [1, false, 'g1'], [2, false, 'g2'], [3, false, 'g3'],
    ]);
    const retry = await send(fan, roomId, 'gift 2 again', { reliable: true, clientMsgId: 'g2' });
    expect(retry.body.case === 'sendAck' && [retry.body.value.seq, retry.body.value.duplicate]).toEqual([2, true]);
    for (const c of [host, fan, viewer]) {
      const got = await waitForMessages(c, roomId, 'three gifts', (l) => l.filter((m) => m.seq > 0).length >= 3);
      expect(got.filter((m) => m.seq > 0).map((m) => [m.seq, textOf(m), m.class])).toEqual([
        [1, 'gift 1', RoomMessageClass.RELIABLE], [2, 'gift 2', RoomMessageClass.RELIABLE], [3, 'gift 3', RoomMessageClass.RELIABLE],
      ]);
    }
    // A later joiner starts at the current seq.
    const { c: late } = await connect('late');
    expect((await joined(late, roomId)).lastSeq).toBe(3);
  });

  it('pins a notice: pushed as a reliable message with a pinned event, returned in RoomJoined, and cleared', async () => {
    const roomId = roomName('pin');
    const { c: host } = await connect('host');
    await createRoom(host, roomId);
    await joined(host, roomId);
    const { c: viewer } = await connect('viewer');
    await joined(viewer, roomId);
    expect((await admin(host, roomId, RoomAdminAction.PIN, { text: '今晚八点抽奖' })).body.case).toBe('ok');
    const [pin] = await waitForMessages(viewer, roomId, 'pinned notice', (l) => l.length >= 1);
    expect([pin!.seq, textOf(pin!)]).toEqual([1, '今晚八点抽奖']);
    await waitForEvent(viewer, roomId, 'pinned');
    // The event comes after the message it announces.
    const pushAt = viewer.frames.findIndex((f) => f.body.case === 'roomPush');
    const eventAt = viewer.frames.findIndex((f) => f.body.case === 'roomEvent' && f.body.value.kind === 'pinned');
    expect(eventAt).toBeGreaterThan(pushAt);
    const { c: late } = await connect('late');
    const j = await joined(late, roomId);
    expect(j.pinned && [j.pinned.seq, textOf(j.pinned)]).toEqual([1, '今晚八点抽奖']);
    expect((await admin(host, roomId, RoomAdminAction.PIN)).body.case).toBe('ok');
    await waitFor(() => roomEvents(viewer, roomId, 'pinned').length === 2);
    const { c: later } = await connect('later');
    expect((await joined(later, roomId)).pinned).toBeUndefined();
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
