import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RoomAdminAction } from '@xinbox/protocol';
import type { RawClient } from '../support/raw-client.js';
import { startRoomNode, type RoomTestNode } from './support/room-node.js';
import {
  admin, createRoom, errorName, join, joined, roomMessages, roomName, send, textOf, waitForEvent, waitForMessages,
} from './support/room-client.js';

describe('rooms: host controls on real sockets', () => {
  let node: RoomTestNode;
  const clients: RawClient[] = [];
  const connect = async (prefix: string) => {
    const user = await node.user(prefix);
    const c = await user.connect();
    clients.push(c);
    return { user, c };
  };

  beforeAll(async () => {
    // A short state cache so an expired kick is seen quickly.
    node = await startRoomNode({ storage: 'memory', rooms: { stateCacheMs: 100 } });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await node.stop();
  });

  async function liveRoom() {
    const roomId = roomName('adm');
    const host = await connect('host');
    await createRoom(host.c, roomId);
    await joined(host.c, roomId);
    return { roomId, host: host.c };
  }

  it('lets anyone create a room and become its host; the id is then taken', async () => {
    const roomId = roomName('own');
    const { c: alice } = await connect('alice');
    const { c: bob } = await connect('bob');
    expect(errorName(await join(alice, roomId))).toBe('ROOM_NOT_FOUND');
    await createRoom(alice, roomId);
    await createRoom(alice, roomId); // idempotent for the host
    expect(errorName(await admin(bob, roomId, RoomAdminAction.CREATE))).toBe('PERMISSION_DENIED');
    expect(errorName(await admin(bob, 'bad room id!', RoomAdminAction.CREATE))).toBe('INVALID_ARGUMENT');
    await joined(bob, roomId);
    for (const action of [RoomAdminAction.MUTE, RoomAdminAction.KICK, RoomAdminAction.CLOSE, RoomAdminAction.PIN]) {
      const r = await admin(bob, roomId, action, { userId: '1', until: 0, text: 'x' });
      expect(errorName(r)).toBe('PERMISSION_DENIED');
    }
  });

  it('refuses sends to rooms the connection has not joined', async () => {
    const { roomId } = await liveRoom();
    const { c } = await connect('outsider');
    expect(errorName(await send(c, roomId, 'hi'))).toBe('NOT_IN_ROOM');
    expect(errorName(await send(c, roomName('nowhere'), 'hi'))).toBe('ROOM_NOT_FOUND');
  });

  it('enforces a mute until it is lifted, and tells the muted user', async () => {
    const { roomId, host } = await liveRoom();
    const { user, c: loud } = await connect('loud');
    await joined(loud, roomId);
    expect((await send(loud, roomId, 'before')).body.case).toBe('ok');
    const until = Date.now() + 60_000;
    expect((await admin(host, roomId, RoomAdminAction.MUTE, { userId: user.userId, until })).body.case).toBe('ok');
    const muted = await waitForEvent(loud, roomId, 'muted');
    expect(muted.userId).toBe(user.userId);
    const refused = await send(loud, roomId, 'while muted');
    expect(errorName(refused)).toBe('MUTED');
    expect(errorName(await send(loud, roomId, 'gift while muted', { reliable: true }))).toBe('MUTED');
    // The muted user still receives the room.
    await send(host, roomId, 'host speaks');
    await waitForMessages(loud, roomId, 'host message', (l) => l.some((m) => textOf(m) === 'host speaks'));
    expect((await admin(host, roomId, RoomAdminAction.UNMUTE, { userId: user.userId })).body.case).toBe('ok');
    await waitForEvent(loud, roomId, 'unmuted');
    expect((await send(loud, roomId, 'after')).body.case).toBe('ok');
    const texts = (await waitForMessages(host, roomId, 'after', (l) => l.some((m) => textOf(m) === 'after'))).map(textOf);
    expect(texts).not.toContain('while muted');
  });

  it('removes a kicked user, refuses rejoining until `until`, then lets them back', async () => {
    const { roomId, host } = await liveRoom();
    const { user, c: rude } = await connect('rude');
    const { c: other } = await connect('other');
    await joined(rude, roomId);
    await joined(other, roomId);
    const until = Date.now() + 1500;
    expect((await admin(host, roomId, RoomAdminAction.KICK, { userId: user.userId, until })).body.case).toBe('ok');
    const kicked = await waitForEvent(rude, roomId, 'kicked');
    expect(kicked.userId).toBe(user.userId);
    // Others are not told about it and stay in.
    expect(other.frames.some((f) => f.body.case === 'roomEvent' && f.body.value.kind === 'kicked')).toBe(false);

    await send(host, roomId, 'after the kick');
    await waitForMessages(other, roomId, 'message after kick', (l) => l.some((m) => textOf(m) === 'after the kick'));
    expect(roomMessages(rude, roomId).map(textOf)).not.toContain('after the kick');
    expect(errorName(await send(rude, roomId, 'let me in'))).toBe('ROOM_KICKED');
    expect(errorName(await join(rude, roomId))).toBe('ROOM_KICKED');
    // Another device of the same user is refused too.
    const second = await user.connect('tablet');
    clients.push(second);
    expect(errorName(await join(second, roomId))).toBe('ROOM_KICKED');

    await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now() + 50)));
    await joined(rude, roomId);
    expect((await send(rude, roomId, 'sorry')).body.case).toBe('ok');
  });

  it('rejects admin actions that make no sense', async () => {
    const { roomId, host } = await liveRoom();
    const { user } = await connect('target');
    expect(errorName(await admin(host, roomId, RoomAdminAction.MUTE, { userId: user.userId, until: Date.now() - 1 }))).toBe('INVALID_ARGUMENT');
    expect(errorName(await admin(host, roomId, RoomAdminAction.UNSPECIFIED))).toBe('INVALID_ARGUMENT');
    expect(errorName(await admin(host, roomId, RoomAdminAction.KICK, { userId: '0', until: 0 }))).toBe('INVALID_ARGUMENT');
  });

  it('closes a room for everyone: a closed event, then the room is gone for good', async () => {
    const { roomId, host } = await liveRoom();
    const { c: a } = await connect('a');
    const { c: b } = await connect('b');
    await joined(a, roomId);
    await joined(b, roomId);
    expect((await admin(host, roomId, RoomAdminAction.CLOSE)).body.case).toBe('ok');
    for (const c of [host, a, b]) await waitForEvent(c, roomId, 'closed');
    expect(node.rooms.fanout.audience(roomId)).toBe(0);
    expect(errorName(await send(a, roomId, 'anyone?'))).toBe('ROOM_NOT_FOUND');
    expect(errorName(await join(b, roomId))).toBe('ROOM_NOT_FOUND');
    expect(errorName(await b.request({ case: 'roomPull', value: { roomId, afterSeq: 0, limit: 10 } }))).toBe('ROOM_NOT_FOUND');
    expect(errorName(await admin(host, roomId, RoomAdminAction.CREATE))).toBe('INVALID_ARGUMENT');
  });
});
