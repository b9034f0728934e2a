import { afterEach, describe, expect, it } from 'vitest';
import { decodeFrame, type CloseSpec } from '@xinbox/protocol';
import { Connection, type FlushSink } from '../../src/gateway/connection.js';
import { RoomFanout } from '../../src/gateway/room-fanout.js';

/** A real Connection whose transport records what it would write. */
class RecordingConnection extends Connection {
  readonly written: Uint8Array[] = [];
  /** What the transport would still hold (a reader that is behind). */
  transportBacklog = 0;
  protected write(frames: Uint8Array[]): void {
    this.written.push(...frames);
  }
  protected bufferedBytes(): number {
    return this.transportBacklog;
  }
  protected terminate(_spec: CloseSpec): void {}
  pauseReading(): void {}
  resumeReading(): void {}
  onceWritable(): void {}
  protected flushBeforeClose(): void {
    this.flush();
  }
}

const sink: FlushSink = { markDirty: () => undefined, markRetry: () => undefined };
const limits = { maxOutboundBytes: 1 << 24, maxOutboundFrames: 100_000, maxUnackedPushes: 0, pushRetryBaseMs: 1000, pushRetries: 0, closeGraceMs: 2_000 };
let nextId = 1;
function connection(userId: number): RecordingConnection {
  const c = new RecordingConnection(nextId++, 'tcp', '127.0.0.1', sink, limits, 0);
  c.state = 'open';
  c.userId = userId;
  return c;
}

const turn = () => new Promise((r) => setImmediate(r));
const msg = (seq: number, tag: number) => ({ seq, bytes: new Uint8Array([0x0a, 1, tag]) }); // RoomMessage{room_id: <tag>}

