/**
 * PostgresRoomStore against a real PostgreSQL 15 started by the test harness:
 * the shared RoomStore contract (a peer is a second pool, as a second node
 * would connect), plus what only a shared database can show: appends to one
 * room from several pools at once keep per-room seqs 1, 2, 3, ... with no
 * gap or duplicate, and a gift retried on two nodes at once is stored once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresAdapters, type PostgresAdapters } from '../../src/adapters/postgres/index.js';
import type { NewRoomMessage, RoomStore } from '../../src/core/ports/room-store.js';
import { nextMessageId, uniqueName, uniqueUserId } from '../contracts/contract-support.js';
import { requireServices, startPostgres, type PostgresService } from '../support/services.js';
import { describeRoomStoreContract } from '../rooms/room-store.contract.js';

requireServices('postgres');

const SCHEMA = 'rooms_contract';

function gift(senderId: number, clientMsgId = uniqueName('gift')): NewRoomMessage {
  return { id: nextMessageId(), senderId, clientMsgId, serverTime: Date.now(), content: new TextEncoder().encode(clientMsgId) };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('postgres room store', () => {
  let pg: PostgresService;
  let shared: PostgresAdapters;
  const pools: PostgresAdapters[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    shared = await openPostgresAdapters({ url: pg.url, poolSize: 6, schema: SCHEMA });
  });
  afterAll(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
    await shared?.close();
    await pg?.stop();
  });

  /** Another pool on the same schema, as another node opens it. */
  const openPool = async (poolSize = 4): Promise<RoomStore> => {
    const adapters = await openPostgresAdapters({ url: pg.url, poolSize, schema: SCHEMA });
    pools.push(adapters);
    return adapters.rooms;
  };

  describeRoomStoreContract('postgres', async () => ({
    rooms: shared.rooms,
    close: async () => {},
    openPeer: async () => {
      const peer = await openPostgresAdapters({ url: pg.url, poolSize: 4, schema: SCHEMA });
      return { rooms: peer.rooms, close: () => peer.close() };
    },
  }));

  describe('across pools (nodes)', () => {
    it('keeps every room at seqs 1..n with no gap or duplicate when two pools append to several rooms at once', async () => {
      const [a, b] = [await openPool(5), await openPool(5)];
      const rooms = await Promise.all(range(4).map(async () => {
        const id = uniqueName('room');
        expect((await a.createRoom(id, uniqueUserId(), 1)).created).toBe(true);
        return id;
      }));
      const perRoom = 30;
      // Interleaved: each room gets appends from both pools in the same burst.
      const work = rooms.flatMap((room) => range(perRoom).map((i) => (i % 2 ? a : b).append(room, gift(uniqueUserId()), { pin: i === perRoom })));
      const results = await Promise.all(work);
      expect(results.every((r) => !r.duplicate)).toBe(true);
      for (const room of rooms) {
        const acked = results.filter((r) => r.message.roomId === room).map((r) => r.message.seq).sort((x, y) => x - y);
        expect(acked).toEqual(range(perRoom));
        const stored = await b.getRange(room, 1, 1_000, 1_000);
        expect(stored.map((m) => m.seq)).toEqual(range(perRoom));
        // Each stored row is the message whose ack carried its seq.
        for (const m of stored) expect(results.find((r) => r.message.id === m.id)!.message.seq).toBe(m.seq);
        const record = (await a.getRoom(room))!;
        expect(record.lastSeq).toBe(perRoom);
        // The pin names the seq its own append got, not the room's last one.
        const pinned = results[rooms.indexOf(room) * perRoom + perRoom - 1]!.message;
        expect(record.pinnedSeq).toBe(pinned.seq);
      }
    });

    it('stores a gift retried on two nodes at the same moment once: every caller gets the original', async () => {
      const [a, b] = [await openPool(4), await openPool(4)];
      const room = uniqueName('room');
      await a.createRoom(room, uniqueUserId(), 1);
      const sender = uniqueUserId();
      for (let round = 1; round <= 10; round++) {
        const retry = gift(sender, `gift-${round}`);
        // Same sender, same clientMsgId, fresh message ids (each node makes its own), through both pools.
        const results = await Promise.all(range(6).map((i) => (i % 2 ? a : b).append(room, { ...retry, id: nextMessageId() })));
        const fresh = results.filter((r) => !r.duplicate);
        expect(fresh).toHaveLength(1);
        expect(fresh[0]!.message.seq).toBe(round);
        for (const r of results) expect({ ...r.message, content: [...r.message.content] }).toEqual({ ...fresh[0]!.message, content: [...fresh[0]!.message.content] });
      }
      expect((await b.getRoom(room))!.lastSeq).toBe(10);
      expect((await a.getRange(room, 1, 100, 100)).map((m) => m.clientMsgId)).toEqual(range(10).map((i) => `gift-${i}`));
    });

    it('refuses appends on every pool once another pool closed the room, even in the same burst', async () => {
      const [a, b] = [await openPool(4), await openPool(4)];
      const room = uniqueName('room');
      await a.createRoom(room, uniqueUserId(), 1);
      const outcomes = await Promise.allSettled([
        ...range(10).map(() => a.append(room, gift(uniqueUserId()))),
        b.closeRoom(room),
        ...range(10).map(() => b.append(room, gift(uniqueUserId()))),
      ]);
      const stored = outcomes.filter((o) => o.status === 'fulfilled' && typeof o.value === 'object').length;
      const record = (await a.getRoom(room))!;
      expect(record.closed).toBe(true);
      // Whatever committed before the close is 1..n; nothing after it.
      expect(record.lastSeq).toBe(stored);
      expect((await b.getRange(room, 1, 100, 100)).map((m) => m.seq)).toEqual(range(stored));
      await expect(b.append(room, gift(1))).rejects.toMatchObject({ name: 'RoomUnavailableError', reason: 'closed' });
    });
  });
});
