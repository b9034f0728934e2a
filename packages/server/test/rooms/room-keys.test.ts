/**
 * Room keys (ADR 0013: room ids per app). The key functions, and the room
 * service keyed by another app's key: what it encodes for the audience, its
 * webhook events and its error texts carry the client's id, never the key.
 * (The same over sockets and HTTP: test/e2e/apps-rooms.test.ts.)
 */
import { ContentSchema, Errors, RoomMessageSchema, XinboxError, create, fromBinary, toBinary } from '@xinbox/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryRoomStore } from '../../src/adapters/memory/memory-room-store.js';
import type { OutboundRoomMessage, RoomBroadcaster, RoomNotice } from '../../src/core/rooms/room-broadcaster.js';
import { appOfRoomKey, clientRoomId, parseRoomKey, roomKey, unvalidatedRoomKey } from '../../src/core/rooms/room-id.js';
import { roomOptions } from '../../src/core/rooms/room-options.js';
import { RoomService } from '../../src/core/rooms/room-service.js';
import { encodeWireRoomMessage, toWireRoomMessage } from '../../src/core/rooms/room-wire.js';
import { waitFor } from '../support/wait-for.js';

const codeOf = (f: () => unknown): number | 'ok' => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as XinboxError).code;
  }
};

describe('room keys', () => {
  it('keys a default-app id as itself and another app\'s as <app>~<id>, and turns keys back', () => {
    expect(roomKey('default', 'lobby')).toBe('lobby');
    expect(roomKey('shop-b', 'lobby')).toBe('shop-b~lobby');
    expect(roomKey('shop-b', 'a.b:c_d-E')).toBe('shop-b~a.b:c_d-E');
    expect([clientRoomId('lobby'), clientRoomId('shop-b~lobby')]).toEqual(['lobby', 'lobby']);
    expect([appOfRoomKey('lobby'), appOfRoomKey('shop-b~lobby')]).toEqual(['default', 'shop-b']);
    // A client's id never holds the separator, so no default-app id looks like another app's key.
    for (const bad of ['shop-b~lobby', '~lobby', '', 'x'.repeat(65), 'a/b', 'a b']) {
      expect(codeOf(() => roomKey('default', bad))).toBe(Errors.INVALID_ARGUMENT.code);
      expect(codeOf(() => roomKey('shop-b', bad))).toBe(Errors.INVALID_ARGUMENT.code);
      // Unvalidated (acks): never a key of a validated id, so it finds no joined room.
      const unchecked = unvalidatedRoomKey('shop-b', bad);
      expect(unchecked.indexOf('~') !== unchecked.lastIndexOf('~') || !/^shop-b~[A-Za-z0-9_.:-]{1,64}$/.test(unchecked)).toBe(true);
    }
    expect([unvalidatedRoomKey('default', 'lobby'), unvalidatedRoomKey('shop-b', 'lobby')]).toEqual(['lobby', 'shop-b~lobby']);
  });

  it('parses the operator\'s keys: a default-app id, or <app>~<id> for another app', () => {
    expect(parseRoomKey('lobby')).toBe('lobby');
    expect(parseRoomKey('shop-b~lobby')).toBe('shop-b~lobby');
    for (const bad of ['default~lobby', 'Shop~lobby', 'ab~lobby', '~lobby', 'shop-b~', 'shop-b~a~b', `${'a'.repeat(33)}~lobby`]) {
      expect([bad, codeOf(() => parseRoomKey(bad))]).toEqual([bad, Errors.INVALID_ARGUMENT.code]);
    }
  });

  it('puts the client\'s id on the wire objects and encodings of a keyed message, reusing a default-app message as is', () => {
    const m = { roomId: 'shop-b~lobby', id: '7', senderId: 3, seq: 2, serverTime: 1, content: new Uint8Array() };
    expect(toWireRoomMessage(m).roomId).toBe('lobby');
    expect(fromBinary(RoomMessageSchema, encodeWireRoomMessage(m)).roomId).toBe('lobby');
    expect(fromBinary(RoomMessageSchema, encodeWireRoomMessage({ ...m, roomId: 'lobby' })).roomId).toBe('lobby');
  });
});

describe('room service on another app\'s key', () => {
  let service: RoomService | null = null;
  afterEach(() => service?.stop());

  it('encodes messages and notices for the audience, emits events and words errors with the client\'s id', async () => {
    const batches: Array<{ key: string; messages: readonly OutboundRoomMessage[] }> = [];
    const notices: Array<{ key: string; notice: RoomNotice }> = [];
    const broadcaster: RoomBroadcaster = {
      messages: (key, messages) => batches.push({ key, messages }),
      notice: (key, notice) => notices.push({ key, notice }),
      shareAudience: () => undefined,
    };
    const events: Array<{ type: string; orderKey: string; data: Record<string, unknown> }> = [];
    let id = 0;
    service = new RoomService({
      store: new MemoryRoomStore(), broadcaster, ids: { next: () => String(++id) }, options: roomOptions({ tickMs: 5 }),
      events: { emit: (type, orderKey, data) => events.push({ type, orderKey, data }) },
    });
    const host = { userId: 11, deviceId: 'd' };
    const key = roomKey('shop-b', 'lobby');
    await service.create(host, key);
    // Another app's room of the same id is another room.
    await service.create({ userId: 12, deviceId: 'd' }, 'lobby');
    const content = toBinary(ContentSchema, create(ContentSchema, { kind: { case: 'text', value: { text: 'x' } } }));
    await service.send(host, { roomId: key, reliable: false, content, clientMsgId: '', joined: true });
    const ack = await service.send(host, { roomId: key, reliable: true, content, clientMsgId: 'g', joined: true });
    expect(ack?.seq).toBe(1);
    await waitFor('the tick', () => batches.length > 0);
    // Routed by key (the fan-out's index), encoded with the client's id.
    expect(batches.map((b) => b.key)).toEqual([key]);
    expect(batches[0]!.messages.map((m) => [m.seq, fromBinary(RoomMessageSchema, m.bytes).roomId])).toEqual([[0, 'lobby'], [1, 'lobby']]);
    expect((await service.pull(host, key, 0, 0, true)).messages.map((m) => toWireRoomMessage(m).roomId)).toEqual(['lobby']);
    // The other app's host cannot take the id; the error names the client's id.
    const taken = await service.create({ userId: 13, deviceId: 'd' }, key).catch((e: XinboxError) => e);
    expect([taken instanceof XinboxError && taken.code, (taken as Error).message]).toEqual([Errors.PERMISSION_DENIED.code, 'room id lobby is taken']);
    await service.admin(host, key, { action: 'close' });
    expect(notices).toEqual([{ key, notice: { kind: 'closed' } }]);
    const roomEvents = events.filter((e) => e.data.hostId === '11' || e.data.actorId === '11');
    expect(roomEvents.map((e) => [e.type, e.orderKey, e.data.roomId])).toEqual([['room.created', 'room:lobby', 'lobby'], ['room.closed', 'room:lobby', 'lobby']]);
    const reused = await service.create(host, key).catch((e: XinboxError) => e);
    expect((reused as Error).message).toBe('room lobby was closed; its id cannot be reused');
    // The default app's room is untouched by the close.
    expect(await service.hostOf('lobby')).toBe(12);
  });
});
