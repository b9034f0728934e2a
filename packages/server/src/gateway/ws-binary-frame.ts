/**
 * RFC 6455 framing of one server-to-client binary message: FIN set, opcode 2,
 * no RSV bits, unmasked (servers never mask). Pure encoding, no I/O; the
 * WebSocket connection uses it to hand the kernel header and payload in ONE
 * socket write instead of going through `ws`'s Sender (ADR 0017,
 * docs/decisions/0017-ws-preframed-binary-writes.md).
 */

/** Header bytes for a payload of `n` bytes: 7-bit, 16-bit or 64-bit length form (RFC 6455 §5.2). */
export function wsBinaryHeaderBytes(n: number): 2 | 4 | 10 {
  return n < 126 ? 2 : n < 65536 ? 4 : 10;
}

/** Write the header for a payload of `n` bytes at the start of `out`; returns its length. */
export function writeWsBinaryHeader(out: Uint8Array, n: number): 2 | 4 | 10 {
  out[0] = 0x82;
  if (n < 126) {
    out[1] = n;
    return 2;
  }
  if (n < 65536) {
    out[1] = 126;
    out[2] = n >>> 8;
    out[3] = n & 0xff;
    return 4;
  }
  out[1] = 127;
  const hi = Math.floor(n / 0x1_0000_0000);
  const lo = n >>> 0;
  out[2] = hi >>> 24;
  out[3] = (hi >>> 16) & 0xff;
  out[4] = (hi >>> 8) & 0xff;
  out[5] = hi & 0xff;
  out[6] = lo >>> 24;
  out[7] = (lo >>> 16) & 0xff;
  out[8] = (lo >>> 8) & 0xff;
  out[9] = lo & 0xff;
  return 10;
}

/**
 * One binary WebSocket message holding `chunks` back to back, header in front,
 * ready for one socket write. `totalBytes` must be the chunks' summed length:
 * the buffer comes from Node's pool uninitialised, so a mismatch throws rather
 * than sending stale memory.
 */
export function preFramedBinaryMessage(chunks: readonly Uint8Array[], totalBytes: number): Buffer {
  const out = Buffer.allocUnsafe(wsBinaryHeaderBytes(totalBytes) + totalBytes);
  let at = writeWsBinaryHeader(out, totalBytes);
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i]!;
    out.set(c, at);
    at += c.length;
  }
  if (at !== out.length) throw new RangeError(`pre-framed message: chunks hold ${at - (out.length - totalBytes)} bytes, not ${totalBytes}`);
  return out;
}
