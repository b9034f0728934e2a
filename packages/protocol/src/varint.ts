/** Protobuf varint helpers for the hand-rolled hot-path encoders (numbers up to 2^53). */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Write n at `at`; returns the position after it. */
export function writeVarint(buf: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    buf[at++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[at++] = n;
  return at;
}

const TWO_32 = 0x1_0000_0000;

/**
 * Write the uint64 given in decimal (a snowflake message id, up to 20 digits)
 * as a varint at `at`, without BigInt: the value is carried as two 32-bit
 * halves, so no heap number is allocated per digit or per 7-bit group.
 * Returns the position after it, or -1 if `decimal` is not a uint64.
 */
export function writeDecimalU64Varint(buf: Uint8Array, at: number, decimal: string): number {
  if (decimal.length === 0 || decimal.length > 20) return -1;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < decimal.length; i++) {
    const d = decimal.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    const low = lo * 10 + d;
    lo = low % TWO_32;
    hi = hi * 10 + Math.floor(low / TWO_32);
    if (hi >= TWO_32) return -1;
  }
  while (hi > 0 || lo >= 0x80) {
    buf[at++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | ((hi & 0x7f) << 25)) >>> 0;
    hi = hi >>> 7;
  }
  buf[at++] = lo;
  return at;
}
