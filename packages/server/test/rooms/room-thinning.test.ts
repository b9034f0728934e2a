import { describe, expect, it } from 'vitest';
import { RoomTickBuffer, thinNewest } from '../../src/core/rooms/room-tick-buffer.js';
import type { OutboundRoomMessage } from '../../src/core/rooms/room-broadcaster.js';

const ordinary = (n: number): OutboundRoomMessage => ({ seq: 0, bytes: new Uint8Array([n]) });
const reliable = (seq: number): OutboundRoomMessage => ({ seq, bytes: new Uint8Array([100 + seq]) });
const tags = (list: readonly OutboundRoomMessage[]) => list.map((m) => (m.seq > 0 ? `r${m.seq}` : `o${m.bytes[0]}`));

describe('thinNewest', () => {
  it('keeps everything within the allowance', () => {
    const items = [ordinary(1), reliable(1), ordinary(2)];
    expect(thinNewest(items, 2)).toEqual({ kept: items, dropped: 0 });
  });

  it('drops the oldest ordinary messages, keeps every reliable one, and keeps the order', () => {
    const items = [ordinary(1), ordinary(2), reliable(1), ordinary(3), reliable(2), ordinary(4), ordinary(5)];
    const { kept, dropped } = thinNewest(items, 2);
    expect(dropped).toBe(3);
    expect(tags(kept)).toEqual(['r1', 'r2', 'o4', 'o5']);
  });

  it('drops every ordinary message at allowance 0 but never a reliable one', () => {
    const { kept, dropped } = thinNewest([ordinary(1), reliable(3), ordinary(2)], 0);
    expect(tags(kept)).toEqual(['r3']);
    expect(dropped).toBe(2);
  });
});

describe('RoomTickBuffer', () => {
  it('caps each room per tick at its rate and counts the drops', () => {
    // 100/s with 50 ms ticks: 5 per tick, bucket of two ticks (10).
    const buf = new RoomTickBuffer(100, 50);
    for (let i = 1; i <= 30; i++) buf.add('a', ordinary(i));
    buf.add('b', ordinary(1));
    const [a, b] = buf.drain(0);
    expect(a!.roomId).toBe('a');
    expect(tags(a!.messages)).toEqual(['o21', 'o22', 'o23', 'o24', 'o25', 'o26', 'o27', 'o28', 'o29', 'o30']);
    expect(a!.dropped).toBe(20);
    expect(b).toEqual({ roomId: 'b', messages: [ordinary(1)], dropped: 0 });
    expect(buf.isEmpty).toBe(true);

    // The next tick 50 ms later has only refilled 5 tokens.
    for (let i = 1; i <= 8; i++) buf.add('a', ordinary(i));
    const [next] = buf.drain(50);
    expect(tags(next!.messages)).toEqual(['o4', 'o5', 'o6', 'o7', 'o8']);
    expect(next!.dropped).toBe(3);
  });

  it('delivers the configured rate over many overloaded ticks', () => {
    const buf = new RoomTickBuffer(500, 50);
    let delivered = 0;
    let dropped = 0;
    let offered = 0;
    for (let t = 0; t < 10_000; t += 50) {
      for (let i = 0; i < 100; i++, offered++) buf.add('hot', ordinary(i % 256));
      for (const batch of buf.drain(t)) {
        delivered += batch.messages.length;
        dropped += batch.dropped;
      }
    }
    expect(delivered + dropped).toBe(offered);
    // 500/s over 10 s, plus the initial bucket of two ticks.
    expect(delivered).toBeGreaterThanOrEqual(500 * 10 - 25);
    expect(delivered).toBeLessThanOrEqual(500 * 10 + 50);
  });

  it('never delays or drops reliable messages, even with the ordinary budget spent', () => {
    const buf = new RoomTickBuffer(10, 50); // one ordinary per tick
    for (let i = 1; i <= 5; i++) {
      buf.add('r', ordinary(i));
      buf.add('r', reliable(i));
    }
    const [batch] = buf.drain(0);
    expect(tags(batch!.messages)).toEqual(['r1', 'r2', 'r3', 'r4', 'o5', 'r5']);
    expect(batch!.dropped).toBe(4);
  });

  it('bounds memory under a flood by dropping the oldest on arrival, and still counts them', () => {
    const buf = new RoomTickBuffer(100, 50); // holds at most 10 ordinary
    for (let i = 0; i < 10_000; i++) buf.add('flood', ordinary(i % 256));
    const [batch] = buf.drain(0);
    expect(batch!.messages).toHaveLength(10);
    expect(batch!.dropped).toBe(10_000 - 10);
    expect(batch!.messages[9]!.bytes[0]).toBe(9_999 % 256);
  });

  it('forgets a discarded room', () => {
    const buf = new RoomTickBuffer(100, 50);
    buf.add('gone', ordinary(1));
    buf.discard('gone');
    expect(buf.drain(0)).toEqual([]);
  });
});
