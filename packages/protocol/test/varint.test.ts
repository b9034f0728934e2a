import { describe, expect, it } from 'vitest';
import { writeDecimalU64Varint } from '../src/varint.js';

function bigintVarint(n: bigint): number[] {
  const out: number[] = [];
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
  return out;
}

describe('writeDecimalU64Varint', () => {
  it('writes the same bytes as a BigInt varint for every size of uint64', () => {
    const values = [0n, 1n, 127n, 128n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];
    let x = 0x9e3779b97f4a7c15n;
    for (let i = 0; i < 2000; i++) {
      x = (x * 6364136223846793005n + 1442695040888963407n) & (2n ** 64n - 1n);
      values.push(x >> BigInt(i % 64));
    }
    const buf = new Uint8Array(16);
    for (const v of values) {
      const end = writeDecimalU64Varint(buf, 3, v.toString());
      expect([...buf.subarray(3, end)], v.toString()).toEqual(bigintVarint(v));
    }
  });

  it('refuses what is not a uint64 in decimal', () => {
    const buf = new Uint8Array(16);
    for (const bad of ['', '-1', '1.5', 'abc', '18446744073709551616', '1'.repeat(21), ' 1']) expect(writeDecimalU64Varint(buf, 0, bad), bad).toBe(-1);
  });
});
