/**
 * The gateway's own framing of server-to-client binary messages, byte for
 * byte against what `ws`'s Sender frames for the same payload.
 */
import { describe, expect, it } from 'vitest';
import * as wsModule from 'ws';
import { preFramedBinaryMessage, wsBinaryHeaderBytes, writeWsBinaryHeader } from '../../src/gateway/ws-binary-frame.js';

interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}
/** ws exports its Sender (the package's typings do not declare it). */
const Sender = (wsModule as unknown as { Sender: { frame(data: Buffer | { length: number }, o: FrameOptions): Buffer[] } }).Sender;
const SERVER_BINARY: FrameOptions = { fin: true, opcode: 2, mask: false, readOnly: false, rsv1: false };

/** What ws's Sender writes for `payload` as one unmasked final binary frame. */
function wsFramed(payload: Buffer): Buffer {
  return Buffer.concat(Sender.frame(payload, SERVER_BINARY));
}

function payloadOf(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

/** Split a payload into uneven chunks, as a flush of several frames would hand it over. */
function chunksOf(p: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0, k = 1; at < p.length; k++) {
    const n = Math.min(p.length - at, k * 97);
    out.push(p.subarray(at, at + n));
    at += n;
  }
  return out;
}

describe('pre-framed binary WebSocket messages', () => {
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 65_537, 1_000_003])('match ws Sender.frame byte for byte for %i payload bytes', (n) => {
    const p = payloadOf(n);
    const ours = preFramedBinaryMessage(chunksOf(p), n);
    expect(ours.length).toBe(wsBinaryHeaderBytes(n) + n);
    expect(ours.equals(wsFramed(p))).toBe(true);
  });

  it.each([2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, 2 ** 40 + 0x1234_5678])('write the 64-bit length form as ws does for %i bytes (header only)', (n) => {
    // Sender.frame reads only `length` of unmasked data, so huge lengths need no payload.
    const [wsHeader] = Sender.frame({ length: n }, SERVER_BINARY);
    const ours = new Uint8Array(10);
    expect(writeWsBinaryHeader(ours, n)).toBe(10);
    expect(Buffer.from(ours).equals(wsHeader!)).toBe(true);
  });

  it('refuses a total that does not match the chunks instead of sending uninitialised bytes', () => {
    const p = payloadOf(300);
    expect(() => preFramedBinaryMessage(chunksOf(p), 301)).toThrow(RangeError);
    expect(() => preFramedBinaryMessage(chunksOf(p), 299)).toThrow(RangeError);
  });
});