describe('RoomFanout', () => {
  let fanout: RoomFanout;
  afterEach(() => fanout.stop());

  it('sends one turn of a room as ONE frame, encoded once, the same bytes to every connection', async () => {
    fanout = new RoomFanout({ retryMs: 1000, retries: 0, window: 16 });
    const audience = Array.from({ length: 2000 }, (_, i) => connection(i + 1));
    for (const c of audience) fanout.join(c, 'big', 0);
    const outsider = connection(9999);
    fanout.messages('big', [msg(0, 1), msg(0, 2)]);
    fanout.messages('big', [msg(0, 3)]);
    await turn();
    for (const c of audience) c.flush();
    expect(fanout.stats().framesEncoded).toBe(1);
    const first = audience[0]!.written;
    expect(first).toHaveLength(1);
    for (const c of audience) expect(c.written[0]).toBe(first[0]); // the very same buffer
    const frame = decodeFrame(first[0]!.subarray(4));
    expect(frame.body.case === 'roomPush' && frame.body.value.messages.map((m) => m.roomId)).toEqual(['\x01', '\x02', '\x03']);
    outsider.flush();
    expect(outsider.written).toHaveLength(0);
    expect(fanout.audience('big')).toBe(2000);
  });

  it('splits a turn larger than the client frame limit into several RoomPush frames, every message once, in order', async () => {
    const maxFrameBytes = 4096;
    fanout = new RoomFanout({ retryMs: 1000, retries: 0, window: 16, maxFrameBytes });
    const members = [connection(1), connection(2)];
    for (const c of members) fanout.join(c, 'busy', 0);
    // 40 RoomMessages of ~1 KiB each: ~40 KiB in one turn, ten times the limit.
    const big = (i: number) => ({ seq: 0, bytes: Uint8Array.from([0x0a, 0x80, 0x08, ...new Uint8Array(1024).fill(0x61 + (i % 26))]) });
    fanout.messages('busy', Array.from({ length: 40 }, (_, i) => big(i)));
    await turn();
    for (const c of members) c.flush();
    const frames = members[0]!.written;
    expect(frames.length).toBeGreaterThanOrEqual(10);
    expect(fanout.stats().framesEncoded).toBe(frames.length);
    const letters: string[] = [];
    for (const f of frames) {
      expect(f.length - 4).toBeLessThanOrEqual(maxFrameBytes);
      const d = decodeFrame(f.subarray(4));
      if (d.body.case !== 'roomPush') throw new Error('not a roomPush');
      letters.push(...d.body.value.messages.map((m) => m.roomId[0]!));
    }
    expect(letters).toEqual(Array.from({ length: 40 }, (_, i) => String.fromCharCode(0x61 + (i % 26))));
    // The same buffers for every member: encoded once per turn, whatever the number of frames.
    frames.forEach((f, i) => expect(members[1]!.written[i]).toBe(f));
  });

  it('paces a large room: the first message leaves at once, faster ones merge into one frame per L / budget seconds', async () => {
    // 50 members at 50 frames/s: at most one frame per second (a window long
    // enough that a loaded machine's late timers cannot close it early).
    fanout = new RoomFanout({ retryMs: 1000, retries: 0, window: 16, pushBudgetPerSec: 50 });
    const audience = Array.from({ length: 50 }, (_, i) => connection(i + 1));
    for (const c of audience) fanout.join(c, 'big', 0);
    const probe = audience[0]!;
    const roomIds = () => probe.written.map((b) => {
      const f = decodeFrame(b.subarray(4));
      return f.body.case === 'roomPush' ? f.body.value.messages.map((m) => m.roomId.charCodeAt(0)) : [];
    });
    fanout.messages('big', [msg(0, 1)]);
    await turn();
    probe.flush();
    const firstAt = Date.now();
    expect(roomIds()).toEqual([[1]]); // after a quiet spell: no wait
    fanout.messages('big', [msg(0, 2)]);
    fanout.messages('big', [msg(0, 3)]);
    await turn();
    probe.flush();
    expect(roomIds()).toEqual([[1]]); // inside the window: held
    await new Promise((r) => setTimeout(r, 60));
    fanout.messages('big', [msg(0, 4)]);
    for (const deadline = Date.now() + 10_000; roomIds().length < 2 && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 20));
      probe.flush();
    }
    expect(roomIds()).toEqual([[1], [2, 3, 4]]); // one frame when the window closed
    expect(Date.now() - firstAt).toBeGreaterThanOrEqual(990); // not before (1 s window, timer rounding)
    expect(fanout.stats().framesEncoded).toBe(2);
    // A notice flushes what is held first, keeping order.
    fanout.messages('big', [msg(0, 5)]);
    fanout.notice('big', { kind: 'audience', audience: 50 });
    probe.flush();
    expect(roomIds().slice(2, 3)).toEqual([[5]]);
    expect(probe.written).toHaveLength(4);
  });

  it('does not pace a small room (L / budget below a turn)', async () => {
    fanout = new RoomFanout({ retryMs: 1000, retries: 0, window: 16, pushBudgetPerSec: 100_000 });
    const c = connection(1);
    fanout.join(c, 'small', 0);
    for (let i = 1; i <= 3; i++) {
      fanout.messages('small', [msg(0, i)]);
      await new Promise((r) => setTimeout(r, 2));
    }
    await turn();
    c.flush();
    expect(c.written).toHaveLength(3);
  });

  it('delivers user notices only to that user, removing kicked connections', async () => {
    fanout = new RoomFanout({ retryMs: 1000, retries: 0, window: 16 });
    const [a1, a2, b] = [connection(1), connection(1), connection(2)];
    for (const c of [a1, a2, b]) fanout.join(c, 'r', 0);
    fanout.notice('r', { kind: 'kicked', userId: 1, until: 0 });
    for (const c of [a1, a2, b]) c.flush();
    expect([a1.written.length, a2.written.length, b.written.length]).toEqual([1, 1, 0]);
    expect(fanout.isJoined(a1, 'r') || fanout.isJoined(a2, 'r')).toBe(false);
    expect(fanout.audience('r')).toBe(1);
  });

  it('retransmits only what each connection has not acked, sharing frames between equal acks', () => {
    let now = 0;
    fanout = new RoomFanout({ retryMs: 1000, retries: 2, window: 16 }, () => now);
    const [behind, middle, done] = [connection(1), connection(2), connection(3)];
    for (const c of [behind, middle, done]) fanout.join(c, 'r', 0);
    fanout.messages('r', [msg(1, 1), msg(2, 2), msg(0, 9)]);
    // Flush the pending batch synchronously through a notice (same path as a turn end).
    fanout.notice('r', { kind: 'audience', audience: 3 });
    for (const c of [behind, middle, done]) {
      c.flush();
      expect(c.written).toHaveLength(2); // the batch, then the notice
      c.written.length = 0;
    }
    fanout.acknowledge(middle, 'r', 1);
    fanout.acknowledge(done, 'r', 2);
    fanout.retransmit(999);
    for (const c of [behind, middle, done]) c.flush();
    expect(behind.written).toHaveLength(0); // not due yet
    now = 1000;
    fanout.retransmit(1000);
    for (const c of [behind, middle, done]) c.flush();
    const seqs = (c: RecordingConnection) => c.written.flatMap((f) => {
      const d = decodeFrame(f.subarray(4));
      return d.body.case === 'roomPush' ? d.body.value.messages.map((m) => m.roomId.charCodeAt(0)) : [];
    });
    expect(seqs(behind)).toEqual([1, 2]); // the ordinary message is never retransmitted
    expect(seqs(middle)).toEqual([2]);
    expect(seqs(done)).toEqual([]);
    fanout.retransmit(2000); // second and last retry
    fanout.retransmit(3000); // nothing left
    behind.flush();
    expect(seqs(behind)).toEqual([1, 2, 1, 2]);
  });

  it('does not retransmit to a connection whose transport still holds unsent bytes', () => {
    let now = 0;
    fanout = new RoomFanout({ retryMs: 1000, retries: 1, window: 16 }, () => now);
    const [reading, lagging] = [connection(1), connection(2)];
    for (const c of [reading, lagging]) fanout.join(c, 'r', 0);
    fanout.messages('r', [msg(1, 1)]);
    fanout.notice('r', { kind: 'audience', audience: 2 });
    for (const c of [reading, lagging]) {
      c.flush();
      c.written.length = 0;
    }
    lagging.transportBacklog = 4096; // the original is still on its way to it
    now = 1000;
    fanout.retransmit(now);
    for (const c of [reading, lagging]) c.flush();
    expect(reading.written).toHaveLength(1);
    expect(lagging.written).toHaveLength(0);
    expect(fanout.stats().retransmissions).toBe(1);
  });

  it('skips a retransmission sweep that fires late (the gateway is behind), then resends on time', async () => {
    fanout = new RoomFanout({ retryMs: 200, retries: 1, window: 16 }); // a sweep every 50 ms
    const c = connection(1);
    fanout.join(c, 'r', 0);
    fanout.messages('r', [msg(1, 1)]);
    fanout.notice('r', { kind: 'audience', audience: 1 });
    c.flush();
    c.written.length = 0;
    const until = performance.now() + 400;
    while (performance.now() < until); // the event loop is stuck past the message's due time
    await new Promise((r) => setTimeout(r, 0)); // the overdue sweep runs now, 350 ms late
    expect(fanout.stats().retransmitSweepsSkipped).toBeGreaterThan(0);
    expect(fanout.stats().retransmissions).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    c.flush();
    expect(fanout.stats().retransmissions).toBe(1);
    expect(c.written).toHaveLength(1);
  });

  it('forgets connections that closed before their close hook ran', async () => {
    fanout = new RoomFanout({ retryMs: 1000, retries: 0, window: 16 });
    const [live, dead] = [connection(1), connection(2)];
    fanout.join(live, 'r', 0);
    fanout.join(dead, 'r', 0);
    dead.state = 'closed';
    fanout.messages('r', [msg(0, 1)]);
    await turn();
    expect(fanout.audience('r')).toBe(1);
    fanout.removeConnection(live);
    expect(fanout.audience('r')).toBe(0);
    expect([...fanout.audiences()]).toEqual([]);
  });
});
