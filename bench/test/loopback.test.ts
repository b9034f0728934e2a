import { describe, expect, it } from 'vitest';
import { assertLoopbackUrl, sourceAddress, sourceAddressCount } from '../src/loopback.js';
import { parseArgs } from '../src/args.js';

describe('loopback only', () => {
  it('accepts loopback targets and refuses everything else', () => {
    expect(assertLoopbackUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
    expect(assertLoopbackUrl('ws://127.3.2.1:9/ws')).toBe('ws://127.3.2.1:9/ws');
    expect(assertLoopbackUrl('http://[::1]:80')).toBe('http://[::1]');
    for (const bad of ['http://10.0.0.1:8080', 'http://example.com', 'ws://128.0.0.1/ws', 'http://127.0.0.300', 'nonsense']) {
      expect(() => assertLoopbackUrl(bad)).toThrow();
    }
  });

  it('the CLI refuses a non-loopback Xinbox', () => {
    expect(() => parseArgs(['--xinbox-url', 'http://192.168.1.5:8080'])).toThrow(/non-loopback/);
    expect(() => parseArgs(['--xinbox-url', 'http://127.0.0.1:8080', '--xinbox-ws', 'ws://8.8.8.8/ws'])).toThrow(/non-loopback/);
  });

  it('spreads connections over distinct 127/8 source addresses, none over its share', () => {
    const count = sourceAddressCount(55_000);
    expect(count).toBe(28);
    const used = new Map<string, number>();
    for (let i = 0; i < 55_000; i++) {
      const a = sourceAddress(i, count);
      used.set(a, (used.get(a) ?? 0) + 1);
    }
    expect(used.size).toBe(28);
    for (const a of used.keys()) expect(a).toMatch(/^127\.0\.\d+\.\d+$/);
    expect(used.has('127.0.0.1')).toBe(false);
    for (const n of used.values()) expect(n).toBeLessThanOrEqual(2_000);
    expect(new Set(Array.from({ length: 600 }, (_, i) => sourceAddress(i, 600))).size).toBe(600);
  });
});
