/** Length-delimited strings for the hand-rolled hot-path encoders. */
import { writeVarint } from './varint.js';

const utf8Encoder = new TextEncoder();

/**
 * Length-delimited UTF-8 of `s` at `at` (room for 3 bytes per unit plus the length is the caller's):
 * ASCII, what client ids almost always are, byte by byte; anything else through TextEncoder.
 */
export function writeString(buf: Uint8Array, at: number, s: string): number {
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    at = writeVarint(buf, at, s.length);
    for (let i = 0; i < s.length; i++) buf[at++] = s.charCodeAt(i);
    return at;
  }
  const bytes = utf8Encoder.encode(s);
  at = writeVarint(buf, at, bytes.length);
  buf.set(bytes, at);
  return at + bytes.length;
}

