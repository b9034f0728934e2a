import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLink, wholeFramesLength } from '../src/load/link.js';

/** A length-prefixed frame whose body is `n` bytes of `fill`. */
function frame(n: number, fill: number): Buffer {
  const b = Buffer.alloc(4 + n, fill);
  b.writeUInt32BE(n, 0);
  return b;
}

describe('bench TCP link (--transport tcp)', () => {
  let server: Server;
  let peer: Promise<Socket>;
  beforeAll(async () => {
    let accept!: (s: Socket) => void;
    peer = new Promise((r) => (accept = r));
    server = createServer(accept);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('finds the whole frames at the start of a buffer', () => {
    const two = Buffer.concat([frame(3, 1), frame(0, 0), frame(5, 2)]);
    expect(wholeFramesLength(two)).toBe(two.length);
    expect(wholeFramesLength(two.subarray(0, two.length - 1))).toBe(7 + 4);
    expect(wholeFramesLength(two.subarray(0, 3))).toBe(0);
    expect(wholeFramesLength(new Uint8Array(0))).toBe(0);
  });

  it('re-cuts a raw stream at frame boundaries, however the bytes arrive, and carries frames out', async () => {
    const got: Buffer[] = [];
    const closes: number[] = [];
    const port = (server.address() as { port: number }).port;
    const link = await openLink(
      { userId: '1', token: 't', url: 'unused', localAddress: '127.0.0.1', tcp: { host: '127.0.0.1', port } },
      5_000,
      { onBytes: (b) => got.push(Buffer.from(b)), onClose: (code) => closes.push(code) },
    );
    const socket = await peer;
    const frames = [frame(10, 1), frame(70_000, 2), frame(1, 3), frame(0, 0), frame(300, 4)];
    const stream = Buffer.concat(frames);
    // Odd cuts: inside a prefix, inside a body, several frames at once.
    for (const [from, to] of [[0, 2], [2, 9], [9, 20], [20, 40_000], [40_000, stream.length - 5], [stream.length - 5, stream.length]] as const) {
      socket.write(stream.subarray(from, to));
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(Buffer.concat(got).equals(stream)).toBe(true);
    for (const b of got) expect(wholeFramesLength(b)).toBe(b.length);

    const received: Buffer[] = [];
    socket.on('data', (d: Buffer) => received.push(d));
    link.send(frame(4, 9));
    await new Promise((r) => setTimeout(r, 50));
    expect(Buffer.concat(received).equals(frame(4, 9))).toBe(true);

    expect(link.open).toBe(true);
    socket.end();
    await new Promise((r) => setTimeout(r, 50));
    expect(link.open).toBe(false);
    expect(closes).toEqual([1000]);
  });
});
