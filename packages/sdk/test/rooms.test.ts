import { RoomJoinedSchema, RoomMessageClass, RoomMessageSchema, RoomPullResultSchema, RoomPushSchema, create, type RoomMessage } from '@xinbox/protocol';
import { describe, expect, it } from 'vitest';
import { RoomTracker, type RoomRpc } from '../src/rooms.js';

/** A room's server side: reliable messages get seq 1, 2, 3 ...; ordinary ones seq 0. */
class FakeRoom implements RoomRpc {
  readonly reliable: RoomMessage[] = [];
  readonly calls: string[] = [];
  readonly acks: Array<[string, number]> = [];
  private id = 100;

  post(reliable: boolean): RoomMessage {
    const m = create(RoomMessageSchema, {
      roomId: 'live',
      id: String(this.id++),
      senderId: '9',
      class: reliable ? RoomMessageClass.RELIABLE : RoomMessageClass.ORDINARY,
      seq: reliable ? this.reliable.length + 1 : 0,
    });
    if (reliable) this.reliable.push(m);
    return m;
  }

  async join(roomId: string, afterSeq: number) {
    this.calls.push(`join ${roomId} ${afterSeq}`);
    return create(RoomJoinedSchema, { roomId, lastSeq: this.reliable.length, audience: 1 });
  }

  async pull(roomId: string, afterSeq: number, limit: number) {
    this.calls.push(`pull ${roomId} ${afterSeq}`);
    const messages = this.reliable.filter((m) => m.seq > afterSeq).slice(0, limit);
    return create(RoomPullResultSchema, { messages, hasMore: afterSeq + messages.length < this.reliable.length });
  }

  ack(roomId: string, seq: number): void {
    this.acks.push([roomId, seq]);
  }
}

const push = (...messages: RoomMessage[]) => create(RoomPushSchema, { messages });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup() {
  const room = new FakeRoom();
  const got: RoomMessage[] = [];
  const tracker = new RoomTracker({ deliver: (m) => got.push(m), changed: () => undefined, error: (e) => { throw e; } });
  return { room, got, tracker };
}

describe('RoomTracker', () => {
  it('a first join starts at the current seq; new messages flow, ordinary ones unordered', async () => {
    const { room, got, tracker } = setup();
    room.post(true);
    room.post(true);
    await tracker.attach(room);
    await tracker.join('live');
    expect(room.calls).toEqual(['join live 0']);
    tracker.onPush(push(room.post(false), room.post(true), room.post(false)));
    expect(got.map((m) => m.seq)).toEqual([0, 3, 0]);
    await sleep(5);
    expect(room.acks).toEqual([['live', 3]]);
  });

  it('fills a gap in reliable messages with RoomPull and keeps their order', async () => {
    const { room, got, tracker } = setup();
    await tracker.attach(room);
    await tracker.join('live');
    const m1 = room.post(true);
    room.post(true); // lost
    const m3 = room.post(true);
    tracker.onPush(push(m1));
    tracker.onPush(push(m3));
    await sleep(10);
    expect(room.calls).toContain('pull live 1');
    expect(got.map((m) => m.seq)).toEqual([1, 2, 3]);
  });

  it('after a reconnect rejoins from the last seq and pulls what was missed, once', async () => {
    const { room, got, tracker } = setup();
    await tracker.attach(room);
    await tracker.join('live');
    tracker.onPush(push(room.post(true)));
    tracker.detach();
    room.post(true);
    room.post(true);
    await tracker.attach(room);
    expect(room.calls).toEqual(['join live 0', 'join live 1', 'pull live 1']);
    expect(got.map((m) => m.seq)).toEqual([1, 2, 3]);
    // The server may also push the missed ones after RoomJoined: no duplicates.
    tracker.onPush(push(room.reliable[1]!, room.reliable[2]!));
    expect(got.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(tracker.positions()).toEqual({ live: 3 });
  });

  it('ignores pushes for rooms it left', async () => {
    const { room, got, tracker } = setup();
    await tracker.attach(room);
    await tracker.join('live');
    tracker.leave('live');
    tracker.onPush(push(room.post(true)));
    expect(got).toEqual([]);
    expect(tracker.rooms()).toEqual([]);
  });
});
