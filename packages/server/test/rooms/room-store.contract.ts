import { describe, expect, it } from 'vitest';
import { RoomUnavailableError, type NewRoomMessage, type RoomRestriction, type RoomStore, type StoredRoomMessage } from '../../src/core/ports/room-store.js';
import { nextMessageId, uniqueName, uniqueUserId, useFixture, type FixtureFactory } from '../contracts/contract-support.js';

export interface RoomStorePorts {
  readonly rooms: RoomStore;
}

function newMessage(senderId: number, extra: Partial<NewRoomMessage> = {}): NewRoomMessage {
  return {
    id: extra.id ?? nextMessageId(),
    senderId,
    clientMsgId: extra.clientMsgId ?? uniqueName('cmid'),
    serverTime: extra.serverTime ?? Date.now(),
    content: extra.content ?? new TextEncoder().encode(uniqueName('gift')),
  };
}

const seqs = (list: readonly StoredRoomMessage[]) => list.map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * The RoomStore contract (see core/ports/room-store.ts), for every adapter.
 * Tests make their own room ids and users, so one shared database serves all
 * of them; with `openPeer` the concurrency tests write through two handles.
 */
export function describeRoomStoreContract(name: string, makeStores: FixtureFactory<RoomStorePorts>): void {
  describe(`RoomStore contract: ${name}`, () => {
    const ctx = useFixture(makeStores);

    async function newRoom(hostId = uniqueUserId()): Promise<string> {
      const id = uniqueName('room');
      const { created } = await ctx.stores().rooms.createRoom(id, hostId, 1000);
      expect(created).toBe(true);
      return id;
    }

    it('creates a room once; later creates return the existing record', async () => {
      const { rooms } = ctx.stores();
      const id = uniqueName('room');
      const host = uniqueUserId();
      expect(await rooms.getRoom(id)).toBeNull();
      const first = await rooms.createRoom(id, host, 1234);
      expect(first).toEqual({ created: true, room: { id, hostId: host, createdAt: 1234, lastSeq: 0, pinnedSeq: 0, closed: false } });
      const again = await rooms.createRoom(id, uniqueUserId(), 9999);
      expect(again).toEqual({ created: false, room: first.room });
      expect(await rooms.getRoom(id)).toEqual(first.room);
    });

    it('lets exactly one of many concurrent creates of one id win', async () => {
      const { rooms } = ctx.stores();
      const peer = (await ctx.peer())?.rooms ?? rooms;
      const id = uniqueName('room');
      const hosts = range(1, 10).map(() => uniqueUserId());
      const results = await Promise.all(hosts.map((h, i) => (i % 2 ? peer : rooms).createRoom(id, h, 1)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const winner = results.find((r) => r.created)!.room.hostId;
      for (const r of results) expect(r.room.hostId).toBe(winner);
    });

    it('numbers reliable messages 1, 2, 3 and reads ranges in ascending order', async () => {
      const { rooms } = ctx.stores();
      const id = await newRoom();
      const sender = uniqueUserId();
      const stored: StoredRoomMessage[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await rooms.append(id, newMessage(sender));
        expect(r.duplicate).toBe(false);
        stored.push(r.message);
      }
      expect(seqs(stored)).toEqual([1, 2, 3, 4, 5]);
      expect((await rooms.getRoom(id))!.lastSeq).toBe(5);
      expect(await rooms.getRange(id, 1, 5, 100)).toEqual(stored);
      expect(seqs(await rooms.getRange(id, 2, 4, 100))).toEqual([2, 3, 4]);
      expect(seqs(await rooms.getRange(id, 2, 0xffff_ffff, 2))).toEqual([2, 3]);
      expect(seqs(await rooms.getRange(id, 6, 10, 100))).toEqual([]);
      expect(seqs(await rooms.getRange(id, 0, 1, 100))).toEqual([1]);
      expect(await rooms.getRange(uniqueName('room'), 1, 10, 10)).toEqual([]);
    });

    it('keeps seqs continuous under concurrent appends (also through a second handle)', async () => {
      const { rooms } = ctx.stores();
      const peer = (await ctx.peer())?.rooms ?? rooms;
      const id = await newRoom();
      const results = await Promise.all(range(1, 40).map((i) => (i % 2 ? peer : rooms).append(id, newMessage(uniqueUserId()))));
      expect(results.map((r) => r.message.seq).sort((a, b) => a - b)).toEqual(range(1, 40));
      const all = await rooms.getRange(id, 1, 100, 100);
      expect(seqs(all)).toEqual(range(1, 40));
      expect(new Set(all.map((m) => m.id)).size).toBe(40);
      expect((await peer.getRoom(id))!.lastSeq).toBe(40);
    });

    it('round-trips every field, including content bytes and ids above 2^63', async () => {
      const { rooms } = ctx.stores();
      const id = await newRoom();
      const big = (2n ** 64n - 5n).toString();
      const msg = newMessage(uniqueUserId(), { id: big, content: new Uint8Array([0, 255, 1, 128]), serverTime: 1_700_000_000_123 });
      const { message } = await rooms.append(id, msg);
      expect(message).toEqual({ ...msg, roomId: id, seq: 1 });
      expect((await rooms.getRange(id, 1, 1, 1))[0]).toEqual(message);
    });

    it('stores a retried clientMsgId once and returns the original', async () => {
      const { rooms } = ctx.stores();
      const id = await newRoom();
      const sender = uniqueUserId();
      const first = await rooms.append(id, newMessage(sender, { clientMsgId: 'gift-1' }));
      const retry = await rooms.append(id, newMessage(sender, { clientMsgId: 'gift-1' }));
      expect(retry).toEqual({ message: first.message, duplicate: true });
      expect((await rooms.getRoom(id))!.lastSeq).toBe(1);
      // The key is (room, sender, clientMsgId): other senders and rooms are independent.
      expect((await rooms.append(id, newMessage(uniqueUserId(), { clientMsgId: 'gift-1' }))).message.seq).toBe(2);
      const other = await newRoom();
      expect((await rooms.append(other, newMessage(sender, { clientMsgId: 'gift-1' }))).duplicate).toBe(false);
      // An empty clientMsgId is never deduplicated.
      expect((await rooms.append(id, newMessage(sender, { clientMsgId: '' }))).message.seq).toBe(3);
      expect((await rooms.append(id, newMessage(sender, { clientMsgId: '' }))).message.seq).toBe(4);
    });

    it('refuses appends to unknown and closed rooms, changing nothing', async () => {
      const { rooms } = ctx.stores();
      await expect(rooms.append(uniqueName('room'), newMessage(1))).rejects.toBeInstanceOf(RoomUnavailableError);
      const id = await newRoom();
      await rooms.append(id, newMessage(1));
      expect(await rooms.closeRoom(id)).toBe(true);
      expect(await rooms.closeRoom(id)).toBe(false);
      expect(await rooms.closeRoom(uniqueName('room'))).toBe(false);
      await expect(rooms.append(id, newMessage(1))).rejects.toBeInstanceOf(RoomUnavailableError);
      const room = (await rooms.getRoom(id))!;
      expect(room).toMatchObject({ closed: true, lastSeq: 1 });
      expect(seqs(await rooms.getRange(id, 1, 10, 10))).toEqual([1]);
      // A closed room's id is never handed out again.
      expect(await rooms.createRoom(id, uniqueUserId(), 5)).toEqual({ created: false, room });
    });

    it('pins with the append, clears with setPinned(0), and not in a closed room', async () => {
      const { rooms } = ctx.stores();
      const id = await newRoom();
      await rooms.append(id, newMessage(1));
      const pinned = await rooms.append(id, newMessage(1), { pin: true });
      await rooms.append(id, newMessage(1));
      expect(await rooms.getRoom(id)).toMatchObject({ lastSeq: 3, pinnedSeq: pinned.message.seq });
      expect(await rooms.setPinned(id, 0)).toBe(true);
      expect((await rooms.getRoom(id))!.pinnedSeq).toBe(0);
      expect(await rooms.setPinned(id, 3)).toBe(true);
      await rooms.closeRoom(id);
      expect(await rooms.setPinned(id, 0)).toBe(false);
      expect((await rooms.getRoom(id))!.pinnedSeq).toBe(3);
      expect(await rooms.setPinned(uniqueName('room'), 1)).toBe(false);
    });

    it('keeps one restriction per (user, kind), returns only active ones, and clears them', async () => {
      const { rooms } = ctx.stores();
      const id = await newRoom();
      const [a, b, c] = [uniqueUserId(), uniqueUserId(), uniqueUserId()];
      await rooms.setRestriction({ roomId: id, userId: a, kind: 'mute', until: 5000 });
      await rooms.setRestriction({ roomId: id, userId: a, kind: 'kick', until: 0 });
      await rooms.setRestriction({ roomId: id, userId: b, kind: 'mute', until: 2000 });
      await rooms.setRestriction({ roomId: id, userId: b, kind: 'mute', until: 8000 }); // replaces
      await rooms.setRestriction({ roomId: id, userId: c, kind: 'kick', until: 3000 });
      const sort = <T extends { userId: number; kind: string }>(list: T[]) => [...list].sort((x, y) => x.userId - y.userId || x.kind.localeCompare(y.kind));
      expect(sort(await rooms.restrictions(id, 1000))).toEqual(sort<RoomRestriction>([
        { roomId: id, userId: a, kind: 'mute', until: 5000 },
        { roomId: id, userId: a, kind: 'kick', until: 0 },
        { roomId: id, userId: b, kind: 'mute', until: 8000 },
        { roomId: id, userId: c, kind: 'kick', until: 3000 },
      ]));
      // Expired at `now` (until <= now) is not active; 0 never expires.
      expect(sort(await rooms.restrictions(id, 5000))).toEqual(sort<RoomRestriction>([
        { roomId: id, userId: a, kind: 'kick', until: 0 },
        { roomId: id, userId: b, kind: 'mute', until: 8000 },
      ]));
      await rooms.clearRestriction(id, a, 'kick');
      await rooms.clearRestriction(id, c, 'mute'); // not set: no-op
      expect(await rooms.restrictions(id, 5000)).toEqual([{ roomId: id, userId: b, kind: 'mute', until: 8000 }]);
      expect(await rooms.restrictions(uniqueName('room'), 0)).toEqual([]);
      await expect(rooms.setRestriction({ roomId: uniqueName('room'), userId: a, kind: 'mute', until: 0 })).rejects.toBeInstanceOf(RoomUnavailableError);
    });

    it('shows a second handle the first handle\'s writes', async () => {
      const peer = await ctx.peer();
      if (!peer) return;
      const { rooms } = ctx.stores();
      const id = await newRoom();
      await rooms.append(id, newMessage(1), { pin: true });
      await rooms.setRestriction({ roomId: id, userId: 7, kind: 'mute', until: 0 });
      expect(await peer.rooms.getRoom(id)).toMatchObject({ lastSeq: 1, pinnedSeq: 1 });
      expect(await peer.rooms.restrictions(id, 0)).toHaveLength(1);
      expect((await peer.rooms.append(id, newMessage(2))).message.seq).toBe(2);
    });
  });
}
