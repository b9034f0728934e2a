import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { packAppend, packAppendResults, packedBuffer, unpackAppend, unpackAppendResults, type PackedAppend } from '../../src/adapters/sqlite/worker/append-codec.js';
import type { AppendItem } from '../../src/core/ports/message-store.js';

const item = (i: number, extra: Partial<AppendItem['message']> = {}, timelineUsers: number[] = [], senderReadsOwn = true, searchText = ''): AppendItem => ({
  message: {
    id: String(2n ** 62n + BigInt(i)), conversationId: 1000 + i, seq: i + 1, senderId: 7, clientMsgId: `c-${i}-信箱`,
    serverTime: 1_750_000_000_000 + i, content: new Uint8Array([i, 1, 2]), mentions: [], mentionAll: false, visibleTo: [], ...extra,
  },
  timelineUsers,
  senderReadsOwn,
  searchText,
});

describe('storage worker append codec', () => {
  it('round-trips every field of every item, content copied out of larger buffers', () => {
    const big = new Uint8Array(4096).fill(9);
    const batch = [
      item(0, { content: new Uint8Array(0) }, [7, 8]),
      item(1, { mentions: [8, 9], mentionAll: true, visibleTo: [7, 8], content: big.subarray(100, 110) }, [7, 8, 9], false),
      item(2, {}, [], true, '搜索 search ✓'),
      {
        ...item(3, {}, [7]),
        webhookEvents: [
          { id: 'e-1', type: 'message.sent', orderKey: 'conversation:1003', json: '{"data":{"content":"信箱 ✓"}}', createdAt: 1_750_000_000_003, appId: 'default' },
          { id: 'e-2', type: 'group.created', orderKey: 'conversation:1003', json: '{}', createdAt: 1_750_000_000_004, appId: 'shop-b' },
        ],
      },
      item(4, {}, [8]),
    ];
    const packed = packAppend(batch);
    const [numbers, , contents] = packed;
    expect(contents.byteLength).toBe(0 + 10 + 3 + 3 + 3);
    // Numbers and contents travel in one buffer (one transfer).
    expect(contents.buffer).toBe(numbers.buffer);
    expect(packedBuffer(packed).byteLength).toBe(numbers.byteLength + contents.byteLength);
    expect(unpackAppend(packed)).toEqual(batch.map((b) => ({ ...b, message: { ...b.message, content: new Uint8Array(b.message.content) } })));
  });

  it('returns each item its own sync seqs, in timeline order', () => {
    const batch = [item(0, {}, [1, 2]), item(1, {}, []), item(2, {}, [3])];
    const flat = packAppendResults([{ syncSeqs: [10, 20] }, { syncSeqs: [] }, { syncSeqs: [30] }]);
    expect(unpackAppendResults(batch, flat)).toEqual([{ syncSeqs: [10, 20] }, { syncSeqs: [] }, { syncSeqs: [30] }]);
  });

  it('survives the trip to a worker thread with its one buffer transferred', async () => {
    const batch = [item(0, { mentions: [8] }, [7, 8]), item(1, { content: new Uint8Array([1, 2, 3, 4, 5]).subarray(1, 4) }, [9])];
    const packed = packAppend(batch);
    const channel = new MessageChannel();
    const received = new Promise<PackedAppend>((resolve) => channel.port2.once('message', resolve));
    channel.port1.postMessage(packed, [packedBuffer(packed)]);
    const unpacked = unpackAppend(await received);
    channel.port1.close();
    expect(packed[0].byteLength).toBe(0); // transferred, not copied
    expect(unpacked).toEqual(batch.map((b) => ({ ...b, message: { ...b.message, content: new Uint8Array(b.message.content) } })));
  });

  it('packs an empty batch to nothing', () => {
    expect(unpackAppend(packAppend([]))).toEqual([]);
  });
});
